/**
 * A controlled world for unit and component tests: a wall clock that moves
 * only when the test says so, timers on that clock, a scripted fetch that
 * records every call, navigation spies, and in-memory BroadcastChannel and
 * Web Locks shared by the tabs of one FakeBrowser.
 */
import type { ChannelLike, Environment, LocksLike, TimerHandle } from '../../src/core/environment.js';
import { ActivityTracker } from '../../src/core/activity-tracker.js';
import { SessionClient, type ClientOptions } from '../../src/core/session-client.js';
import {
  SessionEngine,
  type EngineConfig,
  type EngineHost,
  type ErrorDetail,
  type ExtendSource,
} from '../../src/core/session-engine.js';
import { TabSync } from '../../src/core/tab-sync.js';

export const START = Date.UTC(2026, 10, 23, 9, 0, 0);

export interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  at: number;
  /** The whole init the code passed to fetch (redirect, cache, credentials, signal, …). */
  init: RequestInit;
}

export type Responder = (call: Call) => Response | Promise<Response>;

/**
 * Real macrotask, to let promises settle. A MessageChannel task, not
 * setTimeout(0): nested timeouts are clamped to 4 ms, which made hour-long
 * simulations take seconds. It is not enough for response bodies: Firefox
 * runs MessageChannel tasks ahead of the tasks that read a body, so
 * `response.text()` stays pending through any number of them (measured: 50
 * and counting; one setTimeout(0) is enough). FakeBrowser therefore tracks
 * the body reads of its responses and waits for them (`quiesce`).
 */
export const settle = () =>
  new Promise<void>((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });

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
  /** Body reads of fake responses not finished yet. */
  private readonly reads = new Set<Promise<unknown>>();

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

  /** Count a body read of a fake response until it finishes (see `settle`). */
  trackRead<T>(read: Promise<T>): Promise<T> {
    this.reads.add(read);
    const done = () => this.reads.delete(read);
    read.then(done, done);
    return read;
  }

  /**
   * Let promises settle and the fake network deliver: real tasks until no
   * body read is pending (an answer applied may start the next request,
   * whose body is read in turn).
   */
  async quiesce(): Promise<void> {
    await settle();
    while (this.reads.size) {
      await Promise.allSettled([...this.reads]);
      await settle();
    }
  }

  /** Move the clock forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    await this.quiesce();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      // A frozen (or crashed) tab runs nothing: its timers wait until it is thawed.
      const next = this.timers.find((t) => !t.env.frozen);
      if (!next || next.at > end) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.now = Math.max(this.now, next.at);
      next.fn();
      await this.quiesce();
      await settle();
    }
    this.now = end;
    await this.quiesce();
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
          let released = false;
          const release = () => {
            if (released) return;
            released = true;
            owner.lockReleasers.delete(release);
            this.held.delete(name);
            owner.heldLocks.delete(name);
            const queue = this.lockQueues.get(name) ?? [];
            const waiter = queue.shift();
            waiter?.grant();
          };
          owner.lockReleasers.add(release);
          // Like the real API, the callback runs asynchronously after the grant.
          queueMicrotask(() => {
            Promise.resolve()
              .then(() => callback({ name }))
              .then(resolve, reject)
              .finally(release);
          });
        };
        if (options.signal?.aborted) return reject(new DOMException('aborted', 'AbortError'));
        if (!this.held.has(name)) return run();
        if (options.ifAvailable) {
          queueMicrotask(() => Promise.resolve(callback(null)).then(resolve, reject));
          return;
        }
        const queue = this.lockQueues.get(name) ?? [];
        this.lockQueues.set(name, queue);
        const entry = { grant: run, signal: options.signal };
        queue.push(entry);
        options.signal?.addEventListener('abort', () => {
          const i = queue.indexOf(entry);
          if (i < 0) return;
          queue.splice(i, 1);
          reject(new DOMException('aborted', 'AbortError'));
        });
      }),
  });

  /** Which tab holds the lock `name` now (undefined: nobody). */
  lockHolder(name: string, tabs: FakeEnv[]): FakeEnv | undefined {
    return tabs.find((t) => t.heldLocks.has(name));
  }

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
  /** Release functions of the locks this tab holds (the browser releases them when the tab dies). */
  readonly lockReleasers = new Set<() => void>();
  releaseLocks?: () => void = () => {
    for (const release of [...this.lockReleasers]) release();
  };
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
      init,
    };
    this.calls.push(call);
    const signal = init.signal;
    return new Promise<Response>((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      Promise.resolve()
        .then(() => this.respond(call))
        .then((response) => resolve(this.tracked(response)), reject);
    });
  };

  /** The response, with its body reads counted by the browser (see `settle`). */
  private tracked(response: Response): Response {
    for (const method of ['text', 'json', 'arrayBuffer', 'blob', 'formData'] as const) {
      const read = response[method].bind(response) as () => Promise<unknown>;
      Object.defineProperty(response, method, { configurable: true, value: () => this.browser.trackRead(read()) });
    }
    return response;
  }

  /** Calls to a path (ignoring the query). */
  callsTo(path: string): Call[] {
    return this.calls.filter((c) => c.url.split('?')[0] === path);
  }
}

/** One tab in its own browser: the common case. */
export function singleTab(): FakeEnv {
  return new FakeBrowser().tab();
}

/**
 * A session-timeout server (the fork's `status` / `keepalive` views) on the
 * fake clock, shared by every tab that uses `respond`. `touch()` is a request
 * of the app itself (counts as activity on the server, not made by the element).
 */
export class FakeServer {
  lastSeen: number;
  /** Set to end the session (sign out elsewhere, flush). */
  over = false;
  /** Absolute end (ms instant) for `expiresIn`; Infinity: none. */
  absoluteEndAt = Infinity;
  /** Every call any tab made, in order. */
  calls: Call[] = [];

  constructor(
    readonly browser: FakeBrowser,
    public idleLimit: number,
    public timeoutLimit: number,
    readonly paths = { status: '/session/status', keepalive: '/session/keepalive' },
  ) {
    this.lastSeen = browser.now;
  }

  idleTime(): number {
    return Math.floor((this.browser.now - this.lastSeen) / 1000);
  }

  touch(): void {
    if (!this.over && this.idleTime() <= this.timeoutLimit) this.lastSeen = this.browser.now;
  }

  private body(idleTime: number) {
    const s =
      idleTime > this.timeoutLimit ? 'TIMEOUT' : idleTime > this.idleLimit ? 'IDLE' : 'ACTIVE';
    const extra =
      this.absoluteEndAt === Infinity
        ? {}
        : { expiresIn: Math.max(0, Math.floor((this.absoluteEndAt - this.browser.now) / 1000)) };
    return json({ status: s, idleTime, idleLimit: this.idleLimit, timeoutLimit: this.timeoutLimit, ...extra });
  }

  respond: Responder = (call) => {
    this.calls.push(call);
    const path = call.url.split('?')[0];
    const ended = this.over || this.browser.now >= this.absoluteEndAt;
    if (path === this.paths.status) {
      return ended ? json({ status: 'EXPIRED' }) : this.body(this.idleTime());
    }
    if (path === this.paths.keepalive) {
      // The fork enforces expiry on every other request: a 302 to the login page.
      if (ended || this.idleTime() >= this.timeoutLimit) {
        this.over = true;
        return new Response(null, { status: 302, headers: { Location: '/login' } });
      }
      this.lastSeen = this.browser.now;
      return this.body(0);
    }
    return new Response('not found', { status: 404 });
  };

  count(kind: 'status' | 'keepalive'): number {
    return this.calls.filter((c) => c.url.split('?')[0] === this.paths[kind]).length;
  }
}

/** Records what the engine told its host, with the fake time of each call. */
export class HostSpy implements EngineHost {
  warns: Array<{ remaining: number; at: number }> = [];
  extends: Array<{ source: ExtendSource; at: number }> = [];
  expires: number[] = [];
  signedOut: number[] = [];
  errors: Array<ErrorDetail & { at: number }> = [];
  changes = 0;

  constructor(private readonly now: () => number) {}

  warn(remaining: number): void {
    this.warns.push({ remaining, at: this.now() });
  }
  extended(source: ExtendSource): void {
    this.extends.push({ source, at: this.now() });
  }
  expired(): void {
    this.expires.push(this.now());
  }
  signedOutElsewhere(): void {
    this.signedOut.push(this.now());
  }
  error(detail: ErrorDetail): void {
    this.errors.push({ ...detail, at: this.now() });
  }
  changed(): void {
    this.changes++;
  }
}

export interface EngineTab {
  env: FakeEnv;
  engine: SessionEngine;
  tracker: ActivityTracker;
  client: SessionClient;
  host: HostSpy;
  tabs: TabSync | null;
}

/**
 * One tab's engine, wired as the controller wires it, not started yet.
 * `channel`: a TabSync name, or null for a single tab without sync.
 */
export function engineTab(
  env: FakeEnv,
  options: { channel?: string | null; client?: Partial<ClientOptions> } = {},
): EngineTab {
  const client = new SessionClient(env.fetch, env, {
    protocol: 'session-timeout',
    statusUrl: '/session/status',
    keepaliveUrl: '/session/keepalive',
    keepaliveMethod: 'POST',
    csrfCookie: 'csrftoken',
    csrfHeader: 'X-CSRFToken',
    ...options.client,
  });
  const tracker = new ActivityTracker(env.now);
  const host = new HostSpy(env.now);
  const tabs = options.channel ? new TabSync(env, options.channel) : null;
  const engine = new SessionEngine(env, client, tracker, host, tabs);
  return { env, engine, tracker, client, host, tabs };
}

/** Engine config in seconds, as the attributes give it. */
export function engineConfig(
  idleSeconds: number,
  timeoutSeconds: number,
  over: Partial<EngineConfig> = {},
): EngineConfig {
  return {
    limits: { idle: idleSeconds * 1000, timeout: timeoutSeconds * 1000 },
    limitsGiven: true,
    hasStatus: true,
    hasKeepalive: true,
    ...over,
  };
}
