/**
 * The session state machine of SPEC §3: what the element knows, the one
 * timer that wakes it when a decision is due, and the server calls that
 * confirm a decision. No DOM rendering, no Lit: the controller wires it to
 * the element, tests drive it with a fake clock and a scripted fetch.
 *
 * Rules kept here:
 * - one set of facts is the truth; phase and deadlines are derived from
 *   them and `now` every time (a late timer, sleep or a hidden tab cannot
 *   put the element in a wrong phase, only delay the moment it notices);
 * - every change of facts cancels the timer and plans again;
 * - the status is asked only when a decision is due (warn, expire), and a
 *   silent keepalive is sent only when the server's idle clock reaches the
 *   idle limit and the person was active since;
 * - an error is never an expiry: the local deadline holds and retries back
 *   off until it.
 */
import type { Environment, TimerHandle } from './environment.js';
import {
  backoff,
  deadlines,
  remainingSeconds,
  type Deadlines,
  type Limits,
  type Phase,
  type SessionFacts,
} from './session-clock.js';
import type { ActivityTracker } from './activity-tracker.js';
import type { CallResult, Operation, SessionClient } from './session-client.js';
import type { TabMessage, TabSync } from './tab-sync.js';

export type ExtendSource = 'user' | 'activity' | 'tab' | 'server';

export interface ErrorDetail {
  operation: Operation;
  status?: number;
  message: string;
}

/** What the engine tells its host. Returning false from a `before*` callback cancels the default. */
export interface EngineHost {
  /** The warning is due. Return false to keep the built-in dialog closed. */
  warn(remaining: number): void;
  extended(source: ExtendSource): void;
  /** The session is over. The host leaves the page unless an app cancels. */
  expired(): void;
  /** Another tab signed out. */
  signedOutElsewhere(): void;
  error(detail: ErrorDetail): void;
  /** Phase, deadlines or error text changed: render again. */
  changed(): void;
}

export interface EngineConfig {
  /** Limits from the attributes, ms. */
  limits: Limits;
  /** True when the page gave the limits; false → one status request on load learns them. */
  limitsGiven: boolean;
  hasStatus: boolean;
  hasKeepalive: boolean;
}

/** Keep this many of our own keepalives to recognise them in a later status. */
const OWN_CALLS_KEPT = 8;
/** idleTime is floored to whole seconds. */
const IDLE_TIME_ROUNDING_MS = 1000;
/** Slack when matching a status answer with one of our own keepalives (SPEC §3.1: 1 s plus the round trip). */
const OWN_CALL_SLACK_MS = 1000;
/** A start this soon after the page load is part of the load. */
const PAGE_LOAD_SLACK_MS = 10_000;
/** A timer never sleeps longer than this, so a clock jump is noticed even with no event. */
const MAX_SLEEP_MS = 60 * 60 * 1000;

export class SessionEngine {
  phase: Phase = 'active';
  facts: SessionFacts;
  /** Limits the server reported; they win over the attributes. */
  serverLimits: Limits | null = null;
  /** The message of the last failed "stay signed in", shown in the dialog. */
  extendError: string | null = null;

  #config: EngineConfig | null = null;
  #timer: TimerHandle | undefined;
  #running = false;
  #abort = new AbortController();
  #pendingCheck: Promise<void> | null = null;
  #pendingKeepalive: Promise<boolean> | null = null;
  #pendingExtend: Promise<boolean> | null = null;
  /** Send instant of the newest answer applied: older answers never overwrite newer facts. */
  #appliedSentAt = -Infinity;
  /** [sent, received] of our own keepalives. */
  #ownCalls: Array<[number, number]> = [];
  /** Activity before this instant is not counted (it happened during a warning). */
  #activityFloor = -Infinity;
  #retry: { at: number; op: Operation } | null = null;
  /** Server calls failed in a row: the backoff grows with them. */
  #failures = 0;
  /** The limits are not given and no answer taught them yet: the first leader asks. */
  #needsLimits = false;
  #warnedLimitsFor = '';
  /** The decision (kind@instant) the other tabs were last polled for. */
  #polledFor = '';
  /** A follower's timer for deciding alone when the leader stays silent. */
  #fallbackTimer: TimerHandle | undefined;
  /** The leader stayed silent past its decision: this follower decides alone. */
  #actAlone = false;

  readonly #env: Environment;
  readonly #client: SessionClient;
  readonly #tracker: ActivityTracker;
  readonly #host: EngineHost;
  readonly #tabs: TabSync | null;

  constructor(
    env: Environment,
    client: SessionClient,
    tracker: ActivityTracker,
    host: EngineHost,
    tabs: TabSync | null = null,
  ) {
    this.#env = env;
    this.#client = client;
    this.#tracker = tracker;
    this.#host = host;
    this.#tabs = tabs;
    const now = env.now();
    this.facts = {
      localActivityAt: now,
      serverActivityAt: -Infinity,
      serverSeenAt: now,
      absoluteEndAt: Infinity,
    };
  }

  get limits(): Limits {
    return this.serverLimits ?? this.#config?.limits ?? { idle: 780_000, timeout: 900_000 };
  }

  get deadlines(): Deadlines {
    return deadlines(this.facts, this.limits);
  }

  /** Whole seconds until the session ends. */
  get remainingSeconds(): number {
    return this.phase === 'expired' ? 0 : remainingSeconds(this.deadlines.expireAt, this.#env.now());
  }

  /** True while this tab makes the timed server calls for the session. */
  get leads(): boolean {
    return !this.#tabs || this.#tabs.leader || this.#actAlone;
  }

  /**
   * Start (or resume after a move in the DOM). `loadedAt` is when the page
   * request reached the server: the last request the server is sure to have
   * seen, and activity of the person.
   */
  start(config: EngineConfig, loadedAt: number, firstStart: boolean): void {
    this.#config = config;
    this.#running = true;
    if (this.#abort.signal.aborted) this.#abort = new AbortController();
    if (firstStart) {
      const now = this.#env.now();
      const seen = Math.min(loadedAt, now);
      this.facts.serverSeenAt = seen;
      // Right after a page load, the load is the person's activity and the
      // server saw it: counting the start too would look like activity the
      // server missed and cost a keepalive at `idle` with nobody there. An
      // element connected long after the load (an SPA after sign-in) counts
      // its start as activity.
      this.facts.localActivityAt = now - seen <= PAGE_LOAD_SLACK_MS ? seen : now;
    }
    if (firstStart) this.#needsLimits = config.hasStatus && !config.limitsGiven;
    this.#tabs?.start(
      (message) => this.#onTabMessage(message),
      // Leadership can come later (the lock is granted asynchronously, or
      // the leader closed): the new leader asks for the limits if nobody did.
      () => this.#onLeadership(),
    );
    if (firstStart) this.#tabs?.post({ type: 'hello', facts: this.facts });
    if (this.#needsLimits && this.leads) {
      void this.check();
    } else {
      this.#evaluate(false);
    }
  }

  #onLeadership(): void {
    if (!this.#running) return;
    if (this.#needsLimits && !this.serverLimits && this.phase !== 'expired') void this.check();
    else this.#evaluate(false);
  }

  stop(): void {
    this.#running = false;
    this.#env.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#clearFallback();
    this.#abort.abort();
    this.#tabs?.stop();
  }

  /** New attribute values: plan again with them. */
  configure(config: EngineConfig): void {
    this.#config = config;
    if (this.#running) this.#evaluate(false);
  }

  /** A moment to look again: the page became visible, came back from the cache, went online. */
  wake(checkNow = false): void {
    if (!this.#running || this.phase === 'expired') return;
    if (checkNow && this.#config?.hasStatus) void this.check();
    else this.#evaluate(false);
  }

  /** `reportActivity()`: activity no DOM event shows. */
  reportActivity(): void {
    this.#tracker.report();
  }

  /** Ask the server now; resolves when the answer was applied. */
  check(): Promise<void> {
    if (!this.#config?.hasStatus || this.phase === 'expired') {
      this.#evaluate(true);
      return Promise.resolve();
    }
    if (this.#pendingCheck) return this.#pendingCheck;
    this.#absorbActivity();
    const sent = this.#env.now();
    const idleFor = (sent - this.facts.localActivityAt) / 1000;
    this.#pendingCheck = this.#client.status(idleFor, this.#abort.signal).then((result) => {
      this.#pendingCheck = null;
      if (!this.#running) return;
      this.#apply(result, 'status', sent, this.#env.now());
      this.#evaluate(true);
    });
    return this.#pendingCheck;
  }

  /**
   * "Stay signed in": keepalive now; true when the server confirmed. Two
   * calls at once share one request.
   */
  extend(source: ExtendSource = 'user'): Promise<boolean> {
    if (this.phase === 'expired') return Promise.resolve(false);
    if (this.facts.absoluteEndAt !== Infinity && this.deadlines.absolute) {
      // Nothing can move an absolute end (SPEC §4.1 expiresIn).
      return Promise.resolve(false);
    }
    if (!this.#config?.hasKeepalive) {
      // Client-only without a keepalive URL: the person's action is the extension.
      this.#markPersonActive(this.#env.now());
      this.#leaveWarning(source);
      return Promise.resolve(true);
    }
    if (this.#pendingExtend) return this.#pendingExtend;
    const sent = this.#env.now();
    this.#pendingExtend = this.#client.keepalive(0, this.#abort.signal).then((result) => {
      this.#pendingExtend = null;
      if (!this.#running) return false;
      const received = this.#env.now();
      // A failed "stay signed in" is the person's to retry (the dialog says so), not a silent loop.
      this.#apply(result, 'keepalive', sent, received, false);
      if (result.kind !== 'ok') {
        if (result.kind === 'error') {
          this.extendError = result.message;
          this.#host.changed();
        }
        return false;
      }
      this.#markPersonActive(sent);
      this.#leaveWarning(source);
      return true;
    });
    return this.#pendingExtend;
  }

  /** This tab signs out: stop, and tell the other tabs. */
  signedOut(): void {
    this.#finish();
    this.#tabs?.post({ type: 'signout' });
  }

  // ---------------------------------------------------------------------

  /** Derive the phase from the facts and now; act on what is due; plan the next wake-up. */
  #evaluate(confirmed: boolean): void {
    if (!this.#running || this.phase === 'expired') return;
    this.#env.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#absorbActivity();
    const now = this.#env.now();
    const d = this.deadlines;
    this.#reportLimits();

    if (now >= d.expireAt) return this.#decide('expire', confirmed);
    if (this.phase === 'active' && now >= d.warnAt) return this.#decide('warn', confirmed);
    if (this.#tabs && !this.#tabs.leader) {
      // No decision is due: a follower that waited on the leader, or decided
      // alone, goes back to following (else it would go on making calls of
      // its own beside the leader's).
      this.#actAlone = false;
      this.#clearFallback();
    }
    const keepaliveDue =
      this.phase === 'active' && now >= d.keepaliveAt && !!this.#config?.hasKeepalive && this.leads;
    if (this.#retry) {
      // After a failure, nothing is sent again before the backoff is over.
      if (now >= this.#retry.at) {
        const { op } = this.#retry;
        this.#retry = null;
        if (op === 'status') {
          void this.check();
          return;
        }
        if (keepaliveDue) void this.#keepaliveForActivity();
      }
    } else if (keepaliveDue) {
      void this.#keepaliveForActivity();
    }
    this.#plan();
  }

  #plan(): void {
    const now = this.#env.now();
    const d = this.deadlines;
    let at = d.expireAt;
    if (this.phase === 'active') {
      at = Math.min(at, d.warnAt);
      if (this.#config?.hasKeepalive && this.leads && !this.#pendingKeepalive && !this.#retry) {
        at = Math.min(at, d.keepaliveAt);
      }
    }
    if (this.#retry) at = Math.min(at, this.#retry.at);
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, at - now));
    this.#timer = this.#env.setTimeout(() => this.#evaluate(false), delay);
    this.#host.changed();
  }

  /**
   * A warning or expiry is due. The leader first asks the other tabs for
   * their latest activity (one short round), then the server, and acts on
   * what is still due. A follower waits for the leader's word and decides
   * alone only when the leader stays silent (frozen, crashed).
   */
  /**
   * Wait for the leader; decide alone if it stays silent (frozen, crashed).
   * The wait is jittered, and restarted whenever another tab polls (someone
   * is deciding), so several followers do not all take over at once.
   */
  #armFallback(): void {
    this.#env.clearTimeout(this.#fallbackTimer);
    const tabs = this.#tabs!;
    this.#fallbackTimer = this.#env.setTimeout(() => {
      this.#fallbackTimer = undefined;
      this.#actAlone = true;
      this.#evaluate(false);
    }, tabs.fallbackMs + tabs.fallbackJitterMs * this.#env.random());
  }

  #clearFallback(): void {
    this.#env.clearTimeout(this.#fallbackTimer);
    this.#fallbackTimer = undefined;
  }

  #decide(what: 'warn' | 'expire', confirmed: boolean): void {
    if (!confirmed) {
      const key = `${what}@${what === 'warn' ? this.deadlines.warnAt : this.deadlines.expireAt}`;
      if (this.#tabs && !this.leads) {
        // evaluate() clears the main timer on every look; the fallback has
        // its own, so news that does not settle the decision cannot lose it.
        if (this.#fallbackTimer === undefined) {
          // Our facts may be stale: the tab where the person works answers a
          // poll with its activity, which moves this deadline.
          this.#tabs.post({ type: 'poll' });
          this.#armFallback();
        }
        return;
      }
      // Alone (no other tab ever heard from), there is nobody to poll.
      if (this.#tabs?.peers && this.#polledFor !== key) {
        this.#polledFor = key;
        this.#tabs.post({ type: 'poll' });
        this.#timer = this.#env.setTimeout(() => this.#evaluate(false), this.#tabs.graceMs);
        return;
      }
      if (this.#config?.hasStatus) {
        void this.check();
        return;
      }
    }
    if (what === 'warn') this.#enterWarning(true);
    else this.#expire(true);
  }

  #enterWarning(broadcast: boolean): void {
    if (this.phase !== 'active') return;
    this.phase = 'warning';
    this.extendError = null;
    this.#activityFloor = Infinity;
    if (broadcast) this.#tabs?.post({ type: 'warn', facts: this.facts });
    this.#host.warn(this.remainingSeconds);
    this.#plan();
  }

  #leaveWarning(source: ExtendSource): void {
    const wasWarning = this.phase === 'warning';
    this.phase = 'active';
    this.extendError = null;
    this.#activityFloor = this.#env.now();
    this.#retry = null;
    if (source !== 'tab') this.#tabs?.post({ type: 'extend', facts: this.facts, source });
    if (wasWarning || source === 'user' || source === 'activity') this.#host.extended(source);
    this.#evaluate(true);
  }

  #expire(broadcast: boolean): void {
    if (this.phase === 'expired') return;
    if (broadcast) this.#tabs?.post({ type: 'expire' });
    this.#finish();
    this.#host.expired();
  }

  #finish(): void {
    this.phase = 'expired';
    this.#env.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#clearFallback();
    this.#retry = null;
    this.#abort.abort();
    this.#host.changed();
  }

  /** Take in the tracker's latest activity (not during a warning: only "stay" extends). */
  #absorbActivity(): void {
    const last = this.#tracker.last;
    if (this.phase !== 'active' || last <= this.#activityFloor) return;
    if (last > this.facts.localActivityAt) {
      this.facts.localActivityAt = last;
      this.#tabs?.post({ type: 'activity', at: last });
    }
  }

  #markPersonActive(at: number): void {
    if (at > this.facts.localActivityAt) this.facts.localActivityAt = at;
  }

  async #keepaliveForActivity(): Promise<boolean> {
    if (this.#pendingKeepalive) return this.#pendingKeepalive;
    const sent = this.#env.now();
    const idleFor = (sent - this.facts.localActivityAt) / 1000;
    this.#pendingKeepalive = this.#client.keepalive(idleFor, this.#abort.signal).then((result) => {
      this.#pendingKeepalive = null;
      if (!this.#running) return false;
      this.#apply(result, 'keepalive', sent, this.#env.now());
      if (result.kind === 'ok') {
        this.#tabs?.post({ type: 'facts', facts: this.facts, limits: this.serverLimits });
        // An answer that comes after the warning opened (a slow server) moved
        // the server's clock, not the person: only the person ends a warning.
        if (this.phase === 'active') this.#host.extended('activity');
      }
      this.#evaluate(true);
      return result.kind === 'ok';
    });
    return this.#pendingKeepalive;
  }

  /** Apply a server answer to the facts, in the order the requests were sent. */
  #apply(result: CallResult, op: Operation, sent: number, received: number, retry = true): void {
    if (result.kind === 'expired') {
      this.#expire(true);
      return;
    }
    if (op === 'keepalive') {
      // Our own request, whatever the answer: a server may count even one it
      // rejects (Django's timeout middleware runs before the CSRF check), and
      // a later status showing it is not the person's activity (SPEC §3.1).
      this.#ownCalls.push([sent, received]);
      if (this.#ownCalls.length > OWN_CALLS_KEPT) this.#ownCalls.shift();
    }
    if (result.kind === 'error') {
      this.#host.error({ operation: op, ...(result.status ? { status: result.status } : {}), message: result.message });
      if (!retry) return;
      const at = received + backoff(this.#failures++, this.#env.random(), result.retryAfter);
      // Retries stop at the deadline: the expiry decision comes first (plan()
      // wakes at the earlier of the two) and ends them.
      this.#retry = { at, op };
      return;
    }
    this.#retry = null;
    this.#failures = 0;
    this.#needsLimits = false;
    if (sent < this.#appliedSentAt) return; // a slow answer never overwrites a newer one
    this.#appliedSentAt = sent;
    if (result.idleLimit !== undefined && result.timeoutLimit !== undefined) {
      this.serverLimits = { idle: result.idleLimit * 1000, timeout: result.timeoutLimit * 1000 };
    }
    const seenAt = sent - result.idleTime * 1000;
    this.facts.serverSeenAt = seenAt;
    if (result.expiresIn !== undefined) this.facts.absoluteEndAt = sent + result.expiresIn * 1000;
    if (op === 'keepalive') {
      // django-session-security merges the idle time we reported: its answer
      // is the person's activity, never only ours. Not noteServerActivity():
      // the caller (extend(), keepaliveForActivity()) ends a warning itself,
      // with its own source.
      if (this.#client.options.protocol === 'django-session-security' && seenAt > this.facts.serverActivityAt) {
        this.facts.serverActivityAt = seenAt;
      }
    } else if (!this.#isOwn(seenAt, received - sent)) {
      this.#noteServerActivity(seenAt);
    }
    this.#tabs?.post({ type: 'facts', facts: this.facts, limits: this.serverLimits });
  }

  #noteServerActivity(at: number): void {
    // idleTime is whole seconds, rounded down: `sent − idleTime` lies up to a
    // second after the request the server really saw. Within that second of
    // what we know already it is the same activity (the page load, usually),
    // not news worth a second status call.
    if (at <= this.deadlines.personAt + IDLE_TIME_ROUNDING_MS) return;
    const before = this.deadlines.warnAt;
    this.facts.serverActivityAt = at;
    // Activity the element did not cause, seen while warning: the person (or
    // another device) is back.
    if (this.phase === 'warning' && this.deadlines.warnAt > before && this.#env.now() < this.deadlines.warnAt) {
      this.#leaveWarning('server');
    }
  }

  /** Is the server's last activity one of our own keepalives? */
  #isOwn(seenAt: number, roundTrip: number): boolean {
    return this.#ownCalls.some(
      ([sent, received]) =>
        seenAt >= sent - OWN_CALL_SLACK_MS - roundTrip && seenAt <= received + OWN_CALL_SLACK_MS,
    );
  }

  #onTabMessage(message: TabMessage): void {
    if (!this.#running || this.phase === 'expired') return;
    if (message.type !== 'activity' && message.type !== 'poll' && message.type !== 'hello') {
      // The leader spoke: no need to decide alone (evaluate() waits again if
      // a decision is still due).
      this.#actAlone = false;
      this.#clearFallback();
    }
    switch (message.type) {
      case 'activity':
        if (this.phase === 'active') this.#markPersonActive(message.at);
        break;
      case 'poll':
        // Our activity since the last look goes out with absorbActivity().
        this.#absorbActivity();
        // Someone is deciding: give it time before deciding alone.
        if (this.#fallbackTimer !== undefined) this.#armFallback();
        return;
      case 'facts':
      case 'state':
        this.#merge(message.facts);
        if (message.limits) this.serverLimits = message.limits;
        if (message.type === 'state' && message.phase === 'warning' && this.phase === 'active') {
          this.#enterWarning(false);
          return;
        }
        break;
      case 'hello':
        // A page load in another tab is the person at work, and the server saw it.
        this.#merge(message.facts);
        this.#tabs?.post({ type: 'state', facts: this.facts, limits: this.serverLimits, phase: this.phase });
        break;
      case 'warn':
        this.#merge(message.facts);
        this.#enterWarning(false);
        return;
      case 'extend':
        this.#merge(message.facts);
        if (this.phase === 'warning') this.#leaveWarning('tab');
        return;
      case 'expire':
        this.#expire(false);
        return;
      case 'signout':
        this.#finish();
        this.#host.signedOutElsewhere();
        return;
    }
    // New facts may have moved the person's deadline past now.
    if (this.phase === 'warning' && this.#env.now() < this.deadlines.warnAt) {
      this.#leaveWarning('tab');
      return;
    }
    this.#evaluate(false);
  }

  /** Facts from another tab: instants only move forward; an absolute end only comes closer. */
  #merge(f: SessionFacts): void {
    const mine = this.facts;
    mine.localActivityAt = Math.max(mine.localActivityAt, f.localActivityAt);
    mine.serverActivityAt = Math.max(mine.serverActivityAt, f.serverActivityAt);
    mine.serverSeenAt = Math.max(mine.serverSeenAt, f.serverSeenAt);
    mine.absoluteEndAt = Math.min(mine.absoluteEndAt, f.absoluteEndAt);
  }

  /** SC 2.2.1: the warning must come at least 20 s before the end. */
  #reportLimits(): void {
    const { idle, timeout } = this.limits;
    const key = `${idle}/${timeout}`;
    if (key === this.#warnedLimitsFor) return;
    this.#warnedLimitsFor = key;
    if (timeout - idle < 20_000) {
      console.warn(
        `session-timeout-dialog: the warning comes ${(timeout - idle) / 1000} s before the end; WCAG 2.2 SC 2.2.1 asks for at least 20 s.`,
      );
    }
  }
}
