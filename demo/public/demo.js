// Live panel and timeline of the demo page.
//
// Three rules shape this file:
// - It must not change what it shows: it never calls the status endpoint and
//   never makes a request that counts as activity by itself. The server pushes
//   what it sees over a passive Server-Sent Events stream (/demo/events), one
//   for all the tabs of a session, not one per tab (see connect()); a tab that
//   follows another tab's stream reads the passive /demo/snapshot once. Every
//   other request sent from here is one a person asks for (the app request
//   button, the limits form).
// - The page enforces Trusted Types and a strict CSP: the DOM (and the SVG of
//   the timeline) is built with createElement(NS)/textContent only (no HTML
//   strings, no inline styles: classes and attributes).
// - The element never polls; this page's own timer only redraws from what it
//   already knows, a few times per second, while the page is visible.

const ELEMENT_EVENTS = [
  'session-timeout-warn',
  'session-timeout-extend',
  'session-timeout-expire',
  'session-timeout-signout',
  'session-timeout-error',
];
const LOCAL_ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart', 'scroll'];
const MAX_ROWS = 100;
const MAX_HISTORY = 600;
const REDRAW_MS = 250;
const SVG_NS = 'http://www.w3.org/2000/svg';

const byId = (id) => document.getElementById(id);
const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
const element = () => document.querySelector('session-timeout-dialog');

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

/** "45 s", "2:05", "13:00": a duration for the summary. */
function span(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  if (total < 60) return `${total} s`;
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')} min`;
}

/** Same words as the server's intro sentence. */
function durationWords(total) {
  if (total % 60 !== 0) return `${total} seconds`;
  const m = total / 60;
  return m === 1 ? '1 minute' : `${m} minutes`;
}

// ------------------------------------------------------------------ history
// Everything the timeline draws, on this page's clock (Date.now(), the clock
// the element plans with). Server instants are shifted by the offset between
// the server's clock and this one, measured on each pushed state.

/** serverNow − Date.now() at the last push; null until the first one. */
let serverOffset = null;
const toLocal = (serverMs) => serverMs - (serverOffset ?? 0);

/** Local instants at which the server saw activity (its idle clock restarted). */
const serverActivity = [];
/** Server calls of this session: { t, kind, label, counted, failed, text }. */
const calls = [];
/** This page's own activity, merged into [start, end] spans. */
const localSpans = [];
/** Element events: { t, name, text }. */
const elementEvents = [];
/** Limits the server reports for this session (seconds). */
let serverLimits = null;
/** Start of the session on this page's clock. */
let sessionStart = null;
/** Absolute end of the session (SESSION_EXPIRE_SECONDS), local ms, or null. */
let lifetimeEnd = null;

function bounded(list) {
  if (list.length > MAX_HISTORY) list.splice(0, list.length - MAX_HISTORY);
}

function noteServerActivity(localMs) {
  if (!Number.isFinite(localMs)) return;
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

let lastCallServerT = -Infinity;
function noteCall(entry) {
  lastCallServerT = Math.max(lastCallServerT, entry.t);
  const kind = callKind(entry.path);
  const failed = entry.status === null || entry.status >= 400;
  const what = entry.activity?.startsWith('fault:') ? `test fault ${entry.activity.slice(6)}` : (ACTIVITY[entry.activity] ?? entry.activity);
  calls.push({
    t: toLocal(entry.t),
    kind,
    counted: Boolean(entry.counted),
    failed,
    text: `${clock(toLocal(entry.t))} ${entry.method} ${entry.path} ${entry.status ?? '(no answer)'}: ${what}`,
  });
  bounded(calls);
  if (entry.counted) noteServerActivity(toLocal(entry.t));
}

let lastLocalMark = -Infinity;
function noteLocalActivity() {
  // One mark per 400 ms at most: the listener stays as cheap as the element's.
  // This page's clock, not event.timeStamp: the editor iframe has its own origin of time.
  const now = performance.now();
  if (now - lastLocalMark < 400) return;
  lastLocalMark = now;
  const t = Date.now();
  const last = localSpans[localSpans.length - 1];
  if (last && t - last[1] <= 1500) last[1] = t;
  else {
    localSpans.push([t, t]);
    bounded(localSpans);
  }
}

// ------------------------------------------------------------------ facts panel

function setState(state) {
  latest = state;
  receivedAt = performance.now();
  if (state && state.phase !== 'EXPIRED') {
    serverOffset = state.now - Date.now();
    noteServerActivity(toLocal(state.lastActivity));
    sessionStart = toLocal(state.startedAt);
    lifetimeEnd = state.expiresInMs === null ? null : Date.now() + state.expiresInMs;
    if (!serverLimits || serverLimits.idle !== state.idleLimit || serverLimits.timeout !== state.timeoutLimit) {
      serverLimits = { idle: state.idleLimit, timeout: state.timeoutLimit };
      showLimits(serverLimits.idle, serverLimits.timeout);
    }
  }
  render();
}

/** The limits as the page states them (intro sentence, facts, form). */
function showLimits(idle, timeout) {
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
    const part = document.createElement('span');
    part.className = cls;
    part.textContent = text;
    li.append(part, ' ');
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

// ------------------------------------------------------------------ timeline

/** Create an SVG element with attributes (and a class list). */
function svg(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  }
  parent?.append(node);
  return node;
}

function svgText(parent, x, y, text, cls, anchor = 'start') {
  const node = svg('text', { x, y, class: cls, 'text-anchor': anchor }, parent);
  node.textContent = text;
  return node;
}

function withTitle(node, text) {
  const title = svg('title', {}, node);
  title.textContent = text;
  return node;
}

/** The element's plan: { end, warn, state } on this page's clock, steadied to the second. */
let steadyEnd = null;
function elementPlan(now) {
  const el = element();
  if (!el || typeof el.remainingSeconds !== 'number' || !customElements.get('session-timeout-dialog')) return null;
  const state = el.state ?? el.getAttribute('state');
  if (state !== 'expired') {
    // remainingSeconds is whole seconds (rounded up): keep the earlier
    // estimate while it stays within that second, so the mark does not jitter.
    const end = now + el.remainingSeconds * 1000;
    if (steadyEnd === null || Math.abs(end - steadyEnd) > 1000) steadyEnd = end;
  }
  if (steadyEnd === null) return null;
  const limits = currentLimits();
  return { state, end: steadyEnd, warn: steadyEnd - (limits.timeout - limits.idle) * 1000 };
}

function currentLimits() {
  if (serverLimits) return serverLimits;
  const el = element();
  const idle = Number(el?.getAttribute('idle-seconds')) || 780;
  const timeout = Number(el?.getAttribute('timeout-seconds')) || 900;
  return { idle, timeout };
}

/** A tick step (seconds) that leaves at least `minPx` between labels. */
function tickStep(windowMs, plotWidth, minPx = 72) {
  for (const s of [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]) {
    if (((s * 1000) / windowMs) * plotWidth >= minPx) return s;
  }
  return 14400;
}

function tickLabel(offsetS) {
  if (offsetS === 0) return 'now';
  const sign = offsetS < 0 ? '−' : '+';
  const a = Math.abs(offsetS);
  if (a < 60) return `${sign}${a} s`;
  if (a % 60 === 0) return `${sign}${a / 60} min`;
  return `${sign}${Math.floor(a / 60)}:${String(a % 60).padStart(2, '0')}`;
}

let paused = false;
let lastSummaryAt = 0;

function drawTimeline(now = Date.now()) {
  const box = byId('timeline');
  if (!box || paused) return;
  const width = Math.round(box.clientWidth);
  if (width < 120) return;
  const narrow = width < 520;
  const limits = currentLimits();
  const idleMs = limits.idle * 1000;
  const timeoutMs = limits.timeout * 1000;
  // The window: now sits at 60 %; the 40 % ahead always holds the end.
  const windowMs = Math.max(150_000, 2.6 * timeoutMs);
  const from = now - 0.6 * windowMs;
  const to = now + 0.4 * windowMs;

  const x0 = narrow ? 58 : 112;
  const x1 = width - 8;
  const x = (t) => x0 + ((t - from) / windowMs) * (x1 - x0);
  const clampX = (t) => Math.min(x1, Math.max(x0, x(t)));

  const top = 18;
  const idleTop = top;
  const idleH = 46;
  const idleBase = idleTop + idleH;
  const localY = idleBase + 7;
  const localH = 12;
  const callsY = localY + localH + 7;
  const callsH = 16;
  const eventsY = callsY + callsH + 7;
  const eventsH = 18;
  const axisY = eventsY + eventsH + 4;
  const height = axisY + 17;
  const yIdle = (ms) => idleBase - (Math.min(Math.max(ms, 0), timeoutMs) / timeoutMs) * (idleH - 2);

  const root = svg('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    class: 'timeline-svg',
    focusable: 'false',
  });

  // Lanes and their names.
  const lanes = [
    [idleTop, idleH, narrow ? 'Server' : 'Server idle'],
    [localY, localH, narrow ? 'Page' : 'This page'],
    [callsY, callsH, narrow ? 'Calls' : 'Server calls'],
    [eventsY, eventsH, 'Element'],
  ];
  for (const [y, h, name] of lanes) {
    svg('rect', { x: x0, y, width: x1 - x0, height: h, rx: 4, class: 'lane' }, root);
    svgText(root, x0 - 10, y + h / 2 + 4, name, 'lane-name', 'end');
  }

  // The warning period the element plans (a faint band across every lane).
  const plan = elementPlan(now);
  if (plan && plan.end > from && plan.warn < to) {
    svg('rect', { x: clampX(plan.warn), y: top, width: clampX(plan.end) - clampX(plan.warn), height: axisY - top, class: 'warn-band' }, root);
  }

  // Server idle lane: the thresholds, then the idle clock (a saw tooth:
  // it climbs while the server sees nothing, drops to 0 on activity).
  svg('rect', { x: x0, y: yIdle(timeoutMs), width: x1 - x0, height: yIdle(idleMs) - yIdle(timeoutMs), class: 'zone-warn' }, root);
  svg('line', { x1: x0, x2: x1, y1: yIdle(idleMs), y2: yIdle(idleMs), class: 'threshold threshold-warn' }, root);
  svg('line', { x1: x0, x2: x1, y1: yIdle(timeoutMs), y2: yIdle(timeoutMs), class: 'threshold threshold-end' }, root);
  // Their labels sit at the left, in the past: the right end belongs to the
  // warn and end marks, which at 1x land right under labels placed there.
  if (!narrow) {
    svgText(root, x0 + 6, yIdle(idleMs) - 3, `warns at ${limits.idle} s idle`, 'threshold-label', 'start');
    svgText(root, x0 + 6, yIdle(timeoutMs) + 10, `ends at ${limits.timeout} s idle`, 'threshold-label', 'start');
  }

  const expired = latest?.phase === 'EXPIRED';
  const acts = serverActivity.filter((t) => t <= now);
  let firstIndex = acts.findLastIndex((t) => t <= from);
  if (firstIndex < 0) firstIndex = 0;
  const points = [];
  for (let i = firstIndex; i < acts.length; i++) {
    const a = acts[i];
    const segStart = Math.max(a, from);
    const segEnd = Math.min(acts[i + 1] ?? now, now);
    if (segEnd < segStart) continue;
    if (points.length === 0 && a >= from) points.push([x(segStart), idleBase]);
    points.push([x(segStart), yIdle(segStart - a)]);
    points.push([x(segEnd), yIdle(segEnd - a)]);
    if (i + 1 < acts.length) points.push([x(segEnd), idleBase]);
  }
  if (points.length) {
    const d = points.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)} ${py.toFixed(1)}`).join(' ');
    const lastX = points[points.length - 1][0];
    svg('path', { d: `${d} L${lastX.toFixed(1)} ${idleBase} L${points[0][0].toFixed(1)} ${idleBase} Z`, class: 'idle-area' }, root);
    svg('path', { d, class: 'idle-line' }, root);
    // Where the server's clock goes if nothing happens (dotted).
    const a = acts[acts.length - 1];
    if (!expired && a !== undefined) {
      const stop = Math.min(a + timeoutMs, to);
      if (stop > now) {
        svg('line', { x1: x(now), y1: yIdle(now - a), x2: x(stop), y2: yIdle(stop - a), class: 'idle-projection' }, root);
      }
    }
  }

  // This page's own activity.
  for (const [s, e] of localSpans) {
    if (e < from || s > to) continue;
    const sx = clampX(s);
    const w = Math.max(3, clampX(e) - sx);
    withTitle(svg('rect', { x: sx, y: localY + 2, width: w, height: localH - 4, rx: 2, class: 'local-span' }, root), `activity on this page ${clock(s)}–${clock(e)}`);
  }

  // Server calls: status hollow (passive), keepalive round, app requests square.
  const cy = callsY + callsH / 2;
  for (const c of calls) {
    if (c.t < from || c.t > to) continue;
    const cx = x(c.t);
    const cls = `call call-${c.kind}${c.counted ? ' counted' : ''}${c.failed ? ' failed' : ''}`;
    const shape =
      c.kind === 'status' || c.kind === 'keepalive'
        ? svg('circle', { cx, cy, r: 5, class: cls }, root)
        : svg('rect', { x: cx - 4.5, y: cy - 4.5, width: 9, height: 9, rx: 1.5, class: cls }, root);
    withTitle(shape, c.text);
  }

  // Element events, labelled where there is room (the latest first: a label
  // goes right of its mark, else left, else it is left out; the title stays).
  const ey = eventsY + eventsH / 2;
  let limit = x1;
  const shown = elementEvents.filter((ev) => ev.t >= from && ev.t <= to);
  for (let i = shown.length - 1; i >= 0; i--) {
    const ev = shown[i];
    const ex = x(ev.t);
    const before = i > 0 ? x(shown[i - 1].t) + 8 : x0;
    const g = withTitle(svg('g', { class: `event event-${ev.name}` }, root), ev.text);
    svg('path', { d: `M${ex.toFixed(1)} ${ey - 6} l6 6 l-6 6 l-6 -6 Z`, class: 'event-mark' }, g);
    const w = ev.name.length * 6.6;
    if (ex + 9 + w < limit - 4) {
      svgText(g, ex + 9, ey + 4, ev.name, 'event-label');
    } else if (ex - 9 - w > before && ex - 9 < limit - 4) {
      svgText(g, ex - 9, ey + 4, ev.name, 'event-label', 'end');
      limit = ex - 9 - w;
      continue;
    }
    limit = Math.min(limit, ex - 7);
  }

  // Vertical marks: the session start, the absolute lifetime, warn, end, now.
  const vmark = (t, cls, label, anchor = 'middle') => {
    if (t < from || t > to) return;
    const vx = x(t);
    svg('line', { x1: vx, x2: vx, y1: top - 4, y2: axisY, class: `vmark ${cls}` }, root);
    if (label) svgText(root, vx, top - 6, label, `vmark-label ${cls}`, anchor);
  };
  if (sessionStart !== null) vmark(sessionStart, 'vmark-start', narrow ? '' : 'signed in');
  if (lifetimeEnd !== null) vmark(lifetimeEnd, 'vmark-lifetime', 'lifetime');
  if (plan) {
    const close = x(plan.end) - x(plan.warn) < 48;
    vmark(plan.warn, 'vmark-warn', 'warn', close ? 'end' : 'middle');
    vmark(plan.end, 'vmark-end', 'end', close ? 'start' : 'middle');
  }
  vmark(now, 'vmark-now', '');

  // Axis: ticks relative to now, so the labels stay put while time flows.
  svg('line', { x1: x0, x2: x1, y1: axisY, y2: axisY, class: 'axis' }, root);
  const step = tickStep(windowMs, x1 - x0);
  for (let k = Math.ceil((from - now) / 1000 / step); k * step * 1000 <= to - now; k++) {
    const tx = x(now + k * step * 1000);
    if (tx < x0 + 8 || tx > x1 - 8) continue;
    svg('line', { x1: tx, x2: tx, y1: axisY, y2: axisY + 4, class: 'axis' }, root);
    svgText(root, tx, axisY + 14, tickLabel(k * step), k === 0 ? 'tick-label tick-now' : 'tick-label', 'middle');
  }

  box.replaceChildren(root);

  if (now - lastSummaryAt >= 1000 || now < lastSummaryAt) {
    lastSummaryAt = now;
    summarize(now, plan, from);
  }
}

const pluralRules = new Intl.PluralRules('en');

/** "1 keepalive", "0 keepalives", "2 keepalives": English plural forms, chosen by Intl.PluralRules. */
function counted(n, one, other) {
  return `${n} ${pluralRules.select(n) === 'one' ? one : other}`;
}

/** The text alternative of the timeline (not a live region: read on demand). */
function summarize(now, plan, from) {
  const out = byId('timeline-summary');
  if (!out) return;
  const parts = [];
  const limits = currentLimits();
  if (latest && latest.phase !== 'EXPIRED') {
    const idleMs = latest.idleMs + (performance.now() - receivedAt);
    parts.push(`Server idle clock: ${span(Math.floor(idleMs / 1000) * 1000)} (it warns at ${limits.idle} s, ends at ${limits.timeout} s).`);
  } else if (latest) {
    parts.push('The server has no session any more.');
  }
  const lastLocal = localSpans[localSpans.length - 1]?.[1];
  parts.push(lastLocal === undefined ? 'No activity on this page yet.' : `Last activity on this page ${span(now - lastLocal)} ago.`);
  if (plan?.state === 'expired') parts.push('The element ended the session.');
  else if (plan?.state === 'warning') parts.push(`The warning is open: the session ends in ${span(plan.end - now)}.`);
  else if (plan) parts.push(`The element plans the warning in ${span(plan.warn - now)} and the end in ${span(plan.end - now)}.`);
  const seen = calls.filter((c) => c.t >= from && c.t <= now);
  const count = (kind) => seen.filter((c) => c.kind === kind).length;
  parts.push(
    `Server calls in view: ${seen.length} (${counted(count('status'), 'status check', 'status checks')}, ` +
      `${counted(count('keepalive'), 'keepalive', 'keepalives')}, ` +
      `${counted(count('app') + count('page'), 'page or app request', 'page or app requests')}).`,
  );
  out.textContent = parts.join(' ');
}

function wireTimeline() {
  const listen = (target) => {
    for (const type of LOCAL_ACTIVITY_EVENTS) target.addEventListener(type, noteLocalActivity, { capture: true, passive: true });
  };
  listen(window);
  // Typing in the iframe editor is activity on this page too (the element hears it).
  const editor = byId('editor');
  const listenToEditor = () => editor?.contentWindow && listen(editor.contentWindow);
  editor?.addEventListener('load', listenToEditor);
  if (editor?.contentDocument?.readyState === 'complete') listenToEditor();
  const pause = byId('timeline-pause');
  pause?.addEventListener('click', () => {
    paused = !paused;
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) drawTimeline();
  });
  const summary = byId('timeline-summary');
  if (summary) summary.textContent = 'Waiting for the live stream…';
}

// ------------------------------------------------------------------ stream
// One stream for all the tabs of a session, not one per tab: an EventSource
// holds an HTTP/1.1 connection for the life of the page, and Chromium allows
// 6 per host, so 6 demo tabs used to take every connection and stall the
// element's own status and keepalive calls in every tab. One tab, elected
// with a Web Lock it holds until it closes, opens the stream and re-posts
// each event on a BroadcastChannel; the others read GET /demo/snapshot (the
// stream's hello as JSON) and then follow. When the leader closes, the lock
// passes to another tab, which opens the stream: its hello resyncs every tab.
// Without Web Locks or BroadcastChannel each tab opens its own stream, as
// before (Web Locks need a secure context: http://localhost is one, a plain
// http:// address on the network is not).

const STREAM_URL = '/demo/events';
const SNAPSHOT_URL = '/demo/snapshot';
const SHARED_STREAM = 'session-timeout-demo-stream';

const STREAM_TEXT = {
  open: 'Live: the server pushes every request it sees for this session.',
  reconnecting: 'Live stream interrupted; reconnecting…',
  closed: 'Live stream closed: there is no session to watch any more.',
};
/** The same, for a tab that follows another tab's stream. */
const SHARED_TEXT = {
  joining: 'Joining the live stream of another tab of this session…',
  open: 'Live, shared with another tab of this session: that tab receives what the server pushes and passes it on.',
  reconnecting: 'Live stream interrupted (it is held by another tab of this session); reconnecting…',
  closed: STREAM_TEXT.closed,
  failed: 'Could not read the session’s picture (network error); waiting for the next push.',
};

function sayStream(text) {
  const note = byId('stream-state');
  if (note) note.textContent = text;
}

/** What each stream event does to this page; a follower feeds the leader's re-posts here too. */
const streamHandlers = {
  hello(hello) {
    const list = byId('request-log');
    if (list) list.replaceChildren();
    // The offset first, so the earlier requests land at the right place.
    if (hello.state?.now) serverOffset = hello.state.now - Date.now();
    // After a reconnect (or a new leader tab's hello), the log is rebuilt from
    // the server's recent history, and the timeline takes only what it has
    // not seen yet.
    const known = lastCallServerT;
    for (const entry of hello.recent ?? []) {
      logRequest(entry);
      if (entry.t > known) noteCall(entry);
    }
    setState(hello.state);
    drawTimeline();
  },
  state(state) {
    setState(state);
  },
  request(entry) {
    logRequest(entry);
    if (entry.state) setState(entry.state);
    noteCall(entry);
    drawTimeline();
  },
};

/** Open the event stream; `relay` (the leader's) hears every event and every change of its status. */
function openStream(relay = () => {}) {
  const source = new EventSource(STREAM_URL);
  source.addEventListener('open', () => {
    sayStream(STREAM_TEXT.open);
    relay({ type: 'status', status: 'open' });
  });
  for (const name of Object.keys(streamHandlers)) {
    source.addEventListener(name, (e) => {
      const data = JSON.parse(e.data);
      streamHandlers[name](data);
      relay({ type: 'event', name, data });
    });
  }
  source.addEventListener('error', () => {
    const status = source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting';
    sayStream(STREAM_TEXT[status]);
    relay({ type: 'status', status });
  });
}

/**
 * A name for this session's tabs that does not reveal its CSRF token: after
 * a new sign-in, the new session's tabs elect their own leader instead of
 * following a tab that still watches the old session. Null when it cannot be
 * made (no token, or no crypto.subtle: no secure context, so no Web Locks either).
 */
async function sessionTag() {
  const token = csrfToken();
  if (!token || !globalThis.crypto?.subtle) return null;
  try {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
    return [...new Uint8Array(digest, 0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return null;
  }
}

/** The same request log entry (a follower may hear a request its snapshot already has). */
const sameEntry = (a, b) => a.seq === b.seq && a.t === b.t;

async function connect() {
  if (typeof EventSource !== 'function') {
    sayStream('This browser has no EventSource: the live panel is off.');
    return;
  }
  const tag = await sessionTag();
  if (!tag || typeof BroadcastChannel !== 'function' || !navigator.locks) {
    openStream();
    return;
  }
  const name = `${SHARED_STREAM}:${tag}`;
  const channel = new BroadcastChannel(name);
  let leading = false;
  /** What a follower heard before its snapshot was applied; null once it was. */
  let early = [];

  const hear = (message) => {
    if (message?.type === 'status' && Object.hasOwn(SHARED_TEXT, message.status)) sayStream(SHARED_TEXT[message.status]);
    else if (message?.type === 'event' && Object.hasOwn(streamHandlers, message.name)) streamHandlers[message.name](message.data);
  };
  channel.addEventListener('message', (event) => {
    if (leading) return;
    if (early) early.push(event.data);
    else hear(event.data);
  });

  const lead = () => {
    leading = true;
    early = null;
    openStream((message) => channel.postMessage(message));
    // Held for the life of the page: the browser releases it when the page goes.
    return new Promise(() => {});
  };

  const follow = async () => {
    sayStream(SHARED_TEXT.joining);
    let picture = null;
    let status = 'failed';
    try {
      const res = await fetch(SNAPSHOT_URL, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
      if (res.ok) picture = await res.json();
      status = res.ok ? 'open' : 'closed';
    } catch {
      // Network error: the leader's next push still arrives.
    }
    // Promoted meanwhile: this tab's own stream said hello.
    if (leading) return;
    const heard = early ?? [];
    early = null;
    sayStream(SHARED_TEXT[status]);
    if (picture) streamHandlers.hello(picture);
    const recent = picture?.recent ?? [];
    for (const message of heard) {
      if (message?.name === 'request' && recent.some((entry) => sameEntry(entry, message.data))) continue;
      hear(message);
    }
  };

  try {
    // The first tab leads at once; any other follows, and waits in line to lead.
    await navigator.locks.request(name, { ifAvailable: true }, (lock) => {
      if (lock) return lead();
      navigator.locks.request(name, lead).catch(() => {});
      follow();
      return undefined;
    });
  } catch {
    // Locks refused (an opaque origin, say): a stream of this tab's own.
    if (!leading) openStream();
  }
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
      const t = Date.now();
      const short = name.replace('session-timeout-', '');
      // Read defaultPrevented after the other listeners had their turn.
      queueMicrotask(() => {
        addRow(
          'event-log',
          [
            ['time', clock(t)],
            ['event', short],
            ['detail', detail],
            ['what', event.defaultPrevented ? '(prevented)' : ''],
          ],
          short,
        );
        elementEvents.push({ t, name: short, text: `${clock(t)} ${short} ${detail}${event.defaultPrevented ? ' (prevented)' : ''}` });
        bounded(elementEvents);
        drawTimeline();
      });
    });
  }
}

// ------------------------------------------------------------------ drafts (keep-drafts)

/** Mark a drafts moment in the event log and on the timeline (never what was typed). */
function markDraft(label, what) {
  const t = Date.now();
  addRow('event-log', [['time', clock(t)], ['event', label], ['detail', ''], ['what', what]], 'draft');
  elementEvents.push({ t, name: label, text: `${clock(t)} ${label}` });
  bounded(elementEvents);
  drawTimeline();
}

/** The iframe editor's lines as text (no markup is kept, none is parsed back). */
function editorParagraphs(doc) {
  return doc.body.innerText.split('\n');
}

/**
 * The iframe editor is app state the element cannot see: add it to the draft
 * at timeout, and put it back when the draft comes back.
 */
function wireDrafts() {
  const editor = byId('editor');
  document.addEventListener('session-timeout-draft', (event) => {
    const doc = editor?.contentDocument;
    const paragraphs = doc?.body ? editorParagraphs(doc) : [];
    if (paragraphs.some((text) => text.trim() !== '')) event.detail.data.editor = paragraphs;
    markDraft('draft sealed', 'the changed fields and the editor, with your key');
  });
  document.addEventListener('session-timeout-restore', (event) => {
    const paragraphs = event.detail.data.editor;
    markDraft('draft restored', `${event.detail.fields.length} field(s)${Array.isArray(paragraphs) ? ' and the editor' : ''}`);
    if (!Array.isArray(paragraphs) || !editor) return;
    const fill = () => {
      const doc = editor.contentDocument;
      // Only an editor still empty: what was typed since the load wins.
      if (!doc?.body || doc.body.textContent.trim() !== '') return;
      doc.body.replaceChildren(
        ...paragraphs.map((text) => {
          const p = doc.createElement('p');
          p.textContent = String(text);
          return p;
        }),
      );
    };
    if (editor.contentDocument?.readyState === 'complete' && editor.contentDocument.URL !== 'about:blank') fill();
    else editor.addEventListener('load', fill, { once: true });
  });
}

// ------------------------------------------------------------------ controls

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

/**
 * The limits form: posts to /demo/limits (the server keeps them for this
 * session), then tells the element. The server's limits win in the element,
 * so after the new attributes it asks the server once (check(), a passive
 * status request) and adopts what the server now reports.
 */
function wireLimits() {
  const form = byId('limits-form');
  const out = byId('limits-result');
  if (!form || !out) return;
  const say = (text, isError = false) => {
    out.replaceChildren();
    const part = document.createElement('span');
    if (isError) part.className = 'error-text';
    part.textContent = text;
    out.append(part);
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = new URLSearchParams();
    const submitter = event.submitter;
    if (submitter?.name === 'preset') {
      body.set('preset', submitter.value);
    } else {
      body.set('idleSeconds', form.elements.idleSeconds.value.trim());
      body.set('timeoutSeconds', form.elements.timeoutSeconds.value.trim());
    }
    say('Saving…');
    let res;
    let answer;
    try {
      res = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken() },
        body,
      });
      answer = await res.json().catch(() => ({}));
    } catch {
      say('The request failed (network error).', true);
      return;
    }
    if (res.status === 400) return say(answer.message ?? 'Those limits are not valid.', true);
    if (res.status === 401) return say('The session is over: sign in again.', true);
    if (res.status === 403) return say('The form had expired: reload the page.', true);
    if (res.status !== 200) return say(`The server answered ${res.status}.`, true);
    const { idleSeconds, timeoutSeconds } = answer;
    form.elements.idleSeconds.value = String(idleSeconds);
    form.elements.timeoutSeconds.value = String(timeoutSeconds);
    showLimits(idleSeconds, timeoutSeconds);
    const el = element();
    if (el) {
      el.setAttribute('idle-seconds', String(idleSeconds));
      el.setAttribute('timeout-seconds', String(timeoutSeconds));
      steadyEnd = null;
      el.check?.().catch?.(() => {});
    }
    say(
      `${answer.isDefault ? 'Back to the server’s defaults' : 'For this session'}: a warning after ${durationWords(idleSeconds)}, ` +
        `signed out after ${durationWords(timeoutSeconds)} without activity.`,
    );
  });
}

listenToElement();
wireDrafts();
wireAppRequest();
wireLimits();
wireTimeline();
connect();
// Redraws from what is already known: no requests.
setInterval(() => {
  if (document.visibilityState !== 'visible') return;
  render();
  drawTimeline();
}, REDRAW_MS);
