/**
 * A simulated world for the property tests: one browser whose tabs run the
 * REAL engine, tab sync, client and activity tracker, on an injected
 * environment (a wall clock that moves only when told, timers that fire a
 * little late like real ones, an in-memory BroadcastChannel and Web Locks
 * shared by the tabs, a network with latency and faults), against a
 * simulated server written from the server contract alone (status never
 * counts as activity; every other request does; idleTime in whole seconds,
 * rounded down; EXPIRED / TIMEOUT when over; the keepalive answers with
 * idleTime 0 and priorIdleTime).
 *
 * The world records what the person did and what the server saw, so that
 * the checker (invariants.ts) can hold every tab to the element's promises
 * after every step. No DOM: it runs in Node (bundled by esbuild) and in a
 * browser alike.
 */
import type { ChannelLike, Environment, LocksLike, TimerHandle } from '../../src/core/environment.js';
import { ActivityTracker } from '../../src/core/activity-tracker.js';
import { SessionClient, type CallResult } from '../../src/core/session-client.js';
import { SessionEngine, type EngineHost, type ErrorDetail, type ExtendSource } from '../../src/core/session-engine.js';
import { TabSync } from '../../src/core/tab-sync.js';

export const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const CHANNEL = 'session-timeout-dialog|sim|/session/status';

/** What script of the same origin posts on the tabs' channel (see World.forge). */
export type Forgery = 'expire' | 'limits' | 'end' | 'short';

/** How the server (or the way to it) answers for a while. */
export type Mode =
  | 'normal'
  | 'slow' // answers after 1–4 s
  | 'timeout' // answers after 6 s+: the client gives up at 5 s
  | 'e500'
  | 'e503'
  | 'e403'
  | 'network' // fetch rejects
  | 'login' // 200 text/html: a login page (the session is over)
  | 'redirect' // 302 to the login page (the session is over)
  | 'e401'
  | 'e440'
  | 'noProgress' // keepalive: 200 with the idle clock untouched; status: a cached answer
  | 'absurdLimits' // limits around 1e306
  | 'absurdIdle' // an idleTime of 1e306
  | 'keepaliveRefused'; // keepalive: 403 (a CSRF check, a proxy rule); status: normal

/** Modes whose answer means "the session is over": the server ended it (signed out elsewhere, flushed). */
export const ENDING_MODES: ReadonlySet<Mode> = new Set(['login', 'redirect', 'e401', 'e440']);

const yieldTask: (fn: () => void) => void =
  typeof setImmediate === 'function'
    ? (fn) => setImmediate(fn)
    : (fn) => {
        const { port1, port2 } = new MessageChannel();
        port1.onmessage = () => {
          port1.close();
          fn();
        };
        port2.postMessage(null);
      };

// ---------------------------------------------------------------- PRNG
/** Small deterministic PRNG (mulberry32): latency, timer lateness and retry jitter come from the schedule's seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- server
export interface Call {
  id: number;
  tab: number;
  op: 'status' | 'keepalive';
  /** Made by the person ("Stay signed in"), not by the element's own timing. */
  user: boolean;
  sentAt: number;
  arrivedAt?: number;
  answeredAt?: number;
  mode: Mode;
  /** A 200 the server made normally (not a fault). */
  normal?: boolean;
  /** The answer said the session is over. */
  over?: boolean;
  /** A keepalive that the server counted. */
  counted?: boolean;
  /** Its priorIdleTime. */
  prior?: number;
  /** A cached status answer (no progress). */
  cached?: boolean;
  /** The idleTime of an answer the element takes (normal or cached status, counted keepalive). */
  said?: number;
  /** The idleTime of a keepalive answered without progress (the element may take it, or not). */
  told?: number;
  /** The answer reached the element (it had not given up on it). */
  delivered?: boolean;
  /** In flight when the laptop went to sleep: the connection is gone, the call fails. */
  lost?: boolean;
  /** The element has its answer, or gave up on it. */
  settled?: boolean;
  /** Sent while the tab held limits script had posted on the channel (shorter than the server's). */
  forgedLimits?: boolean;
}

interface FakeResponse {
  status: number;
  ok: boolean;
  type: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

function response(status: number, body: string, type = 'application/json', kind = 'basic'): FakeResponse {
  return {
    status,
    ok: status >= 200 && status < 300,
    type: kind,
    headers: { get: (name) => (name.toLowerCase() === 'content-type' ? type : null) },
    text: () => Promise.resolve(body),
  };
}

/** The server side of docs/design.md, server contract, on the world's clock. */
export class SimServer {
  alive = true;
  /** Last request the server counted (any but status), ms. */
  lastSeen: number;
  /** When the session ended on the server (timed out, ended elsewhere); Infinity while alive. */
  overAt = Infinity;
  /** The status body a cache serves during a no-progress period (a cached GET). */
  cached: string | null = null;

  constructor(
    now: number,
    readonly idleLimit: number,
    readonly timeoutLimit: number,
    private readonly random: () => number,
  ) {
    this.lastSeen = now;
  }

  idleTime(at: number): number {
    return Math.floor((at - this.lastSeen) / 1000);
  }

  /** The session ends on its own when idle reaches the timeout. */
  tick(at: number): void {
    if (this.alive && this.idleTime(at) >= this.timeoutLimit) {
      this.alive = false;
      this.overAt = this.lastSeen + this.timeoutLimit * 1000;
    }
  }

  end(at: number): void {
    this.tick(at);
    if (!this.alive) return;
    this.alive = false;
    this.overAt = at;
  }

  /** A request of the page or the app (not the element's): activity. */
  touch(at: number): boolean {
    this.tick(at);
    if (!this.alive) return false;
    this.lastSeen = at;
    return true;
  }

  body(at: number, extra: object = {}): string {
    const idleTime = this.idleTime(at);
    return JSON.stringify({
      status: idleTime >= this.idleLimit ? 'IDLE' : 'ACTIVE',
      idleTime,
      idleLimit: this.idleLimit,
      timeoutLimit: this.timeoutLimit,
      ...extra,
    });
  }

  handle(call: Call, at: number): FakeResponse | 'network' {
    this.tick(at);
    const mode = call.mode;
    if (mode !== 'noProgress') this.cached = null;
    if (ENDING_MODES.has(mode)) this.end(at);
    switch (mode) {
      case 'network':
        return 'network';
      case 'e500':
      case 'e503':
      case 'e403':
        return response(Number(mode.slice(1)), '{"error":"no"}');
      case 'login':
        return response(200, '<!doctype html><title>Sign in</title><form></form>', 'text/html');
      case 'redirect':
        return response(0, '', '', 'opaqueredirect');
      case 'e401':
      case 'e440':
        return response(Number(mode.slice(1)), '');
      case 'absurdLimits':
        return response(200, JSON.stringify({ status: 'ACTIVE', idleTime: 0, idleLimit: 1e306, timeoutLimit: 2e306 }));
      case 'absurdIdle':
        return response(200, JSON.stringify({ status: 'ACTIVE', idleTime: 1e306, idleLimit: this.idleLimit, timeoutLimit: this.timeoutLimit }));
      case 'keepaliveRefused':
        if (call.op === 'keepalive') return response(403, '{"error":"forbidden"}');
        break;
      default:
        break;
    }
    if (!this.alive) {
      call.over = true;
      // The status says so; any other request is sent to the login page.
      return call.op === 'status' ? response(200, '{"status":"EXPIRED"}') : response(0, '', '', 'opaqueredirect');
    }
    if (call.op === 'status') {
      if (mode === 'noProgress') {
        // A stale answer from a cache in front of the server: some idle
        // time below the limit, the same every time.
        const stale = Math.floor(this.random() * this.idleLimit);
        this.cached ??= JSON.stringify({ status: 'ACTIVE', idleTime: stale, idleLimit: this.idleLimit, timeoutLimit: this.timeoutLimit });
        call.cached = true;
        call.said = JSON.parse(this.cached).idleTime;
        return response(200, this.cached);
      }
      call.normal = true;
      const idleTime = this.idleTime(at);
      call.said = idleTime;
      if (idleTime >= this.timeoutLimit) call.over = true;
      return response(200, this.body(at));
    }
    if (mode === 'noProgress') {
      // Misrouted or cached: the idle clock is not restarted.
      call.told = this.idleTime(at);
      return response(200, this.body(at));
    }
    const prior = this.idleTime(at);
    this.lastSeen = at;
    call.prior = prior;
    call.counted = true;
    call.normal = true;
    call.said = 0;
    return response(200, this.body(at, { priorIdleTime: prior }));
  }
}

// ---------------------------------------------------------------- tabs
export interface HostRecord {
  warns: Array<{ at: number; remaining: number }>;
  extends: Array<{ at: number; source: ExtendSource }>;
  expiredAt: number | null;
  signedOutAt: number | null;
  errors: Array<ErrorDetail & { at: number }>;
}

export interface SimTab {
  id: number;
  env: TabEnv;
  engine: SessionEngine;
  tracker: ActivityTracker;
  client: SessionClient;
  tabs: TabSync;
  record: HostRecord;
  open: boolean;
  /** When its page request reached the server, and when the element started. */
  stampAt: number;
  startedAt: number;
  /** When the page left while it led (its decision's answer left with it). */
  leftLeadingAt?: number;
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  tab: SimTab | null;
  cancelled: boolean;
}

export class TabEnv implements Environment {
  tab!: SimTab;
  /** Every delay this tab armed a timer with (invariant 7 looks at them). */
  badDelays: number[] = [];

  constructor(
    private readonly world: World,
    private readonly loadedAt: number,
  ) {}

  now = (): number => this.world.now;
  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    if (!(ms >= 0 && ms <= 2 ** 31 - 1)) this.badDelays.push(ms);
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    return this.world.timer(delay + this.world.lateness(), fn, this.tab) as unknown as TimerHandle;
  };
  clearTimeout = (handle: TimerHandle | undefined): void => {
    if (handle !== undefined) this.world.cancel(handle as unknown as Timer);
  };
  fetch = (input: string, init: RequestInit): Promise<Response> =>
    this.world.fetch(this.tab, input, init) as unknown as Promise<Response>;
  navigate = (): void => {};
  reload = (): void => {};
  random = (): number => this.world.random();
  openChannel = (name: string): ChannelLike => this.world.channel(name, this.tab);
  get locks(): LocksLike {
    return this.world.locks(this.tab);
  }
  pageLoadedAt = (): number => this.loadedAt;
}

// ---------------------------------------------------------------- world
export interface WorldOptions {
  seed: number;
  idle: number; // s
  timeout: number; // s
  limitsGiven: boolean;
  /** Bridge until the client parses priorIdleTime itself: hand it over from the answer. */
  priorIdleTime?: boolean;
}

/** What the person did and what the server saw, for the checker. */
export interface PersonEvent {
  at: number;
  kind: 'track' | 'app' | 'load' | 'stay';
  tab: number | null;
  /** For loads: the element started (its hello went out) at this instant. */
  knownAt: number;
}

export class World {
  now = T0;
  readonly random: () => number;
  readonly server: SimServer;
  readonly tabs: SimTab[] = [];
  readonly calls: Call[] = [];
  readonly person: PersonEvent[] = [];
  /** Instants the clock jumped (sleep): timing promises are re-derived after them. */
  readonly jumps: Array<{ from: number; to: number }> = [];
  /** Messages a script of the same origin posted on the tabs' channel. */
  readonly forged: Array<{ at: number; what: Forgery }> = [];
  /** Instants a tab was shown again from the back/forward cache (it asks the status at once). */
  readonly restores: number[] = [];
  /** Instants the server mode changed (the checker skips "one check" around faults). */
  readonly modeChanges: Array<{ at: number; mode: Mode }> = [];
  mode: Mode = 'normal';
  /** Set while the person presses "Stay signed in": calls made then are the person's. */
  userCall = false;
  log: string[] = [];
  private timers: Timer[] = [];
  private seq = 0;
  private channels = new Map<string, Set<{ tab: SimTab; listeners: Set<(e: MessageEvent) => void> }>>();
  private held = new Map<string, SimTab>();
  private queues = new Map<string, Array<{ tab: SimTab; grant: () => void; signal?: AbortSignal }>>();
  private lockReleasers = new Map<SimTab, Set<() => void>>();
  /** Called after every step (timer, delivery, action) with a label. */
  onStep: (label: string) => void = () => {};

  constructor(readonly options: WorldOptions) {
    this.random = prng(options.seed);
    this.server = new SimServer(this.now, options.idle, options.timeout, this.random);
  }

  // ---- time
  lateness(): number {
    // Real timers fire a little late (0–25 ms), now and then much later (a busy main thread).
    const r = this.random();
    return r < 0.95 ? Math.floor(r * 26) : Math.floor(this.random() * 400);
  }

  timer(ms: number, fn: () => void, tab: SimTab | null): Timer {
    const t: Timer = { at: this.now + Math.max(0, ms), seq: this.seq++, fn, tab, cancelled: false };
    this.timers.push(t);
    return t;
  }

  cancel(t: Timer): void {
    t.cancelled = true;
  }

  /** Let every promise chain settle (the fake network and body reads are promise-based only). */
  async settle(): Promise<void> {
    // One macrotask: every promise chain of the fake network is microtasks only.
    await new Promise<void>((resolve) => yieldTask(resolve));
  }

  /** Move the clock to `end`, firing due timers in order, settling and checking after each. */
  async advanceTo(end: number): Promise<void> {
    await this.settle();
    for (let guard = 0; ; guard++) {
      if (guard > 20_000) throw new Error(`more than 20,000 timers fired before ${end - T0} ms: a timer loop`);
      this.timers = this.timers.filter((t) => !t.cancelled && (!t.tab || t.tab.open));
      let next: Timer | undefined;
      for (const t of this.timers) if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
      if (!next || next.at > end) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.now = Math.max(this.now, next.at);
      this.server.tick(this.now);
      next.fn();
      await this.settle();
      this.onStep('timer');
    }
    this.now = Math.max(this.now, end);
    this.server.tick(this.now);
    this.onStep('advance');
  }

  /**
   * The laptop sleeps: the wall clock jumps, timers fire late, afterwards.
   * Calls in flight are lost with their connections (they fail on waking),
   * whether or not they had reached the server.
   */
  jump(ms: number): void {
    for (const c of this.calls) if (!c.settled) c.lost = true;
    this.jumps.push({ from: this.now, to: this.now + ms });
    this.now += ms;
    this.server.tick(this.now);
  }

  setMode(mode: Mode): void {
    this.mode = mode;
    this.modeChanges.push({ at: this.now, mode });
  }

  // ---- network
  fetch(tab: SimTab, input: string, init: RequestInit): Promise<FakeResponse> {
    const op = input.startsWith('/session/status') ? 'status' : 'keepalive';
    const call: Call = { id: this.calls.length, tab: tab.id, op, user: this.userCall, sentAt: this.now, mode: this.mode };
    if (tab.engine.limits.timeout < this.options.timeout * 1000) call.forgedLimits = true;
    this.calls.push(call);
    const mode = call.mode;
    const slow = mode === 'slow' ? 1000 + this.random() * 3000 : mode === 'timeout' ? 6000 + this.random() * 4000 : 0;
    const up = 5 + this.random() * 150 + slow / 2;
    const down = 5 + this.random() * 150 + slow / 2;
    return new Promise<FakeResponse>((resolve, reject) => {
      const signal = init.signal;
      let done = false;
      signal?.addEventListener('abort', () => {
        if (done) return;
        done = true;
        call.settled = true;
        reject(new DOMException('aborted', 'AbortError'));
      });
      this.timer(up, () => {
        if (!call.lost) call.arrivedAt = this.now;
        const answer = call.lost ? 'network' : this.server.handle(call, this.now);
        this.timer(down, () => {
          if (done) return;
          done = true;
          call.settled = true;
          call.answeredAt = this.now;
          call.delivered = answer !== 'network' && !call.lost;
          if (call.prior !== undefined) lastPrior.set(tab.client, call.prior);
          else lastPrior.delete(tab.client);
          if (answer === 'network' || !call.delivered) reject(new TypeError('Failed to fetch'));
          else resolve(answer);
        }, null);
      }, null);
    });
  }

  /**
   * Script of the same origin (not a tab of the session) posts on the
   * channel: an expire; facts that say nothing new with limits of a year;
   * an absolute end long past; or limits of 1 and 2 s.
   */
  forge(what: Forgery): void {
    this.forged.push({ at: this.now, what });
    const year = 365 * 24 * 3600 * 1000;
    const facts = { localActivityAt: T0, serverActivityAt: T0, serverSeenAt: T0, absoluteEndAt: Infinity };
    const message =
      what === 'expire'
        ? { type: 'expire' }
        : what === 'limits'
          ? { type: 'facts', facts, limits: { idle: year - 60_000, timeout: year } }
          : what === 'end'
            ? { type: 'facts', facts: { ...facts, absoluteEndAt: 1 }, limits: null }
            : { type: 'facts', facts, limits: { idle: 1000, timeout: 2000 } };
    for (const other of this.channels.get(CHANNEL) ?? []) {
      queueMicrotask(() => {
        if (other.tab.open) for (const l of other.listeners) l({ data: structuredClone(message) } as MessageEvent);
      });
    }
  }

  // ---- channels and locks
  channel(name: string, tab: SimTab): ChannelLike {
    const set = this.channels.get(name) ?? new Set();
    this.channels.set(name, set);
    const me = { tab, listeners: new Set<(e: MessageEvent) => void>() };
    set.add(me);
    return {
      postMessage: (message: unknown) => {
        const data = structuredClone(message);
        for (const other of set) {
          if (other === me) continue;
          queueMicrotask(() => {
            if (!other.tab.open || !set.has(other)) return;
            for (const l of other.listeners) l({ data } as MessageEvent);
          });
        }
      },
      addEventListener: (_type, listener) => me.listeners.add(listener),
      removeEventListener: (_type, listener) => me.listeners.delete(listener),
      close: () => set.delete(me),
    };
  }

  locks(tab: SimTab): LocksLike {
    return {
      request: (name, options, callback) =>
        new Promise((resolve, reject) => {
          const run = () => {
            this.held.set(name, tab);
            let released = false;
            const release = () => {
              if (released) return;
              released = true;
              this.lockReleasers.get(tab)?.delete(release);
              this.held.delete(name);
              const queue = this.queues.get(name) ?? [];
              queue.shift()?.grant();
            };
            const set = this.lockReleasers.get(tab) ?? new Set();
            this.lockReleasers.set(tab, set);
            set.add(release);
            queueMicrotask(() => {
              Promise.resolve()
                .then(() => callback({ name }))
                .then(resolve, reject)
                .finally(release);
            });
          };
          if (options.signal?.aborted) return reject(new DOMException('aborted', 'AbortError'));
          if (!this.held.has(name)) return run();
          const queue = this.queues.get(name) ?? [];
          this.queues.set(name, queue);
          const entry = { tab, grant: run, signal: options.signal };
          queue.push(entry);
          options.signal?.addEventListener('abort', () => {
            const i = queue.indexOf(entry);
            if (i < 0) return;
            queue.splice(i, 1);
            reject(new DOMException('aborted', 'AbortError'));
          });
        }),
    };
  }

  // ---- tabs
  /**
   * A page load: the request reaches the server after `up` ms (activity
   * there), its answer's first byte comes back after `down` ms more, and the
   * element starts after `parse` ms more. Nothing happens if the session is over
   * (the page would be the login page).
   */
  openTab(): void {
    const up = 5 + this.random() * 300;
    const down = 5 + this.random() * 300;
    const parse = this.random() * 800;
    this.timer(up, () => {
      const stampAt = this.now;
      if (!this.server.touch(stampAt)) return;
      this.timer(down + parse, () => {
        if (!this.server.alive && this.server.overAt <= stampAt) return;
        // The first byte leaves the server after it stamped the request: a
        // sleep on the way there (the clock jumped before `up` fired) delays
        // it too. A browser measures responseStart when the byte arrived.
        this.startTab(stampAt, stampAt + down);
      }, null);
    }, null);
  }

  private startTab(stampAt: number, responseStart: number): void {
    const id = this.tabs.length;
    const env = new TabEnv(this, responseStart);
    const client = new SessionClient(env.fetch, env, {
      protocol: 'session-timeout',
      statusUrl: '/session/status',
      keepaliveUrl: '/session/keepalive',
      keepaliveMethod: 'POST',
      csrfCookie: 'csrftoken',
      csrfHeader: 'X-CSRFToken',
    }, null);
    if (this.options.priorIdleTime) bridgePriorIdleTime(client);
    const tracker = new ActivityTracker(env.now);
    const record: HostRecord = { warns: [], extends: [], expiredAt: null, signedOutAt: null, errors: [] };
    const host: EngineHost = {
      warn: (remaining) => record.warns.push({ at: this.now, remaining }),
      extended: (source) => record.extends.push({ at: this.now, source }),
      // The page leaves: for timeout-url, a URL that ends the session (as
      // the README asks); after a sign-out elsewhere, the session is over.
      expired: () => {
        record.expiredAt = this.now;
        this.leave(tab, true);
      },
      signedOutElsewhere: () => {
        record.signedOutAt = this.now;
        this.leave(tab, false);
      },
      error: (detail) => record.errors.push({ ...detail, at: this.now }),
      changed: () => {},
    };
    const sync = new TabSync(env, CHANNEL);
    const engine = new SessionEngine(env, client, tracker, host, sync);
    const tab: SimTab = { id, env, engine, tracker, client, tabs: sync, record, open: true, stampAt, startedAt: this.now };
    env.tab = tab;
    this.tabs.push(tab);
    this.person.push({ at: stampAt, kind: 'load', tab: id, knownAt: this.now });
    const { idle, timeout, limitsGiven } = this.options;
    engine.start(
      {
        limits: limitsGiven ? { idle: idle * 1000, timeout: timeout * 1000 } : { idle: 780_000, timeout: 900_000 },
        limitsGiven,
        hasStatus: true,
        hasKeepalive: true,
      },
      env.pageLoadedAt(),
      true,
    );
  }

  /** The page navigates away (after the engine's own call stack). */
  private leave(tab: SimTab, endSession: boolean): void {
    const at = this.now;
    queueMicrotask(() => this.closeTab(tab));
    if (endSession) this.timer(5 + this.random() * 150, () => this.server.end(Math.max(at, this.now)), null);
  }

  openTabs(): SimTab[] {
    return this.tabs.filter((t) => t.open);
  }

  /** The page leaves (closed, navigated away): the element disconnects; the browser releases its lock. */
  closeTab(tab: SimTab): void {
    if (!tab.open) return;
    if (tab.tabs.leader) tab.leftLeadingAt = this.now;
    tab.engine.stop();
    tab.open = false;
    for (const release of [...(this.lockReleasers.get(tab) ?? [])]) release();
  }

  /** The person does something in `tab` (a key, the pointer). */
  activity(tab: SimTab): void {
    if (!tab.open) return;
    tab.tracker.report();
    if (tab.engine.phase === 'active') this.person.push({ at: this.now, kind: 'track', tab: tab.id, knownAt: this.now });
  }

  /** The app's own request, or the same person on another device: the server sees activity. */
  app(): void {
    const at = this.now;
    if (this.server.touch(at)) this.person.push({ at, kind: 'app', tab: null, knownAt: at });
  }

  /** "Stay signed in" in `tab` while it warns. */
  async stay(tab: SimTab): Promise<void> {
    if (!tab.open || tab.engine.phase !== 'warning') return;
    const at = this.now;
    this.userCall = true;
    const done = tab.engine.extend('user');
    this.userCall = false;
    void done.then((ok) => {
      if (ok) this.person.push({ at, kind: 'stay', tab: tab.id, knownAt: at });
    });
  }

  /** "Sign out" in `tab`: the element tells the other tabs; the sign-out request ends the session. */
  signOut(tab: SimTab): void {
    if (!tab.open || tab.engine.phase === 'expired') return;
    tab.engine.signedOut();
    tab.record.signedOutAt = this.now;
    this.closeTab(tab);
    this.server.end(this.now);
  }
}

/**
 * Until the client reads `priorIdleTime` from keepalive answers (its own
 * change), the property world hands it over from the answer body; once the
 * client does, this adds nothing.
 */
function bridgePriorIdleTime(client: SessionClient): void {
  const keepalive = client.keepalive.bind(client);
  client.keepalive = async (idleFor, signal) => {
    const result: CallResult = await keepalive(idleFor, signal);
    if (result.kind !== 'ok' || result.priorIdleTime !== undefined) return result;
    const prior = lastPrior.get(client);
    return prior === undefined ? result : { ...result, priorIdleTime: prior };
  };
}
const lastPrior = new WeakMap<SessionClient, number>();
