/**
 * Pure deadline math (docs/design.md, timing model): what we know about the session in, the
 * phase and the next instant worth waking up for out. No timers, no I/O.
 * All instants are wall-clock milliseconds.
 */

export type Phase = 'active' | 'warning' | 'expired';

export interface Limits {
  /** Inactivity (ms) after which the warning shows. */
  idle: number;
  /** Inactivity (ms) after which the session is over. */
  timeout: number;
}

export interface SessionFacts {
  /** Last activity of the person in any tab of this session. */
  localActivityAt: number;
  /** Last activity the server saw that the element did not cause itself. */
  serverActivityAt: number;
  /** Last request the server saw at all (its own idle clock), our keepalives included. */
  serverSeenAt: number;
  /** Absolute end that no keepalive can move (`expiresIn`); Infinity when none. */
  absoluteEndAt: number;
}

export interface Deadlines {
  personAt: number;
  warnAt: number;
  expireAt: number;
  /** True when the absolute lifetime, not inactivity, ends the session. */
  absolute: boolean;
  /** When a silent keepalive is due; Infinity when none is (no activity the server has not seen). */
  keepaliveAt: number;
}

/**
 * A keepalive not confirmed this long after it was due has failed: its call
 * is answered or aborted within 5 s, and a quick retry fits in the rest.
 */
export const CONFIRM_MS = 6000;

/**
 * `now` only with a keepalive URL: a keepalive that went unconfirmed past
 * `keepaliveAt + CONFIRM_MS` (it failed, or never went out) leaves the
 * person's activity unknown to the server, whose own end (`serverSeenAt +
 * timeout`) then ends the session (docs/design.md, timing model).
 */
export function deadlines(facts: SessionFacts, limits: Limits, now?: number): Deadlines {
  const { idle, timeout } = limits;
  const seen = facts.serverSeenAt;
  const personAt = Math.max(facts.localActivityAt, facts.serverActivityAt);
  const idleEnd = personAt + timeout;
  const absolute = facts.absoluteEndAt <= idleEnd;
  const end = absolute ? facts.absoluteEndAt : idleEnd;
  // The server's own idle clock reaches `idle` at serverSeenAt + idle. If the
  // person was active since the server last saw a request, tell it then, so its
  // deadline (serverSeenAt + timeout) never comes before ours. With an
  // absolute end this still matters while the server's idle end comes first.
  const keepaliveAt = facts.localActivityAt > seen && seen + timeout < end ? seen + idle : Infinity;
  const confirmBy = now === undefined ? Infinity : keepaliveAt + CONFIRM_MS;
  const capped = now! >= confirmBy;
  return {
    personAt,
    // The warning keeps the same lead time before an absolute end, and
    // comes when a keepalive went unconfirmed (before the server's end).
    warnAt: Math.min(personAt + idle, end - (timeout - idle), confirmBy),
    expireAt: capped ? seen + timeout : end,
    absolute: absolute && !capped,
    keepaliveAt,
  };
}

/** The longest limit anyone may set, in seconds: the attributes' rule (a year and a day). */
export const MAX_LIMIT_SECONDS = 366 * 24 * 3600;

/**
 * Limits (ms) a timer can be armed with: finite, positive, idle before
 * timeout, neither beyond a year. Numbers from the server and from other tabs
 * are held to this rule like the attributes; anything else is ignored.
 */
export function saneLimits(limits: Limits | null | undefined): limits is Limits {
  if (!limits) return false;
  const { idle, timeout } = limits;
  return (
    Number.isFinite(idle) &&
    Number.isFinite(timeout) &&
    idle > 0 &&
    idle < timeout &&
    timeout <= MAX_LIMIT_SECONDS * 1000
  );
}

/** The phase the facts imply at `now`. */
export function phaseAt(d: Deadlines, now: number): Phase {
  if (now >= d.expireAt) return 'expired';
  if (now >= d.warnAt) return 'warning';
  return 'active';
}

/** Whole seconds left until `expireAt`, clamped at 0. */
export function remainingSeconds(expireAt: number, now: number): number {
  return Math.max(0, Math.ceil((expireAt - now) / 1000));
}

/**
 * Exponential backoff with jitter, capped: attempt 0 → 0.5–1 s, then 1–2 s,
 * 2–4 s, … up to 30–60 s. `random` in [0, 1). Never less than `retryAfterMs`.
 */
export function backoff(attempt: number, random: number, retryAfterMs = 0): number {
  const base = Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6));
  return Math.max(retryAfterMs, base / 2 + (base / 2) * random);
}
