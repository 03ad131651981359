/**
 * A controlled world for unit and component tests: a wall clock that moves
 * only when the test says so, timers on that clock, a scripted fetch that
 * records every call, navigation spies, and in-memory BroadcastChannel and
 * Web Locks shared by the tabs of one FakeBrowser.
 */
import type { ChannelLike, Environment, LocksLike, TimerHandle } from '../../src/core/environment.js';

export const START = Date.UTC(2026, 10, 23, 9, 0, 0);

export interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  at: number;
}

export type Responder = (call: Call) => Response | Promise<Response>;

/** Real macrotask, to let promises and fetch bodies settle. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    ...init,
    headers: { 'Content-Type': 'application/json', ...(init.headers as Record<string, string>) },
  });
}

/** The session-timeout status body for a server whose last activity was `idleTime` s ago. */
export function status(idleTime: number, idleLimit: number, timeoutLimit: number, extra: object = {}) {
  return json({ status: idleTime >= idleLimit ? 'IDLE' : 'ACTIVE', idleTime, idleLimit, timeoutLimit, ...extra });
}

/** Tabs of one browser share the clock, channels and locks. */
export class FakeBrowser {
  now = START;
  private timers: Array<{ id: number; at: number; fn: () => void; env: FakeEnv }> = [];
  private nextId = 1;
  private channels = new Map<string, Set<FakeChannel>>();
  private lockQueues = new Map<string, Array<{ grant: () => void; signal?: AbortSignal }>>();
  private held = new Set<string>();

  tab(): FakeEnv {
    return new FakeEnv(this);
  }

  schedule(env: FakeEnv, fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.push({ id, at: this.now + Math.max(0, ms), fn, env });
    return id;
  }

  cancel(id: number): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  pendingTimers(env?: FakeEnv): number {
    return this.timers.filter((t) => !env || t.env === env).length;
  }

  /** Move the clock forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    await settle();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.now = Math.max(this.now, next.at);
      if (!next.env.frozen) next.fn();
      else this.timers.push({ ...next, at: this.now + 1 }); // a frozen tab runs nothing until thawed
      await settle();
      await settle();
    }
    this.now = end;
    await settle();
  }

  /** Jump the wall clock without firing timers (laptop sleep): timers fire late, afterwards. */
  jump(ms: number): void {
    this.now += ms;
  }

  openChannel(name: string, owner: FakeEnv): FakeChannel {
    const set = this.channels.get(name) ?? new Set();
    this.channels.set(name, set);
    const channel = new FakeChannel(name, owner, this);
    set.add(channel);
    return channel;
  }

  deliver(from: FakeChannel, message: unknown): void {
    const data = structuredClone(message);
    for (const channel of this.channels.get(from.name) ?? []) {
      if (channel !== from) queueMicrotask(() => channel.receive(data));
    }
  }

  close(channel: FakeChannel): void {
    this.channels.get(channel.name)?.delete(channel);
  }

  readonly locks = (owner: FakeEnv): LocksLike => ({
    request: (name, options, callback) =>
      new Promise((resolve, reject) => {
        const run = () => {
          this.held.add(name);
          owner.heldLocks.add(name);
          Promise.resolve(callback({ name }))
            .then(resolve, reject)
            .finally(() => {
              this.held.delete(name);
              owner.heldLocks.delete(name);
              const queue = this.lockQueues.get(name) ?? [];
              const waiter = queue.shift();
              waiter?.grant();
            });
        };
        if (!this.held.has(name)) return run();
        const queue = this.lockQueues.get(name) ?? [];
        this.lockQueues.set(name, queue);
        const entry = { grant: run, signal: options.signal };
        queue.push(entry);
        options.signal?.addEventListener('abort', () => {
          const i = queue.indexOf(entry);
          if (i >= 0) queue.splice(i, 1);
          reject(new DOMException('aborted', 'AbortError'));
        });
      }),
  });

  /** A tab that crashed: its locks are released and its channels closed without its code running. */
  crash(env: FakeEnv): void {
    env.frozen = true;
    for (const set of this.channels.values()) for (const c of [...set]) if (c.owner === env) set.delete(c);
    env.releaseLocks?.();
  }
}

class FakeChannel implements ChannelLike {
  private listeners = new Set<(event: MessageEvent) => void>();
  constructor(
    readonly name: string,
    readonly owner: FakeEnv,
    private readonly browser: FakeBrowser,
  ) {}
  postMessage(message: unknown): void {
    this.owner.posted.push(message);
    this.browser.deliver(this, message);
  }
  receive(data: unknown): void {
    if (this.owner.frozen) return;
    for (const l of this.listeners) l(new MessageEvent('message', { data }));
  }
  addEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'message', listener: (event: MessageEvent) => void): void {
    this.listeners.delete(listener);
  }
  close(): void {
    this.browser.close(this);
  }
}

export class FakeEnv implements Environment {
  calls: Call[] = [];
  navigations: string[] = [];
  reloads = 0;
  posted: unknown[] = [];
  frozen = false;
  heldLocks = new Set<string>();
  releaseLocks?: () => void;
  /** Answers server calls; the default says the network is down. */
  respond: Responder = () => Promise.reject(new TypeError('Failed to fetch'));
  locks: LocksLike | null;

  readonly loadedAt: number;

  constructor(readonly browser: FakeBrowser) {
    this.locks = browser.locks(this);
    this.loadedAt = browser.now;
  }

  pageLoadedAt = (): number => this.loadedAt;

  now = (): number => this.browser.now;
  setTimeout = (fn: () => void, ms: number): TimerHandle =>
    this.browser.schedule(this, fn, ms) as unknown as TimerHandle;
  clearTimeout = (handle: TimerHandle | undefined): void => {
    if (handle !== undefined) this.browser.cancel(handle as unknown as number);
  };
  random = (): number => 0.5;
  navigate = (url: string): void => {
    this.navigations.push(url);
  };
  reload = (): void => {
    this.reloads++;
  };
  openChannel = (name: string): ChannelLike => this.browser.openChannel(name, this);

  fetch = async (input: string, init: RequestInit): Promise<Response> => {
    const call: Call = {
      url: new URL(input, location.href).pathname + new URL(input, location.href).search,
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      at: this.now(),
    };
    this.calls.push(call);
    const signal = init.signal;
    return new Promise<Response>((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      Promise.resolve()
        .then(() => this.respond(call))
        .then(resolve, reject);
    });
  };

  /** Calls to a path (ignoring the query). */
  callsTo(path: string): Call[] {
    return this.calls.filter((c) => c.url.split('?')[0] === path);
  }
}

/** One tab in its own browser: the common case. */
export function singleTab(): FakeEnv {
  return new FakeBrowser().tab();
}
