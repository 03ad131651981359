// Everything the live panel knows, and everything the timeline draws, on
// this page's clock (Date.now(), the clock the element plans with). Server
// instants are shifted by the offset between the server's clock and this
// one, measured on each pushed state.

import { activityText, clock } from './format.js';
import { element } from './page.js';

const MAX_HISTORY = 600;

export const known = {
  /** Latest server state and when it arrived (performance.now()), to extrapolate between pushes. */
  latest: null,
  receivedAt: 0,
  /** serverNow − Date.now() at the last push; null until the first one. */
  serverOffset: null,
  /** Limits the server reports for this session (seconds): { idle, timeout }. */
  serverLimits: null,
  /** Start of the session on this page's clock. */
  sessionStart: null,
  /** Absolute end of the session (SESSION_EXPIRE_SECONDS), local ms, or null. */
  lifetimeEnd: null,
  /** The latest server instant of a call already on the timeline. */
  lastCallServerT: -Infinity,
  /** Local instants at which the server saw activity (its idle clock restarted). */
  serverActivity: [],
  /** Server calls of this session: { t, kind, counted, failed, text }. */
  calls: [],
  /** This page's own activity, merged into [start, end] spans. */
  localSpans: [],
  /** Element events: { t, name, text }. */
  elementEvents: [],
};

export const toLocal = (serverMs) => serverMs - (known.serverOffset ?? 0);

function bounded(list) {
  if (list.length > MAX_HISTORY) list.splice(0, list.length - MAX_HISTORY);
}

export function noteServerActivity(localMs) {
  if (!Number.isFinite(localMs)) return;
  const { serverActivity } = known;
  // Sorted insert; the same instant seen again (pushes repeat it) is ignored.
  let i = serverActivity.length;
  while (i > 0 && serverActivity[i - 1] > localMs) i--;
  if (Math.abs((serverActivity[i - 1] ?? -Infinity) - localMs) < 50) return;
  if (Math.abs((serverActivity[i] ?? Infinity) - localMs) < 50) return;
  serverActivity.splice(i, 0, localMs);
  bounded(serverActivity);
}

function callKind(path) {
  const el = element();
  if (path === (el?.getAttribute('status-url') ?? '/session/status')) return 'status';
  if (path === (el?.getAttribute('keepalive-url') ?? '/session/keepalive')) return 'keepalive';
  if (path === '/') return 'page';
  return 'app';
}

/** A request of the server's log, as a call on the timeline. */
export function noteCall(entry) {
  known.lastCallServerT = Math.max(known.lastCallServerT, entry.t);
  known.calls.push({
    t: toLocal(entry.t),
    kind: callKind(entry.path),
    counted: Boolean(entry.counted),
    failed: entry.status === null || entry.status >= 400,
    text: `${clock(toLocal(entry.t))} ${entry.method} ${entry.path} ${entry.status ?? '(no answer)'}: ${activityText(entry.activity)}`,
  });
  bounded(known.calls);
  if (entry.counted) noteServerActivity(toLocal(entry.t));
}

let lastLocalMark = -Infinity;
/** A listener for the person's input on this page (and in its editor iframe). */
export function noteLocalActivity() {
  // One mark per 400 ms at most: the listener stays as cheap as the element's.
  // This page's clock, not event.timeStamp: the editor iframe has its own origin of time.
  const now = performance.now();
  if (now - lastLocalMark < 400) return;
  lastLocalMark = now;
  const t = Date.now();
  const { localSpans } = known;
  const last = localSpans[localSpans.length - 1];
  if (last && t - last[1] <= 1500) last[1] = t;
  else {
    localSpans.push([t, t]);
    bounded(localSpans);
  }
}

/** An element event (or a drafts moment) at local time `t`, for the timeline. */
export function noteElementEvent(t, name, text) {
  known.elementEvents.push({ t, name, text });
  bounded(known.elementEvents);
}
