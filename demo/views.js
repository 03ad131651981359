/**
 * The demo's HTML: a tagged template that escapes every value, the common
 * layout, and the pages (sign-in, the protected page with its limits form,
 * sign-out, not found). No page has an inline script or style (see CSP in
 * site.js).
 */

import { durationWords } from './public/format.js';
import { ELEMENT_FILE, FRAMEABLE_FILE, KEEPALIVE_PATH, LIMITS_PATH, MAX_LIMIT_SECONDS, STATUS_PATH } from './site.js';

/** Presets offered by the limits form: [idle, timeout] seconds. */
const LIMIT_PRESETS = [
  [10, 25],
  [20, 50],
  [780, 900],
];

class SafeHtml {
  /** @param {string} value */
  constructor(value) {
    this.value = value;
  }
  toString() {
    return this.value;
  }
}

/** Escape every interpolated value unless it is already SafeHtml (or an array of them). */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += renderValue(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

function renderValue(v) {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(renderValue).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

export function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function layout({ title, head = '', body, bodyClass = '' }) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · session-timeout-dialog demo</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/demo.css">
${head}
</head>
<body${bodyClass ? html` class="${bodyClass}"` : ''}>
${body}
</body>
</html>
`.value;
}

export function sendPage(res, status, page) {
  // Pages carry CSRF tokens and per-user data: never cache them.
  res.status(status).set('Cache-Control', 'no-store').type('html').send(page);
}

export function loginPage({ token, next, timedOut = false, signedOut = false, error, config }) {
  const notice = timedOut
    ? html`<p class="notice notice-timeout" role="status">You were signed out because you were inactive.</p>`
    : signedOut
      ? html`<p class="notice" role="status">You have signed out.</p>`
      : '';
  const limits = config
    ? html`<p class="hint">For this demo you are signed out after ${config.timeoutSeconds} seconds without activity,
with a warning after ${config.idleSeconds} seconds.</p>`
    : '';
  return layout({
    title: 'Sign in',
    bodyClass: 'page-narrow',
    body: html`<main class="card">
<h1>Sign in</h1>
${notice}
${error ? html`<p class="notice notice-error" role="alert">${error}</p>` : ''}
<form method="post" action="/login" class="stack">
<input type="hidden" name="_csrf" value="${token}">
${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
<label for="username">Name</label>
<input id="username" name="username" autocomplete="username" required maxlength="64" autofocus>
<p class="hint">Any name works; there is no password in this demo.</p>
<button type="submit" class="button-primary">Sign in</button>
</form>
${limits}
</main>`,
  });
}

/** "10 s", "13 min", "1 h 30 min": short durations for labels. */
function shortDuration(total) {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = [];
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s || !parts.length) parts.push(`${s} s`);
  return parts.join(' ');
}

function limitsForm({ csrfToken, config, limits, error }) {
  const presets = LIMIT_PRESETS.some(([i, t]) => i === config.idleSeconds && t === config.timeoutSeconds)
    ? LIMIT_PRESETS
    : [[config.idleSeconds, config.timeoutSeconds], ...LIMIT_PRESETS];
  const isDefault = limits.idleSeconds === config.idleSeconds && limits.timeoutSeconds === config.timeoutSeconds;
  return html`<form id="limits-form" method="post" action="${LIMITS_PATH}" class="limits" novalidate>
<input type="hidden" name="_csrf" value="${csrfToken}">
<fieldset>
<legend>Limits for this session</legend>
<div class="presets" role="group" aria-label="Presets">
${presets.map(
  ([i, t]) => html`<button type="submit" name="preset" value="${i},${t}" aria-pressed="${limits.idleSeconds === i && limits.timeoutSeconds === t ? 'true' : 'false'}">${shortDuration(i)} / ${shortDuration(t)}${i === config.idleSeconds && t === config.timeoutSeconds ? ' (default)' : ''}</button>`,
)}
</div>
<div class="limit-fields">
<label for="limit-idle">Warn after <span class="unit">(s)</span></label>
<input id="limit-idle" name="idleSeconds" type="number" inputmode="numeric" min="1" max="${MAX_LIMIT_SECONDS - 1}" step="1" required value="${limits.idleSeconds}">
<label for="limit-timeout">Sign out after <span class="unit">(s)</span></label>
<input id="limit-timeout" name="timeoutSeconds" type="number" inputmode="numeric" min="2" max="${MAX_LIMIT_SECONDS}" step="1" required value="${limits.timeoutSeconds}">
<button type="submit" class="button-primary">Apply</button>
</div>
<p class="hint">Kept on the server for this session only: the status reports them and the element adopts them (the server’s limits win).
10 s / 25 s warns only 15 s ahead, less than the 20 s WCAG 2.2 asks for: the element says so in the console.</p>
<p id="limits-result" class="hint" role="status">${error ? html`<span class="error-text">${error}</span>` : isDefault ? 'The server’s defaults.' : 'Changed for this session only.'}</p>
</fieldset>
</form>`;
}

export function appPage({ user, csrfToken, config, limits = { idleSeconds: config.idleSeconds, timeoutSeconds: config.timeoutSeconds }, limitsError }) {
  const name = typeof user?.name === 'string' ? user.name : 'someone';
  const lifetime = config.expireSeconds
    ? html` The session also ends ${config.expireSeconds} seconds after signing in, whatever you do.`
    : '';
  return layout({
    title: 'Protected page',
    // demo.js first: module scripts run in document order, so the live panel
    // listens before the element can fire anything (a draft restored on load).
    head: html`<meta name="csrf-token" content="${csrfToken}">
<script type="module" src="/static/demo.js"></script>
<script type="module" src="/static/${ELEMENT_FILE}"></script>`,
    body: html`<header class="topbar">
<p class="brand">session-timeout-dialog demo</p>
<form method="post" action="/logout" class="signout">
<input type="hidden" name="_csrf" value="${csrfToken}">
<span class="who">Signed in as <strong>${name}</strong></span>
<button type="submit">Sign out</button>
</form>
</header>
<main class="layout">
<section class="card timeline-card" aria-labelledby="timeline-heading">
<div class="timeline-head">
<h2 id="timeline-heading">Timeline</h2>
<ul class="legend" aria-hidden="true">
<li><span class="swatch swatch-idle"></span>server idle clock</li>
<li><span class="swatch swatch-local"></span>activity on this page</li>
<li><span class="swatch swatch-passive"></span>status (passive)</li>
<li><span class="swatch swatch-keepalive"></span>keepalive</li>
<li><span class="swatch swatch-app"></span>page or app request</li>
<li><span class="swatch swatch-event"></span>element event</li>
<li><span class="swatch swatch-warn"></span>warn</li>
<li><span class="swatch swatch-end"></span>end</li>
</ul>
</div>
<figure class="timeline-figure">
<div id="timeline" class="timeline" aria-hidden="true"></div>
<div class="timeline-foot">
<figcaption id="timeline-summary" class="hint">The timeline needs JavaScript: the request and event logs below tell the same story.</figcaption>
<button type="button" id="timeline-pause" class="button-small" aria-pressed="false">Pause</button>
</div>
</figure>
</section>
<section class="card" aria-labelledby="work-heading">
<h1 id="work-heading">A protected page</h1>
<p>After <strong id="idle-text">${durationWords(limits.idleSeconds)}</strong> without activity you get a warning; after
<strong id="timeout-text">${durationWords(limits.timeoutSeconds)}</strong> you are signed out.${lifetime}</p>
${limitsForm({ csrfToken, config, limits, error: limitsError })}
<label for="notes">A long form</label>
<textarea id="notes" rows="6" spellcheck="false" placeholder="Type here. Typing sends no request by itself: the element notices the activity and keeps the server session alive."></textarea>
<p class="hint">Typing is local activity: the server only learns of it through the element's keepalive.</p>
<p class="label" aria-hidden="true">A rich-text editor in an iframe</p>
<iframe id="editor" src="/static/${FRAMEABLE_FILE}" title="Notes editor (in an iframe)" aria-describedby="editor-hint"></iframe>
<p id="editor-hint" class="hint">Many editors live in an iframe, where the page's own listeners hear nothing. The element listens in same-origin iframes too.</p>
<div class="row">
<button type="button" id="app-request" class="button-primary">Make an app request</button>
<output id="app-result" for="app-request" class="hint"></output>
</div>
</section>
<section class="card panel" aria-labelledby="panel-heading">
<h2 id="panel-heading">What the server sees</h2>
<dl class="facts">
<div><dt>Server idle time</dt><dd id="server-idle">–</dd></div>
<div><dt>Phase</dt><dd id="server-phase">–</dd></div>
<div><dt>Limits</dt><dd id="server-limits" data-grace="${config.gracePeriodSeconds}">warn ${limits.idleSeconds} s · end ${limits.timeoutSeconds} s${config.gracePeriodSeconds ? html` · grace ${config.gracePeriodSeconds} s` : ''}</dd></div>
<div id="lifetime-row" hidden><dt>Session ends in</dt><dd id="server-lifetime">–</dd></div>
</dl>
<p id="stream-state" class="hint">Connecting to the live stream…</p>
<h3>Requests</h3>
<ol id="request-log" class="log" aria-live="off"></ol>
<h3>Element events</h3>
<ol id="event-log" class="log" aria-live="off"></ol>
</section>
</main>
<!-- timeout-url must end the session. /login?timed-out=1 does so only because this demo's sign-in page has special code for it (demo/pages.js); elsewhere use a sign-out view, e.g. /logout?timed-out=1. -->
<session-timeout-dialog keep-drafts status-url="${STATUS_PATH}" keepalive-url="${KEEPALIVE_PATH}" signout-url="/logout" timeout-url="/login?timed-out=1" idle-seconds="${limits.idleSeconds}" timeout-seconds="${limits.timeoutSeconds}"></session-timeout-dialog>`,
  });
}

export function logoutPage({ csrfToken, error = false }) {
  return layout({
    title: 'Sign out',
    bodyClass: 'page-narrow',
    body: html`<main class="card">
<h1>Sign out?</h1>
${error ? html`<p class="notice notice-error" role="alert">That form had expired. Please press the button again.</p>` : ''}
<form method="post" action="/logout" class="stack">
<input type="hidden" name="_csrf" value="${csrfToken}">
<button type="submit" class="button-primary">Sign out</button>
</form>
<p><a href="/">Back to the page</a></p>
</main>`,
  });
}

export function notFoundPage() {
  return layout({
    title: 'Not found',
    bodyClass: 'page-narrow',
    body: html`<main class="card"><h1>Not found</h1><p><a href="/">Go to the demo</a></p></main>`,
  });
}
