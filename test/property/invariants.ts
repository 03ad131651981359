/**
 * The seven promises of the timing model, checked against a World after
 * every step (every timer, every delivery, every action). A broken promise
 * throws an InvariantError naming the invariant, the instant and the facts.
 *
 * Tolerances, and why (each is a limit of what any element can know):
 * - OTHER_TAB_WINDOW: activity in another tab during the last moments of a
 *   decision (after the leader's poll, while the status call is out) cannot
 *   be known before the warning opens; the warning then closes at once (the
 *   one-phase check still applies).
 * - a leader that leaves (page closed) while its decision's call is out
 *   takes the answer with it: the next leader asks again, so leaving may
 *   take one more round, counted from the handover.
 * - app requests count from the first answer that could reveal them (a
 *   normal status or keepalive answer that reached the server after them).
 * - a silent keepalive that went unconfirmed leaves the person's activity
 *   unknown to the server: from then on the server's end, as far as the
 *   element was told, may end the session first (warning `timeout − idle`
 *   before it, leaving at it), and the dialog must not state more than that.
 */
import { spokenSeconds } from '../../src/core/countdown-text.js';
import { CONFIRM_MS, deadlines, saneLimits } from '../../src/core/session-clock.js';
import { CALL_TIMEOUT_MS } from '../../src/core/session-client.js';
import { T0, type Call, type PersonEvent, type SimTab, type World } from './world.js';

export class InvariantError extends Error {
  constructor(
    readonly invariant: number,
    message: string,
  ) {
    super(`invariant ${invariant} (${NAMES[invariant]}): ${message}`);
  }
}

export const NAMES: Record<number, string> = {
  1: 'never early',
  2: 'never late',
  3: 'one phase',
  4: 'bounded calls',
  5: 'truthful speech',
  6: 'one check per warning',
  7: 'sane numbers',
};

/** Poll grace (250 ms), a status call up to its 5 s abort, and a late timer. */
const OTHER_TAB_WINDOW = 250 + CALL_TIMEOUT_MS + 500;
/** Leaving: the expiry check may wait for the call's abort, the poll round and a late timer. */
const LATE_SLACK = CALL_TIMEOUT_MS + 250 + 400 + 500;
const ONE_PHASE_MS = 1000;
const RATE_WINDOW_MS = 10_000;
/** The longest backoff (a minute), a call that times out, and a late timer. */
const RETRY_SPAN_MS = 60_000 + CALL_TIMEOUT_MS + 1000;
const RATE_MAX = 8;

/** How often each invariant was really put to the test (not vacuously true). */
export const checked: Record<number, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0 };

export class Checker {
  #seenWarns = new Map<SimTab, number>();
  #seenExpiry = new Set<SimTab>();
  #disagreeSince: number | null = null;
  #lastFirstWarn = -Infinity;

  constructor(private readonly world: World) {}

  check(): void {
    const w = this.world;
    const idle = w.options.idle * 1000;
    const timeout = w.options.timeout * 1000;
    // 1. Never early, in every tab, also one that left in this very step.
    for (const tab of w.tabs) {
      // Warnings.
      const seen = this.#seenWarns.get(tab) ?? 0;
      for (const warn of tab.record.warns.slice(seen)) {
        const first = warn.at - this.#lastFirstWarn > ONE_PHASE_MS;
        if (first) this.#lastFirstWarn = warn.at;
        const p = this.personAt(warn.at, tab);
        checked[1]++;
        if (warn.at < p.at + idle && !this.serverOver(warn.at) && warn.at < this.serverEnd(warn.at) - timeout + idle && !this.forgedDeadline(tab, warn.at)) {
          throw new InvariantError(1, `tab ${tab.id} warned at ${rel(warn.at)}, ${warn.at - p.at - idle} ms before the person's last activity (${p.kind} at ${rel(p.at)}) + idle`);
        }
        if (first) this.oneCheck(warn.at, p, idle);
      }
      this.#seenWarns.set(tab, tab.record.warns.length);

      // Leaving.
      if (tab.record.expiredAt !== null && !this.#seenExpiry.has(tab)) {
        this.#seenExpiry.add(tab);
        const x = tab.record.expiredAt;
        const p = this.personAt(x, tab);
        checked[1]++;
        if (x < p.at + timeout && !this.serverOver(x) && x < this.serverEnd(x) && !this.forgedExpire(tab, x) && !this.forgedDeadline(tab, x)) {
          throw new InvariantError(1, `tab ${tab.id} left at ${rel(x)}, ${p.at + timeout - x} ms before the person's last activity (${p.kind} at ${rel(p.at)}) + timeout, and the server had not ended the session`);
        }
      }
    }
    for (const tab of w.tabs) {
      if (!tab.open) continue;
      // 7. Sane numbers.
      if (tab.env.badDelays.length) throw new InvariantError(7, `tab ${tab.id} armed a timer with ${tab.env.badDelays[0]} ms`);
      const d = tab.engine.deadlines;
      if (!saneLimits(tab.engine.limits) || Number.isNaN(d.warnAt) || Number.isNaN(d.expireAt)) {
        throw new InvariantError(7, `tab ${tab.id} holds limits ${JSON.stringify(tab.engine.limits)}, deadlines ${d.warnAt}/${d.expireAt}`);
      }
      // Limits come from the server or the attributes (another tab may only pass on shorter ones).
      const longest = Math.max(timeout, w.options.limitsGiven ? timeout : 900_000);
      if (tab.engine.limits.timeout > longest) {
        throw new InvariantError(7, `tab ${tab.id} holds limits ${JSON.stringify(tab.engine.limits)}, longer than the server's and its own`);
      }
      checked[7]++;

      // 2. Never late.
      if (tab.engine.phase !== 'expired') {
        const said = w.calls.find((c) => c.over && c.answeredAt !== undefined && c.answeredAt >= tab.startedAt);
        if (said && w.now > said.answeredAt! + ONE_PHASE_MS) {
          throw new InvariantError(2, `tab ${tab.id} is still ${tab.engine.phase} at ${rel(w.now)}; the server said the session was over at ${rel(said.answeredAt!)}`);
        }
        // Asleep, nothing runs: the deadline counts from the wake-up.
        const woke = w.jumps.at(-1)?.to ?? -Infinity;
        // A leader that left took the answer to its decision with it: the
        // next leader can only ask again (one more round, from the handover).
        const handover = Math.max(-Infinity, ...w.tabs.map((t) => t.leftLeadingAt ?? -Infinity));
        // A deadline heard from script on the channel (an absolute end, short
        // limits) is no deadline: the promise is about the real one.
        let own = d;
        if (tab.engine.facts.absoluteEndAt !== Infinity || tab.engine.limits.timeout < timeout) {
          // Its own limits: the server's once it answered, else the attributes'.
          const told = w.options.limitsGiven || w.calls.some((c) => c.tab === tab.id && c.normal && c.delivered);
          own = deadlines({ ...tab.engine.facts, absoluteEndAt: Infinity }, told ? { idle, timeout } : { idle: 780_000, timeout: 900_000 }, w.now);
        }
        const bound = Math.max(own.expireAt, woke, handover) + LATE_SLACK + this.backoffAllowance();
        if (w.now > bound) {
          throw new InvariantError(2, `tab ${tab.id} is still ${tab.engine.phase} at ${rel(w.now)}, ${w.now - own.expireAt} ms past its own deadline ${rel(own.expireAt)}`);
        }
        checked[2]++;
      }

      // 5. Truthful speech: what the live region says, from the exact time left.
      if (tab.engine.phase === 'warning') {
        const exact = Math.max(0, (d.expireAt - w.now) / 1000);
        const spoken = spokenSeconds(exact);
        if (spoken > exact) {
          throw new InvariantError(5, `tab ${tab.id} says ${spoken} s with ${exact.toFixed(3)} s left`);
        }
        // The time left is never more than the server's session has, as far
        // as the element was told (once an unconfirmed keepalive had its time).
        // (With the limits the element was told, or its own when it was told none.)
        const seen = this.toldSeenAt(w.now);
        // (Limits shorter than the server's were forged on the channel: the server's end is the real one.)
        const known = tab.engine.limits.timeout < timeout ? { idle, timeout } : tab.engine.limits;
        if (w.now >= seen + known.idle + CONFIRM_MS && d.expireAt > seen + known.timeout) {
          throw new InvariantError(5, `tab ${tab.id} states ${exact.toFixed(3)} s left at ${rel(w.now)}; the server's end as told is ${rel(seen + known.timeout)}`);
        }
        checked[5]++;
      }
    }

    // 3. One phase: a tab that left (expired, signed out) took every tab that was open then with it.
    for (const gone of w.tabs) {
      const leftAt = gone.record.expiredAt ?? gone.record.signedOutAt;
      // One that held limits script posted (a follower the server never
      // told) may take such an expire at its word, and its timeout URL ends
      // the session: the others learn it at their own next decision (as when
      // script calls the sign-out URL), and "never late" holds them to that.
      if (leftAt === null || gone.engine.limits.timeout < timeout) continue;
      // A tab that took the word of script on the channel (an expire, or an
      // end it posted, when the server could not be asked): the others, whom
      // the server told better, follow when their own wait for such news is
      // over and they ask (a minute at most, asleep not counted).
      const forged = gone.record.expiredAt !== null && (this.forgedExpire(gone, leftAt) || this.forgedDeadline(gone, leftAt));
      if (w.now <= leftAt + (forged ? 60_000 + LATE_SLACK + this.slept(leftAt, w.now) : ONE_PHASE_MS)) continue;
      for (const t of w.openTabs()) {
        if (t.startedAt < leftAt && t.engine.phase !== 'expired') {
          throw new InvariantError(3, `tab ${gone.id} left at ${rel(leftAt)}; tab ${t.id} is still ${t.engine.phase} at ${rel(w.now)}`);
        }
      }
    }
    const phases = new Set(w.openTabs().map((t) => t.engine.phase));
    if (phases.size > 1) {
      this.#disagreeSince ??= w.now;
      if (w.now - this.#disagreeSince > ONE_PHASE_MS) {
        throw new InvariantError(3, `tabs disagree since ${rel(this.#disagreeSince)}: ${w.openTabs().map((t) => `${t.id}:${t.engine.phase}`).join(' ')}`);
      }
    } else {
      this.#disagreeSince = null;
    }
    if (w.openTabs().length > 1) checked[3]++;

    // 4. Bounded calls.
    const auto = w.calls.filter((c) => !c.user);
    const recent = auto.filter((c) => c.sentAt > w.now - RATE_WINDOW_MS);
    // Script posting on the channel costs each tab a call per doubling of its wait (see below).
    const forgedLately = w.forged.some((f) => f.at > w.now - RATE_WINDOW_MS - 60_000);
    if (recent.length > RATE_MAX + (forgedLately ? 4 * w.tabs.length : 0)) {
      throw new InvariantError(4, `${recent.length} calls in ${RATE_WINDOW_MS / 1000} s up to ${rel(w.now)}: ${recent.map((c) => `${c.op}@${rel(c.sentAt)}(${c.mode})`).join(' ')}`);
    }
    // Keepalives the element saw succeed (a retry after a timeout the server
    // did count is an error's backoff, bounded by the rate above). One sent
    // on limits script posted is that script's doing (once per tab: the
    // answer tells the tab the server's own).
    const counted = auto.filter((c) => c.op === 'keepalive' && c.counted && c.delivered && !c.forgedLimits);
    for (let i = 1; i < counted.length; i++) {
      if (counted[i].sentAt - counted[i - 1].sentAt < idle) {
        throw new InvariantError(4, `two keepalives within one idle period: ${rel(counted[i - 1].sentAt)} and ${rel(counted[i].sentAt)}`);
      }
    }
    // Failed keepalives thin out: from each tab, the retry after the k-th
    // failure in a row waits at least 0.5 s × 2^k (30 s at most), whatever
    // else gets through meanwhile (a status).
    // (The person's own "Stay signed in" is not held back, and one that gets through starts over.)
    for (const t of w.tabs) {
      let run = 0;
      let last: Call | undefined;
      for (const c of w.calls) {
        if (c.tab !== t.id || c.op !== 'keepalive') continue;
        const early = last && run > 0 && c.sentAt - last.sentAt < Math.min(30_000, 500 * 2 ** (run - 1));
        if (early && !c.user && !w.jumps.some((j) => j.from >= last!.sentAt && j.to <= c.sentAt)) {
          throw new InvariantError(4, `tab ${t.id} sent keepalives at ${rel(last!.sentAt)} and ${rel(c.sentAt)} after ${run} failed in a row`);
        }
        const failed = !(c.delivered && c.said !== undefined) && c.answeredAt !== undefined;
        if (c.user) {
          // A failed "Stay signed in" is the person's to retry, and is not counted.
          if (!failed) run = 0;
          continue;
        }
        run = failed ? run + 1 : 0;
        last = c;
      }
    }
    // One status per decision: status answers that decided nothing (cached,
    // or showing activity again and again) must thin out, like retries after
    // errors (their backoff is capped at a minute). Counted since the person
    // (or the app) last did something, or the server's behaviour changed.
    const reset = Math.max(
      w.person.at(-1)?.at ?? -Infinity,
      w.modeChanges.at(-1)?.at ?? -Infinity,
      w.jumps.at(-1)?.to ?? -Infinity,
      ...w.tabs.map((t) => t.startedAt),
    );
    const answered = auto.filter((c) => c.op === 'status' && (c.normal || c.cached) && c.delivered && c.sentAt > reset);
    // Script posting on the channel again and again costs each tab one call
    // per doubling of the wait (1 s, 2 s, 4 s … a minute), not one per message.
    const forged = w.forged.filter((f) => f.at > reset);
    const forging = forged.length ? Math.max(1, (forged.at(-1)!.at - forged[0].at) / 1000) : 0;
    const forgedCalls = forged.length ? (Math.ceil(Math.log2(forging)) + 2 + Math.max(0, forging - 120) / 60) * w.tabs.length : 0;
    if (answered.length > 6 + (w.now - reset) / 60_000 + forgedCalls) {
      throw new InvariantError(4, `${answered.length} status calls since ${rel(reset)} with nobody active: ${answered.map((c) => `${rel(c.sentAt)}${c.cached ? '(cached)' : ''}`).join(' ')}`);
    }
    if (auto.length) checked[4]++;
  }

  /** The person's last activity that any element could know at `at`, deciding in `tab`. */
  personAt(at: number, tab: SimTab): PersonEvent {
    const w = this.world;
    let best: PersonEvent = { at: -Infinity, kind: 'load', tab: null, knownAt: -Infinity };
    for (const e of w.person) {
      if (e.at > at) continue;
      let known: boolean;
      if (e.kind === 'load') known = e.knownAt <= at;
      else if (e.kind === 'app') known = this.revealed(e.at, at);
      else known = e.tab === tab.id || e.at <= at - OTHER_TAB_WINDOW;
      if (known && e.at > best.at) best = e;
    }
    return best;
  }

  /**
   * Could an element know of the app's request at `e` by `at`? A later
   * keepalive answer tells (priorIdleTime); a later status tells, except when
   * the request came within the second after one of the element's own
   * keepalives: with whole-second idle times the two cannot be told apart,
   * and the status is taken for the element's own call (within 1 s plus the
   * round trip, as the timing model says; refused or not); nor when one of the element's own
   * keepalives reached the server after it (and its answer was lost): the
   * status then shows that keepalive, not the request.
   */
  revealed(e: number, at: number): boolean {
    const answered = (c: Call) => c.normal && c.delivered && c.arrivedAt! >= e && c.answeredAt! <= at;
    const masked = (c: Call) =>
      this.world.calls.some(
        (k) =>
          k.op === 'keepalive' &&
          // One the server refused counts too: the element cannot know
          // whether it did count it (Django counts before its CSRF check).
          k.arrivedAt !== undefined &&
          ((k.arrivedAt! <= e && e <= k.answeredAt! + 1000) || (e <= k.arrivedAt! && k.arrivedAt! <= c.arrivedAt!)),
      );
    return this.world.calls.some((c) => answered(c) && (c.op === 'keepalive' || !masked(c)));
  }

  serverOver(at: number): boolean {
    return this.world.server.overAt <= at;
  }

  /**
   * A script posted an expire before `x` (just before, or during the wait
   * after an earlier one was denied), and the server did not deny it to
   * `tab` in time (its status failed or was slow): the tab takes the word of
   * what looks like another tab (docs/design.md, tabs).
   */
  forgedExpire(tab: SimTab, x: number): boolean {
    const w = this.world;
    // Heard again soon after the server denied one, it waits (up to a minute)
    // and is confirmed then. (Asleep, nothing runs: the time a sleep took does not count.)
    const f = w.forged.filter((m) => m.what === 'expire' && m.at <= x && x - m.at - this.slept(m.at, x) <= 60_000 + ONE_PHASE_MS).at(-1);
    if (!f) return false;
    // Its status: sent for it, or already on its way.
    const asked = w.calls.filter((c) => c.tab === tab.id && c.op === 'status' && c.sentAt <= x && !(c.answeredAt! < f.at));
    // Only a status sent after it denies it (one already out may have reached the server before the end).
    return asked.length > 0 && !asked.some((c) => c.sentAt >= f.at && c.normal && !c.over && c.delivered && c.answeredAt! <= x);
  }

  /**
   * Script posted short limits, the page gave none, and no answer of the
   * server reached `tab` since to correct them: the server could not be
   * asked (it failed or was slow), and the tab keeps the only limits it was
   * told, as with any error (docs/design.md, failure rules).
   */
  forgedDeadline(tab: SimTab, x: number): boolean {
    const w = this.world;
    // (A posted end is never taken as a deadline on its own, nor are posted
    // limits by a tab whose page gave its own: only a follower that has
    // nothing but another tab's word may keep them.)
    if (w.options.limitsGiven) return false;
    const f = w.forged.filter((m) => m.what === 'short' && m.at <= x).at(-1);
    if (!f) return false;
    return !w.calls.some((c) => c.tab === tab.id && c.normal && c.delivered && c.answeredAt! >= f.at && c.answeredAt! <= x);
  }

  /**
   * The server's last sight as far as the element was told by `at`: the
   * latest of the page loads' first bytes and `answered − idleTime` of every
   * answer that said it (a keepalive without progress too: the element
   * takes it when its idleTime is below the person's own idle time).
   */
  toldSeenAt(at: number): number {
    const w = this.world;
    let seen = -Infinity;
    for (const t of w.tabs) if (t.startedAt <= at) seen = Math.max(seen, t.env.pageLoadedAt());
    for (const c of w.calls) {
      const said = c.said ?? c.told;
      if (c.delivered && said !== undefined && c.answeredAt! <= at) seen = Math.max(seen, c.answeredAt! - said * 1000);
    }
    return seen;
  }

  /**
   * The server's end as told, when a silent keepalive sent since went
   * unconfirmed (failed, or answered without progress); Infinity otherwise.
   * One lost to a sleep does not count: the element tries again on waking.
   */
  serverEnd(at: number): number {
    const seen = this.toldSeenAt(at);
    // (A call that outlived its abort by a sleep was lost to it: the element sends it again.)
    const lostToSleep = (c: Call) => c.lost && (this.world.jumps.find((j) => j.from >= c.sentAt)?.to ?? -Infinity) > c.sentAt + CALL_TIMEOUT_MS + 1000;
    const failed = this.world.calls.some(
      (c) => c.op === 'keepalive' && !c.user && !lostToSleep(c) && c.sentAt >= seen && c.sentAt <= at && !(c.delivered && c.said !== undefined),
    );
    if (!failed) return Infinity;
    // A retry could have got through: the way to the server has worked for
    // longer than the longest backoff and a call (and nobody slept then).
    const w = this.world;
    const from = at - RETRY_SPAN_MS;
    const modeAt = (t: number) => w.modeChanges.filter((m) => m.at <= t).at(-1)?.mode ?? 'normal';
    const works = (m: string) => m === 'normal' || m === 'slow';
    const worked =
      works(modeAt(from)) &&
      w.modeChanges.every((m) => m.at <= from || m.at > at || works(m.mode)) &&
      !w.jumps.some((j) => j.to > from && j.from < at);
    return worked ? Infinity : seen + w.options.timeout * 1000;
  }

  /** How long the laptop slept between `from` and `to`. */
  slept(from: number, to: number): number {
    return this.world.jumps.reduce((sum, j) => sum + Math.max(0, Math.min(j.to, to) - Math.max(j.from, from)), 0);
  }

  /** Answers without progress may put decisions off with a backoff (at most a minute). */
  backoffAllowance(): number {
    const w = this.world;
    const last = w.modeChanges.filter((m) => m.mode === 'noProgress' || m.mode === 'absurdIdle' || m.mode === 'absurdLimits').at(-1);
    const stillOn = last && (w.mode === last.mode || w.modeChanges.at(-1) !== last);
    return last && (stillOn || w.now - last.at < 5 * 60_000) ? 60_000 + CALL_TIMEOUT_MS : 0;
  }

  /**
   * 6. One check per warning: when nothing unusual happened around the
   * deadline (normal answers, no fault, no sleep, no tab coming or going, no
   * script on the channel, the last activity one the element knew itself), the warning
   * is confirmed by a single status call asked at the deadline.
   */
  oneCheck(warnAt: number, p: PersonEvent, idle: number): void {
    const w = this.world;
    // When the last activity is an app request the element has not heard of,
    // the status at its own deadline must reveal it first: a second call is
    // the least any element can do.
    if (!w.options.limitsGiven || p.at === -Infinity || p.kind === 'app') return;
    const deadline = p.at + idle;
    const from = deadline - 2_000;
    const quiet =
      w.mode === 'normal' &&
      !w.modeChanges.some((m) => m.at >= p.at - 10_000) &&
      !w.jumps.some((j) => j.to >= p.at && j.from <= warnAt) &&
      // (What script posted waits up to a minute when the server denied the like before.)
      !w.forged.some((f) => f.at >= from - 70_000 && f.at <= warnAt) &&
      !w.restores.some((r) => r >= from - 10_000 && r <= warnAt) &&
      !w.tabs.some((t) => (t.startedAt >= from - 10_000 && t.startedAt <= warnAt) || (!t.open && t.startedAt <= warnAt)) &&
      !w.person.some((e) => e.kind === 'app' && e.at > p.at && e.at <= warnAt) &&
      w.calls.filter((c) => c.sentAt >= p.at && c.sentAt <= warnAt).every((c: Call) => c.mode === 'normal' && !c.forgedLimits);
    if (!quiet) return;
    const statuses = w.calls.filter((c) => c.op === 'status' && c.sentAt >= from && c.sentAt <= warnAt);
    checked[6]++;
    if (statuses.length > 1) {
      throw new InvariantError(6, `${statuses.length} status calls for the warning at ${rel(warnAt)}: ${statuses.map((c) => rel(c.sentAt)).join(', ')}`);
    }
  }
}

/** An instant as "+123.456 s" from the start of the world. */
export function rel(at: number): string {
  return `+${((at - T0) / 1000).toFixed(3)}s`;
}
