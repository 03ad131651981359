// Live panel of the demo page.
//
// Two rules shape this file:
// - It must not change what it shows: it never calls the status endpoint and
//   never makes a request that counts as activity. The server pushes what it
//   sees over a passive Server-Sent Events stream (/demo/events) instead.
// - The page enforces Trusted Types and a strict CSP: the DOM is built with
//   createElement/textContent only (no HTML strings, no inline styles).

const ELEMENT_EVENTS = [
  'session-timeout-warn',
  'session-timeout-extend',
  'session-timeout-expire',
  'session-timeout-signout',
  'session-timeout-error',
];
const MAX_ROWS = 100;

const byId = (id) => document.getElementById(id);
const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

/** Latest server state and when it arrived (performance.now()), to extrapolate between pushes. */
let latest = null;
let receivedAt = 0;

const PHASES = {
  ACTIVE: 'active',
  IDLE: 'idle: the warning is due',
  TIMEOUT: 'over: the next request ends the session',
  LIFETIME: 'past its absolute lifetime',
  EXPIRED: 'no session (signed out)',
};

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

function clock(ms) {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function seconds(ms) {
  return `${Math.max(0, Math.floor(ms / 1000))} s`;
}

function setState(state) {
  latest = state;
  receivedAt = performance.now();
  render();
}

function render() {
  const idleEl = byId('server-idle');
  const phaseEl = byId('server-phase');
  if (!idleEl || !phaseEl || !latest) return;
  if (latest.phase === 'EXPIRED') {
    idleEl.textContent = '–';
    phaseEl.textContent = PHASES.EXPIRED;
    phaseEl.dataset.phase = 'EXPIRED';
    return;
  }
  const elapsed = performance.now() - receivedAt;
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

function addRow(listId, parts, kind) {
  const list = byId(listId);
  if (!list) return;
  const li = document.createElement('li');
  if (kind) li.dataset.kind = kind;
  for (const [cls, text] of parts) {
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    li.append(span, ' ');
  }
  list.prepend(li);
  while (list.children.length > MAX_ROWS) list.lastElementChild.remove();
}

function logRequest(entry) {
  const activity = entry.activity?.startsWith('fault:')
    ? `test fault ${entry.activity.slice(6)}`
    : (ACTIVITY[entry.activity] ?? entry.activity);
  addRow(
    'request-log',
    [
      ['time', clock(entry.t)],
      ['method', entry.method],
      ['path', entry.path],
      ['code', entry.status === null ? '(no answer)' : String(entry.status)],
      ['what', activity],
    ],
    entry.counted ? 'counted' : 'not-counted',
  );
}

function connect() {
  const note = byId('stream-state');
  if (typeof EventSource !== 'function') {
    if (note) note.textContent = 'This browser has no EventSource: the live panel is off.';
    return;
  }
  const source = new EventSource('/demo/events');
  source.addEventListener('open', () => {
    if (note) note.textContent = 'Live: the server pushes every request it sees for this session.';
  });
  source.addEventListener('hello', (e) => {
    const hello = JSON.parse(e.data);
    const list = byId('request-log');
    if (list) list.replaceChildren();
    for (const entry of hello.recent ?? []) logRequest(entry);
    setState(hello.state);
  });
  source.addEventListener('state', (e) => setState(JSON.parse(e.data)));
  source.addEventListener('request', (e) => {
    const entry = JSON.parse(e.data);
    logRequest(entry);
    if (entry.state) setState(entry.state);
  });
  source.addEventListener('error', () => {
    if (!note) return;
    note.textContent =
      source.readyState === EventSource.CLOSED
        ? 'Live stream closed: there is no session to watch any more.'
        : 'Live stream interrupted; reconnecting…';
  });
}

function listenToElement() {
  for (const name of ELEMENT_EVENTS) {
    document.addEventListener(name, (event) => {
      let detail = '';
      try {
        detail = event.detail === undefined || event.detail === null ? '' : JSON.stringify(event.detail);
      } catch {
        detail = String(event.detail);
      }
      // Read defaultPrevented after the other listeners had their turn.
      queueMicrotask(() => {
        addRow(
          'event-log',
          [
            ['time', clock(Date.now())],
            ['event', name.replace('session-timeout-', '')],
            ['detail', detail],
            ['what', event.defaultPrevented ? '(prevented)' : ''],
          ],
          name.replace('session-timeout-', ''),
        );
      });
    });
  }
}

function wireAppRequest() {
  const button = byId('app-request');
  const out = byId('app-result');
  if (!button || !out) return;
  button.addEventListener('click', async () => {
    out.textContent = 'Sending…';
    try {
      const res = await fetch('/api/echo', {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
        body: JSON.stringify({ message: 'hello from the demo' }),
      });
      out.textContent =
        res.status === 200
          ? 'The server answered 200: this request counted as activity.'
          : res.status === 401
            ? 'The server answered 401: the session is over.'
            : `The server answered ${res.status}.`;
    } catch {
      out.textContent = 'The request failed (network error).';
    }
  });
}

listenToElement();
wireAppRequest();
connect();
// Only redraws from the last push: no requests.
setInterval(() => {
  if (document.visibilityState === 'visible') render();
}, 250);
