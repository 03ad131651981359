// Words and numbers as the demo shows them. No DOM: the demo server's pages
// (demo/views.js) import durationWords() from here too, so the page and the
// live panel say a limit the same way.

/** What the server's request log says about a request, in words. */
const ACTIVITY = {
  counted: 'activity',
  grace: 'activity within the grace period (time not written)',
  passive: 'passive, not activity',
  anonymous: 'anonymous',
  expired: 'session was over: ended here',
  rejected: 'rejected (CSRF), not activity',
  'no-session': 'no session store',
  static: 'static file',
  none: 'not session-related',
};

/** The `activity` of a request log entry in words ("fault:503" is a test fault). */
export function activityText(activity) {
  return activity?.startsWith('fault:') ? `test fault ${activity.slice(6)}` : (ACTIVITY[activity] ?? activity);
}

/** "09:05:03": a time of day. */
export function clock(ms) {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** "12 s": whole seconds, rounded down, never below 0. */
export function seconds(ms) {
  return `${Math.max(0, Math.floor(ms / 1000))} s`;
}

/** "45 s", "2:05", "13:00": a duration for the summary. */
export function span(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total} s`;
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')} min`;
}

/** "20 seconds", "1 minute", "13 minutes": the page's intro sentence and the limits form. */
export function durationWords(total) {
  if (total % 60 !== 0) return `${total} seconds`;
  const m = total / 60;
  return m === 1 ? '1 minute' : `${m} minutes`;
}

const pluralRules = new Intl.PluralRules('en');

/** "1 keepalive", "0 keepalives", "2 keepalives": English plural forms, chosen by Intl.PluralRules. */
export function counted(n, one, other) {
  return `${n} ${pluralRules.select(n) === 'one' ? one : other}`;
}
