// The timeline: an SVG picture of the session (the server's idle clock, this
// page's activity, the server calls, the element's events and plan) and its
// text alternative. Built with createElementNS/textContent only, styled by
// classes (the page's CSP allows no inline style).

import { clock, counted, span } from './format.js';
import { known, noteLocalActivity } from './history.js';
import { byId, element } from './page.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const LOCAL_ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart', 'scroll'];

/** The limits to draw: () => { idle, timeout } in seconds, given by wireTimeline() before anything draws. */
let currentLimits;

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

/** Forget the plan's steadied end: the limits changed. */
export function forgetPlan() {
  steadyEnd = null;
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

export function drawTimeline(now = Date.now()) {
  const box = byId('timeline');
  if (!box || paused) return;
  const { latest, serverActivity, localSpans, calls, elementEvents, sessionStart, lifetimeEnd } = known;
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

/** The text alternative of the timeline (not a live region: read on demand). */
function summarize(now, plan, from) {
  const out = byId('timeline-summary');
  if (!out) return;
  const parts = [];
  const limits = currentLimits();
  const { latest, receivedAt, localSpans, calls } = known;
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

/**
 * Listen for the person's activity (on this page and in the editor iframe)
 * and wire the pause button. `limits` says which limits to draw.
 */
export function wireTimeline({ limits }) {
  currentLimits = limits;
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
