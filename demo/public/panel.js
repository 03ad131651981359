// The facts panel ("What the server sees"): the server's idle time and
// phase, its limits, and the request log.

import { activityText, clock, durationWords, seconds } from './format.js';
import { known, noteServerActivity, toLocal } from './history.js';
import { addRow, byId } from './page.js';

const PHASES = {
  ACTIVE: 'active',
  IDLE: 'idle: the warning is due',
  TIMEOUT: 'over: the next request ends the session',
  LIFETIME: 'past its absolute lifetime',
  EXPIRED: 'no session (signed out)',
};

/** A state pushed by the server (or read from the snapshot). */
export function setState(state) {
  known.latest = state;
  known.receivedAt = performance.now();
  if (state && state.phase !== 'EXPIRED') {
    known.serverOffset = state.now - Date.now();
    noteServerActivity(toLocal(state.lastActivity));
    known.sessionStart = toLocal(state.startedAt);
    known.lifetimeEnd = state.expiresInMs === null ? null : Date.now() + state.expiresInMs;
    const limits = known.serverLimits;
    if (!limits || limits.idle !== state.idleLimit || limits.timeout !== state.timeoutLimit) {
      known.serverLimits = { idle: state.idleLimit, timeout: state.timeoutLimit };
      showLimits(state.idleLimit, state.timeoutLimit);
    }
  }
  render();
}

/** The limits as the page states them (intro sentence, facts, form). */
export function showLimits(idle, timeout) {
  const idleText = byId('idle-text');
  const timeoutText = byId('timeout-text');
  if (idleText) idleText.textContent = durationWords(idle);
  if (timeoutText) timeoutText.textContent = durationWords(timeout);
  const facts = byId('server-limits');
  if (facts) {
    const grace = Number(facts.dataset.grace) || 0;
    facts.textContent = `warn ${idle} s · end ${timeout} s${grace ? ` · grace ${grace} s` : ''}`;
  }
  for (const button of document.querySelectorAll('#limits-form button[name="preset"]')) {
    button.setAttribute('aria-pressed', String(button.value === `${idle},${timeout}`));
  }
}

/** The server's idle time and phase now, extrapolated from the last push. */
export function render() {
  const idleEl = byId('server-idle');
  const phaseEl = byId('server-phase');
  const { latest } = known;
  if (!idleEl || !phaseEl || !latest) return;
  if (latest.phase === 'EXPIRED') {
    idleEl.textContent = '–';
    phaseEl.textContent = PHASES.EXPIRED;
    phaseEl.dataset.phase = 'EXPIRED';
    return;
  }
  const elapsed = performance.now() - known.receivedAt;
  const idleMs = latest.idleMs + elapsed;
  const lifeMs = latest.expiresInMs === null ? null : latest.expiresInMs - elapsed;
  let phase = latest.phase;
  if (phase === 'ACTIVE' || phase === 'IDLE') {
    if (lifeMs !== null && lifeMs <= 0) phase = 'LIFETIME';
    else if (idleMs >= latest.timeoutLimit * 1000) phase = 'TIMEOUT';
    else if (idleMs >= latest.idleLimit * 1000) phase = 'IDLE';
    else phase = 'ACTIVE';
  }
  idleEl.textContent = seconds(idleMs);
  phaseEl.textContent = PHASES[phase] ?? phase;
  phaseEl.dataset.phase = phase;
  const lifeRow = byId('lifetime-row');
  if (lifeRow && lifeMs !== null) {
    lifeRow.hidden = false;
    byId('server-lifetime').textContent = seconds(lifeMs);
  }
}

/** A request of the server's log, as a row of the request log. */
export function logRequest(entry) {
  addRow(
    'request-log',
    [
      ['time', clock(entry.t)],
      ['method', entry.method],
      ['path', entry.path],
      ['code', entry.status === null ? '(no answer)' : String(entry.status)],
      ['what', activityText(entry.activity)],
    ],
    entry.counted ? 'counted' : 'not-counted',
  );
}
