/**
 * The session state machine (docs/design.md, timing model): what the element knows, the one
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
  saneLimits,
  type Deadlines,
  type Limits,
  type Phase,
  type SessionFacts,
} from './session-clock.js';
import type { ActivityTracker } from './activity-tracker.js';
import { DEFAULT_IDLE_SECONDS, DEFAULT_TIMEOUT_SECONDS } from './config.js';
import { CALL_TIMEOUT_MS, type CallResult, type Operation, type SessionClient } from './session-client.js';
import type { TabMessage, TabSync } from './tab-sync.js';

export type ExtendSource = 'user' | 'activity' | 'tab' | 'server';

export interface ErrorDetail {
  operation: Operation;
  status?: number;
  message: string;
}

/** What the engine tells its host (the element): each phase change, errors, and when to render. */
export interface EngineHost {
  /** The warning is due, with whole seconds left. The host decides whether its dialog opens. */
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
/** A start this soon after the page load is part of the load. */
const PAGE_LOAD_SLACK_MS = 10_000;
/** A timer never sleeps longer than this, so a clock jump is noticed even with no event. */
const MAX_SLEEP_MS = 60 * 60 * 1000;

export class SessionEngine {
  phase: Phase = 'active';
  facts: SessionFacts;
  /** Limits the server reported (to this tab, or to another that passed them on); they win over the attributes. */
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
  /**
   * Failed calls since the last success of each kind: the backoff grows with
   * them. A failure counts for both kinds (the network is down for both),
   * a success only for its own: a status that gets through says nothing of
   * a keepalive endpoint that refuses every call, whose retries must still
   * thin out.
   */
  #failures: Record<Operation, number> = { status: 0, keepalive: 0 };
  /** The limits are not given and no answer taught them yet: the first leader asks. */
  #needsLimits = false;
  #warnedLimitsFor = '';
  /** No decision's status is asked before this instant (backoff after answers that made no progress). */
  #checkNotBefore = -Infinity;
  /**
   * The idleTime of the last status answer that put a due decision off (−1:
   * none since the last phase change). The same one again: the next check backs off.
   */
  #deferredIdle = -1;
  #lastDeferralAt = -Infinity;
  /**
   * What other tabs say that would bring a decision forward (an expiry,
   * shorter limits, an absolute end) and the server then denied: until this
   * instant such news is not taken, and an expiry heard meanwhile waits for
   * it (`#heardExpireAt`, when it was heard; any answer of a live session
   * to a call sent after it denies it). The wait doubles each time within
   * two minutes.
   */
  #distrustUntil = -Infinity;
  #distrustGap = 0;
  #heardExpireAt: number | null = null;
  /** The server told this tab its limits itself: no other tab's word changes them. */
  #toldLimits = false;
  /** The absolute end as the server told this tab (Infinity: none, or not told); null until it did. */
  #toldEndAt: number | null = null;
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
    return this.serverLimits ?? this.#config?.limits ?? { idle: DEFAULT_IDLE_SECONDS * 1000, timeout: DEFAULT_TIMEOUT_SECONDS * 1000 };
  }

  get deadlines(): Deadlines {
    // Without a keepalive URL nothing confirms activity: the server's end is not ours to track.
    return deadlines(this.facts, this.limits, this.#config?.hasKeepalive ? this.#env.now() : undefined);
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
    // A wait heard as a follower is not the new leader's own (see #onTabMessage).
    this.#checkNotBefore = -Infinity;
    if (this.#needsLimits && !this.serverLimits && this.phase !== 'expired') void this.check();
    else this.#evaluate(false);
  }

  stop(): void {
    // The page is leaving (or the element moves): the person's last activity
    // here must not leave with it.
    this.shareActivity();
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

  /**
   * Tell the other tabs of activity here they have not heard of yet: when
   * the page is hidden or leaves, the next look may never come.
   */
  shareActivity(): void {
    if (this.#running && this.phase !== 'expired') this.#absorbActivity();
  }

  /** `reportActivity()`: activity no DOM event shows. */
  reportActivity(): void {
    this.#tracker.report();
  }

  /** Ask the server now; resolves when the answer was applied. */
  check(): Promise<void> {
    return this.#ask(false);
  }

  /** `confirming`: the status confirms an expiry heard from another tab, a decision due like one of our own. */
  #ask(confirming: boolean): Promise<void> {
    if (!this.#config?.hasStatus || this.phase === 'expired') {
      this.#evaluate(true);
      return Promise.resolve();
    }
    if (this.#pendingCheck) return this.#pendingCheck;
    this.#absorbActivity();
    const sent = this.#env.now();
    const idleFor = (sent - this.facts.localActivityAt) / 1000;
    const before = this.deadlines;
    const phase = this.phase;
    const due = confirming || sent >= before.expireAt || (phase === 'active' && sent >= before.warnAt);
    this.#pendingCheck = this.#client.status(idleFor, this.#abort.signal).then((result) => {
      this.#pendingCheck = null;
      if (!this.#running) return;
      const received = this.#env.now();
      this.#apply(result, 'status', sent, received);
      if (due && result.kind === 'ok' && this.phase === phase) {
        if (confirming) {
          // The server denied an expiry heard from another tab (see #distrust).
          this.#distrust(received);
        } else if (result.idleTime === this.#deferredIdle) {
          // The answer put a due decision off (activity the server saw). Once
          // is normal; again and again within moments is a cached or confused
          // server, which must not turn lazy checks into a poll: back off.
          // Each time again, the wait at least doubles (capped at a minute).
          // Only the same idleTime again is that server (its last sight moves
          // with our clock); another one is news (an app request): no wait, so
          // real activity never delays a decision.
          const gap = Math.max(500, received - this.#lastDeferralAt);
          this.#checkNotBefore = received + Math.min(60_000, gap * (2 + this.#env.random()));
          // The other tabs wait as long: a follower that took the silence
          // for a frozen leader would ask again on its own.
          this.#share();
        }
        this.#deferredIdle = result.idleTime;
        this.#lastDeferralAt = received;
      }
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
    if (this.deadlines.absolute) {
      // Nothing can move an absolute end (`expiresIn`, docs/design.md, server contract).
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
      const applied = this.#apply(result, 'keepalive', sent, received, false);
      if (applied.kind !== 'ok') {
        if (applied.kind === 'error') {
          this.extendError = applied.message;
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
    // (A status already out answers a call sent before the expiry was heard:
    // its answer comes first, then this look again.)
    if (this.#heardExpireAt !== null && now >= this.#distrustUntil && !this.#pendingCheck) {
      this.#heardExpireAt = null;
      return this.#confirmExpire();
    }
    // A warning the server's end brought forward closes once an answer
    // confirms the person's activity (the deadline moved past now again).
    if (this.phase === 'warning' && now < d.warnAt) return this.#leaveWarning('activity');

    const keepaliveDue = now >= d.keepaliveAt && this.#keepsAlive();
    const due =
      now >= (confirmed ? d.expireAt : this.#expireCheckAt(d))
        ? 'expire'
        : this.phase === 'active' && now >= (confirmed ? d.warnAt : this.#warnCheckAt(d))
          ? 'warn'
          : null;
    if (due) {
      // A keepalive whose call took far longer than its abort spanned a sleep
      // and was lost with its connection: it was not really sent for this
      // deadline, and goes again at once.
      const last = this.#ownCalls.at(-1);
      const lostToSleep = !!last && last[1] - last[0] > CALL_TIMEOUT_MS + 1000;
      // A deadline the server's end brought forward (the person's own comes
      // later) waits until a keepalive sent for it failed: only a keepalive
      // confirms the activity (none went out after a sleep, or from a frozen
      // leader), and none waits out a backoff. Not to leave right after a
      // call failed: that would add a second wait for an answer to the deadline.
      if (
        keepaliveDue &&
        (lostToSleep || !(last?.[0]! >= d.keepaliveAt)) &&
        (lostToSleep || !(this.#retry?.op === 'keepalive' && now < this.#retry.at)) &&
        // One in flight is not waited for past the person's own warning
        // point; one that never went out (asleep) is sent whatever it.
        (!this.#pendingKeepalive || now < d.personAt + this.limits.idle) &&
        (due === 'warn' || !confirmed)
      ) {
        void this.#keepaliveForActivity();
        return;
      }
      return this.#decide(due, confirmed);
    }
    if (this.#tabs && !this.#tabs.leader) {
      // No decision is due: a follower that waited on the leader, or decided
      // alone, goes back to following (else it would go on making calls of
      // its own beside the leader's).
      this.#actAlone = false;
      this.#clearFallback();
    }
    if (this.#retry) {
      // After a failure, nothing is sent again before the backoff is over.
      if (now >= this.#retry.at) {
        const { op } = this.#retry;
        this.#retry = null;
        // Only the leader makes the timed calls: a follower whose own status
        // failed (shown again from the cache, say) leaves the next one to it.
        if (op === 'status' && this.leads) {
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
    let at = this.#expireCheckAt(d);
    if (this.phase === 'active') at = Math.min(at, this.#warnCheckAt(d));
    if (this.#keepsAlive() && !this.#pendingKeepalive) at = Math.min(at, this.#retry ? Infinity : d.keepaliveAt);
    if (this.#retry) at = Math.min(at, this.#retry.at);
    if (this.#heardExpireAt !== null) at = Math.min(at, this.#distrustUntil);
    // Whatever numbers came in, no timer is armed with NaN, Infinity or a
    // negative delay (setTimeout would run it at once, again and again).
    const wait = at - now;
    const delay = Number.isNaN(wait) ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(0, wait));
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

  /**
   * This tab sends the silent keepalives when one is due: it leads. Also
   * during a warning: one is due then only while the server's end comes
   * before the person's (a keepalive failed, or a sleep took it), and one
   * that gets through gives the person their own time back (the warning
   * closes if their warning point is still ahead): a network hiccup never
   * signs anyone out early. Not while a status is out: its answer may settle
   * everything (an expire heard from another tab, being confirmed).
   */
  #keepsAlive(): boolean {
    return !!this.#config?.hasKeepalive && this.leads && !this.#pendingCheck;
  }

  /** When the warn decision is taken: at warnAt, unless status answers without progress asked to back off. */
  #warnCheckAt(d: Deadlines): number {
    // (Without a status URL nothing ever backs off: checkNotBefore stays −Infinity.)
    return Math.max(d.warnAt, Math.min(this.#checkNotBefore, d.expireAt));
  }

  #expireCheckAt(d: Deadlines): number {
    return Math.max(d.expireAt, this.#checkNotBefore);
  }

  #resetDeferrals(): void {
    this.#deferredIdle = -1;
    this.#checkNotBefore = -Infinity;
  }

  #clearFallback(): void {
    this.#env.clearTimeout(this.#fallbackTimer);
    this.#fallbackTimer = undefined;
  }

  #decide(what: 'warn' | 'expire', confirmed: boolean): void {
    // Due only by limits or an end another tab passed on (script on the
    // channel may have posted them): the leader, whom the server told better,
    // will not decide it, so this tab asks the server now; and when the
    // server could not be asked (or the answer did not confirm them), they
    // are dropped: an error is never an expiry, least of all of a deadline
    // nobody but another tab stated.
    const told = this.#toldDeadlines();
    const heardOnly = this.#env.now() < (what === 'warn' ? told.warnAt : told.expireAt);
    if (heardOnly && confirmed) {
      if (!this.#toldLimits && this.#config!.limitsGiven) this.serverLimits = null;
      this.facts.absoluteEndAt = this.#toldEndAt ?? Infinity;
      this.#distrust(this.#env.now());
      return this.#evaluate(false);
    }
    if (!confirmed) {
      const key = `${what}@${what === 'warn' ? this.deadlines.warnAt : this.deadlines.expireAt}`;
      if (this.#tabs && !this.leads && !heardOnly) {
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
    this.#resetDeferrals();
    this.extendError = null;
    this.#activityFloor = Infinity;
    if (broadcast) this.#tabs?.post({ type: 'warn', facts: this.facts });
    this.#host.warn(this.remainingSeconds);
    this.#plan();
  }

  #leaveWarning(source: ExtendSource): void {
    const wasWarning = this.phase === 'warning';
    this.phase = 'active';
    this.#resetDeferrals();
    this.extendError = null;
    this.#activityFloor = this.#env.now();
    // A keepalive's backoff outlives a warning the server's answer closed:
    // only the person's own "stay" (a keepalive that got through) starts over.
    if (source === 'user' || this.#retry?.op !== 'keepalive') this.#retry = null;
    if (source !== 'tab') this.#tabs?.post({ type: 'extend', facts: this.facts, source });
    if (wasWarning || source === 'user' || source === 'activity') this.#host.extended(source);
    // Another tab's word is not the server's: what it passed on (an absolute
    // end, say) is asked about before anything is decided on it.
    this.#evaluate(source !== 'tab');
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
      // Only django-session-security's ping tells the server our idle time.
      const reported = this.#client.options.protocol === 'django-session-security' ? idleFor : 0;
      const applied = this.#apply(result, 'keepalive', sent, this.#env.now(), true, reported);
      // An answer that comes after the warning opened (a slow server) moved
      // the server's clock, not the person: only the person ends a warning
      // (unless it was the server's end that brought it forward: evaluate()).
      if (applied.kind === 'ok' && this.phase === 'active') this.#host.extended('activity');
      this.#evaluate(true);
      return applied.kind === 'ok';
    });
    return this.#pendingKeepalive;
  }

  /**
   * Apply a server answer to the facts, in the order the requests were sent.
   * Returns the answer as taken: an answer that makes no sense or no
   * progress is taken as an error (and backs off like one).
   * `reportedIdle`: the idle seconds a keepalive told the server (the
   * django-session-security ping), 0 otherwise.
   */
  #apply(result: CallResult, op: Operation, sent: number, received: number, retry = true, reportedIdle = 0): CallResult {
    // The client held every number to the attributes' rules (whole seconds
    // up to a year, idle before timeout): anything else came as an error.
    // The server read its clock when the request arrived, between our sending
    // and the answer, and floors idleTime: its last sight lies in (sent −
    // idleTime − 1 s, received − idleTime]. The later bound, and only ever
    // forward (the server's clock does not go back; a status that reached it
    // slowly reads an older sight): keepalives then come at most once per
    // idle period, and the server's end is never placed before its time. A
    // keepalive that made no progress still tells the server's clock.
    const seenAt = result.kind === 'ok' ? received - result.idleTime * 1000 : -Infinity;
    const seenMoved = seenAt > this.facts.serverSeenAt;
    if (seenMoved) this.facts.serverSeenAt = seenAt;
    if (result.kind === 'ok' && op === 'keepalive' && result.idleTime * 1000 > (reportedIdle + 1) * 1000 + received - sent) {
      // A 200 that did not restart the server's idle clock (a cached answer,
      // a misrouted keepalive): sending it again soon would do no better. The
      // server is up and answering, only not doing its job: one more try per
      // idle period at most, as for a keepalive that works.
      result = {
        kind: 'error',
        message: `the keepalive did not reset the server's idle time (${result.idleTime} s)`,
        retryAfter: this.limits.idle,
      };
    }
    if (result.kind === 'expired') {
      this.#expire(true);
      return result;
    }
    let priorActivity = -Infinity;
    if (result.kind === 'ok' && op === 'keepalive' && result.priorIdleTime !== undefined) {
      // Activity the server saw just before this keepalive (an app request)
      // is the person's, unless it was one of our own earlier calls. Judged
      // before this call joins the list of our own.
      // Counted from the answer's arrival, not from the send: the server
      // counted from when the request reached it, somewhere in between, and
      // the person's activity must never be placed too early.
      if (!this.#isOwn(sent, received, result.priorIdleTime)) {
        priorActivity = received - result.priorIdleTime * 1000;
      }
    }
    if (op === 'keepalive') {
      // Our own request, whatever the answer: a server may count even one it
      // rejects (Django's timeout middleware runs before the CSRF check), and
      // a later status showing it is not the person's activity (docs/design.md, timing model).
      this.#ownCalls.push([sent, received]);
      if (this.#ownCalls.length > OWN_CALLS_KEPT) this.#ownCalls.shift();
    }
    if (result.kind === 'error') {
      this.#host.error({ operation: op, ...(result.status ? { status: result.status } : {}), message: result.message });
      // (An answer without progress still told the server's clock: the other tabs need it too.)
      if (seenMoved) this.#share();
      if (!retry) return result;
      const at = received + backoff(this.#failures[op], this.#env.random(), result.retryAfter);
      this.#failures.status++;
      this.#failures.keepalive++;
      // Retries stop at the deadline: the expiry decision comes first (plan()
      // wakes at the earlier of the two) and ends them.
      this.#retry = { at, op };
      return result;
    }
    // The session lives: an expiry heard before this call was sent is denied.
    if (this.#heardExpireAt !== null && sent >= this.#heardExpireAt) this.#heardExpireAt = null;
    // A keepalive's backoff outlives a good status (an answer without
    // progress waits an idle period, whatever the status says).
    if (this.#retry?.op === op) this.#retry = null;
    this.#failures[op] = 0;
    this.#needsLimits = false;
    // A slow answer never overwrites a newer one.
    if (sent >= this.#appliedSentAt) {
      this.#appliedSentAt = sent;
      const whole = result.idleLimit !== undefined && result.timeoutLimit !== undefined;
      if (whole) {
        const told = { idle: result.idleLimit! * 1000, timeout: result.timeoutLimit! * 1000 };
        // Limits another tab passed on, which the server's word lengthens.
        if (!this.#toldLimits && this.serverLimits && (told.idle > this.serverLimits.idle || told.timeout > this.serverLimits.timeout)) {
          this.#distrust(received);
        }
        this.serverLimits = told;
        this.#toldLimits = true;
      }
      // A whole answer states the absolute end, or that there is none: an
      // end heard from another tab (or from script on the channel) does not
      // outlive the server's word. (The server floors expiresIn: a second
      // later is the same end.)
      if (whole || result.expiresIn !== undefined) {
        const end = sent + (result.expiresIn ?? Infinity) * 1000;
        if (end > this.facts.absoluteEndAt + 1000) this.#distrust(received);
        this.facts.absoluteEndAt = end;
        this.#toldEndAt = end;
      }
      if (priorActivity > this.facts.serverActivityAt) this.#noteServerActivity(priorActivity);
      if (op === 'keepalive') {
        // django-session-security merges the idle time we reported: its answer
        // is the person's activity, never only ours. Not noteServerActivity():
        // the caller (extend(), keepaliveForActivity()) ends a warning itself,
        // with its own source.
        if (this.#client.options.protocol === 'django-session-security' && seenAt > this.facts.serverActivityAt) {
          this.facts.serverActivityAt = seenAt;
        }
      } else if (!this.#isOwn(sent, received, result.idleTime)) {
        // The same later bound: the person's activity is never placed early.
        this.#noteServerActivity(seenAt);
      }
    }
    this.#share();
    return result;
  }

  /**
   * `at` is the latest instant the server's last sight can be (idleTime is
   * floored, and read when the request arrived). Anything after what we know
   * counts, even by a fraction of a second: treating "within a second" as the
   * same activity placed an app request up to a second too early. The page
   * load no longer needs that allowance: the person's clock starts at the
   * first byte of its answer, after the server stamped it, so a status at
   * warnAt confirms at once (the new instant plus idle is already past).
   */
  #noteServerActivity(at: number): void {
    if (at <= this.deadlines.personAt) return;
    const before = this.deadlines.warnAt;
    this.facts.serverActivityAt = at;
    // Activity the element did not cause, seen while warning: the person (or
    // another device) is back.
    if (this.phase === 'warning' && this.deadlines.warnAt > before && this.#env.now() < this.deadlines.warnAt) {
      this.#leaveWarning('server');
    }
  }

  /**
   * Can the server's last activity, read as `idleTime` by a call sent at
   * `sent` and answered at `received`, be one of our own keepalives? The
   * server read its clock when the call arrived, and floors to whole
   * seconds: its last sight lies in (sent − idleTime − 1 s, received −
   * idleTime]. Ours is one of our keepalives when that span meets the span
   * in which one of them reached it (sent … received): never more widely,
   * or an app request soon after a keepalive would be lost and the warning
   * would come early.
   */
  #isOwn(sent: number, received: number, idleTime: number): boolean {
    const earliest = sent - (idleTime + 1) * 1000;
    const latest = received - idleTime * 1000;
    return this.#ownCalls.some(([ownSent, ownReceived]) => earliest < ownReceived && latest >= ownSent);
  }

  #onTabMessage(message: TabMessage): void {
    let l: Limits | null;
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
        if (message.type === 'state') this.#absorbActivity();
        // Limits from another tab (the leader learnt them from the server)
        // are taken only by a tab that has none from the server (its own
        // answer, or the first word of another tab: the leader's, when the
        // tab joins), and never longer than the attributes': a script on the
        // channel can neither silence us for a year nor hurry a tab that
        // knows the limits already.
        l = message.limits;
        const own = this.#config!.limits;
        if (saneLimits(l) && l.idle <= own.idle && l.timeout <= own.timeout && !this.serverLimits && !this.#distrusts()) {
          this.serverLimits = l;
        }
        // The leader backs off from a cached or confused server: so do we (a
        // minute at most). Only a follower: the tab that decides takes no
        // wait from the channel (script posting one every second would hold
        // off its warning to the end).
        if (message.type === 'facts' && message.notBefore! > this.#checkNotBefore && this.#config?.hasStatus && !this.leads) {
          this.#checkNotBefore = Math.min(message.notBefore!, this.#env.now() + 60_000);
        }
        // A tab that warned before it heard of newer activity (our page
        // load) closes its warning when it hears it; we do not join it.
        if (message.type === 'state' && message.phase === 'warning' && this.#env.now() >= this.deadlines.warnAt) {
          this.#joinWarning();
          return;
        }
        break;
      case 'hello':
        // A page load in another tab is the person at work, and the server
        // saw it: a warning open here closes before the new tab hears our
        // state, so the new tab opens active and all tabs agree.
        this.#merge(message.facts);
        if (this.phase === 'warning' && this.#env.now() < this.deadlines.warnAt) this.#leaveWarning('tab');
        this.#tabs?.post({ type: 'state', facts: this.facts, limits: this.serverLimits, phase: this.phase });
        break;
      case 'warn':
        this.#merge(message.facts);
        // The person may have acted here since the leader's poll: that counts first.
        this.#absorbActivity();
        if (this.phase === 'active' && this.#env.now() < this.deadlines.warnAt) {
          // We know of newer activity than the tab that warned (a page load
          // it had not heard of yet): tell it, so its warning closes.
          this.#share();
          break;
        }
        this.#joinWarning();
        return;
      case 'extend':
        this.#merge(message.facts);
        // Closed only when its facts show the person back (a posted extend
        // without them would close the dialog, and its status reopen it).
        if (this.phase === 'warning' && this.#env.now() < this.deadlines.warnAt) this.#leaveWarning('tab');
        return;
      case 'expire':
        // Unless this tab's own deadline says so too (without an absolute end
        // another tab passed on), one status call confirms: script of the
        // same origin on the channel must not end the session. The tab leaves
        // if the server does not deny it within half a second (all tabs leave
        // together), or cannot be asked. Heard again soon after the server
        // denied one, it waits (as one) until the distrust is over, so script
        // posting it again and again cannot turn the tabs into a poll. A tab
        // that leaves on it says so in turn: its page's timeout URL ends the
        // session, and a tab that was denied a moment before asks again.
        if (this.#env.now() < this.#toldDeadlines().expireAt && this.#config?.hasStatus) {
          this.#heardExpireAt ??= this.#env.now();
          this.#evaluate(false);
        } else this.#expire(true);
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

  /**
   * The server denied or corrected what another tab said (an expiry, limits,
   * an absolute end). The channel is not a security boundary: script of the
   * same origin can post on it, and whatever posts there again and again must
   * not turn the tabs into a poll. Such news waits 1 s, then twice as long
   * each time within two minutes (a minute at most).
   */
  #distrust(at: number): void {
    this.#distrustGap = at - this.#distrustUntil < 120_000 ? Math.min(60_000, this.#distrustGap * 2) : 1000;
    this.#distrustUntil = at + this.#distrustGap;
  }

  /** One status call for an expiry heard from another tab (see #onTabMessage). */
  #confirmExpire(): void {
    const asked = this.#ask(true);
    this.#env.setTimeout(() => this.#pendingCheck === asked && this.#expire(true), 500);
    void asked.then(() => this.#running && this.#failures.status && this.#expire(true));
  }

  /** Tell the other tabs what we know, and until when the checks back off. */
  #share(): void {
    this.#tabs?.post({ type: 'facts', facts: this.facts, limits: this.serverLimits, notBefore: this.#checkNotBefore });
  }

  /**
   * Facts from another tab: instants only move forward. An absolute end only
   * comes closer, and only in a tab the server has not told its own (as with
   * limits): once told, what script on the channel posts cannot end it early.
   */
  #merge(f: SessionFacts): void {
    const mine = this.facts;
    mine.localActivityAt = Math.max(mine.localActivityAt, f.localActivityAt);
    mine.serverActivityAt = Math.max(mine.serverActivityAt, f.serverActivityAt);
    mine.serverSeenAt = Math.max(mine.serverSeenAt, f.serverSeenAt);
    if (this.#toldEndAt === null && !this.#distrusts()) mine.absoluteEndAt = Math.min(mine.absoluteEndAt, f.absoluteEndAt);
  }

  /**
   * The deadlines from what the server told this tab, without what other
   * tabs passed on (script on the channel may have posted it): no absolute
   * end it was not told, and until the server told it its limits, the
   * attributes' (the leader's word only when the page gave none).
   */
  #toldDeadlines(): Deadlines {
    const c = this.#config!;
    const limits = this.#toldLimits || !c.limitsGiven ? this.limits : c.limits;
    return deadlines({ ...this.facts, absoluteEndAt: this.#toldEndAt ?? Infinity }, limits, c.hasKeepalive ? this.#env.now() : undefined);
  }

  /**
   * Another tab warns, and our deadline agrees. Joined when what the server
   * told this tab says so too; when only limits or an end another tab passed
   * on say so, the server is asked first, and its answer decides.
   */
  #joinWarning(): void {
    if (this.phase !== 'active') return;
    if (this.#env.now() >= this.#toldDeadlines().warnAt) this.#enterWarning(false);
    else void this.check();
  }

  #distrusts(): boolean {
    return this.#env.now() < this.#distrustUntil;
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
