// The demo's pages: sign-in, protected page, sign-out, headers, escaping,
// static files and the passive live-panel stream and snapshot.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemo, Client, advance, CSP, readEvents } from './helpers.js';

async function demo(t, options = {}) {
  const d = await startDemo({ testHooks: true, ...options });
  t.after(() => d.close());
  return { ...d, client: new Client(d.url) };
}

function assertSecurityHeaders(r, label) {
  assert.equal(r.headers.get('content-security-policy'), CSP, `${label}: CSP`);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${label}: nosniff`);
  assert.equal(r.headers.get('referrer-policy'), 'same-origin', `${label}: referrer policy`);
}

function assertNoInlineCode(htmlText, label) {
  for (const tag of htmlText.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\ssrc="\/static\//, `${label}: external script only: ${tag}`);
  assert.doesNotMatch(htmlText, /<script\b[^>]*>\s*(?!<\/script>)\S/, `${label}: no inline script body`);
  assert.doesNotMatch(htmlText, /<style\b/i, `${label}: no <style>`);
  assert.doesNotMatch(htmlText, /\sstyle=/i, `${label}: no style attribute`);
  assert.doesNotMatch(htmlText, /\son[a-z]+=/i, `${label}: no inline event handler`);
}

test('every HTML page carries the CSP, nosniff and Referrer-Policy, and has no inline script or style', async (t) => {
  const { client } = await demo(t);
  const anon = await client.get('/login');
  assertSecurityHeaders(anon, '/login');
  assertNoInlineCode(anon.text, '/login');
  const missing = await client.get('/no-such-page');
  assert.equal(missing.status, 404);
  assertSecurityHeaders(missing, '404');
  await client.login();
  const page = await client.get('/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assertSecurityHeaders(page, '/');
  assertNoInlineCode(page.text, '/');
  const confirm = await client.get('/logout', { headers: { 'sec-fetch-site': 'cross-site' } });
  assertSecurityHeaders(confirm, '/logout');
  assertNoInlineCode(confirm.text, '/logout');
});

test('the iframe editor may be framed by the demo only; it carries the rest of the policy, has no inline code, and does not count', async (t) => {
  const { client, url } = await demo(t);
  await client.login();
  await advance(url, 5);
  const r = await client.get('/static/editor.html');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-security-policy'), CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'"));
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assertNoInlineCode(r.text, 'editor.html');
  // Something to type in, named, with a placeholder and a formatting toolbar (its script external).
  assert.match(r.text, /<div id="notes"[^>]* contenteditable="true" role="textbox"[^>]* aria-labelledby="notes-label"[^>]* data-placeholder="[^"]+"/);
  assert.match(r.text, /<span id="notes-label"[^>]*>Notes<\/span>/);
  assert.match(r.text, /role="toolbar"/);
  for (const command of ['bold', 'italic', 'insertUnorderedList']) assert.match(r.text, new RegExp(`<button type="button" data-command="${command}"`));
  const script = await client.get('/static/editor.js');
  assert.equal(script.status, 200);
  assert.doesNotMatch(script.text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|insertHTML/);
  // A static file: loading the frame is not the person at work.
  assert.equal((await client.status()).json.idleTime, 5, 'loading the editor was not activity');
  // Every other static file keeps frame-ancestors 'none'.
  assert.equal((await client.get('/static/demo.css')).headers.get('content-security-policy'), CSP);
  const page = await client.get('/');
  assert.match(page.text, /<iframe id="editor" src="\/static\/editor.html" title="[^"]+"/);
});

test('the protected page has the element with the configured limits, the CSRF meta, the panel and the app button', async (t) => {
  const { client } = await demo(t, { idleSeconds: 30, timeoutSeconds: 90 });
  const token = await client.login();
  const { text } = await client.get('/');
  assert.ok(text.includes('<script type="module" src="/static/session-timeout-dialog.js"></script>'));
  assert.ok(text.includes(`<meta name="csrf-token" content="${token}">`));
  const el = /<session-timeout-dialog ([^>]*)>/.exec(text)?.[1];
  assert.ok(el, 'element present');
  for (const attr of [
    'status-url="/session/status"',
    'keepalive-url="/session/keepalive"',
    'signout-url="/logout"',
    'timeout-url="/login?timed-out=1"',
    'idle-seconds="30"',
    'timeout-seconds="90"',
  ]) {
    assert.ok(el.includes(attr), `element has ${attr}`);
  }
  assert.match(text, /<textarea id="notes"/);
  assert.match(text, /id="app-request"[^>]*>Make an app request</);
  assert.match(text, /id="server-idle"/);
  assert.match(text, /id="request-log"/);
  assert.match(text, /id="event-log"/);
  assert.match(text, /<form method="post" action="\/logout"/);
});

test('the protected page has the live timeline (hidden from assistive technology, with a text summary) and the limits form', async (t) => {
  const { client } = await demo(t, { idleSeconds: 20, timeoutSeconds: 50 });
  const token = await client.login();
  const { text } = await client.get('/');
  assert.match(text, /<div id="timeline" class="timeline" aria-hidden="true"><\/div>/);
  assert.match(text, /<figcaption id="timeline-summary"[^>]*>[^<]+<\/figcaption>/, 'a text alternative');
  assert.match(text, /<button type="button" id="timeline-pause"[^>]*aria-pressed="false">Pause<\/button>/, 'the moving picture can be paused');
  const form = /<form id="limits-form" method="post" action="\/demo\/limits"[^>]*>([\s\S]*?)<\/form>/.exec(text)?.[1];
  assert.ok(form, 'limits form present, posting to /demo/limits');
  assert.ok(form.includes(`<input type="hidden" name="_csrf" value="${token}">`), 'with the CSRF token');
  for (const [value, label] of [
    ['10,25', '10 s / 25 s'],
    ['20,50', '20 s / 50 s (default)'],
    ['780,900', '13 min / 15 min'],
  ]) {
    assert.match(form, new RegExp(`<button type="submit" name="preset" value="${value}" aria-pressed="(true|false)">${label.replace(/[()]/g, '\\$&')}</button>`));
  }
  assert.match(form, /<button[^>]*value="20,50" aria-pressed="true"/, 'the current limits are pressed');
  assert.match(form, /<label for="limit-idle">/);
  assert.match(form, /<input id="limit-idle" name="idleSeconds" type="number"[^>]* value="20">/);
  assert.match(form, /<input id="limit-timeout" name="timeoutSeconds" type="number"[^>]* value="50">/);
});

test('the protected page renders this session’s limits: element attributes, text, facts and form; other sessions keep the defaults', async (t) => {
  const { url, client } = await demo(t, { idleSeconds: 20, timeoutSeconds: 50 });
  const token = await client.login();
  const set = await client.post('/demo/limits', { json: { idleSeconds: 780, timeoutSeconds: 900 }, headers: { 'x-csrftoken': token } });
  assert.equal(set.status, 200);
  const page = await client.get('/');
  assert.equal(page.status, 200);
  assertSecurityHeaders(page, '/ with an override');
  assertNoInlineCode(page.text, '/ with an override');
  const el = /<session-timeout-dialog ([^>]*)>/.exec(page.text)?.[1];
  assert.ok(el.includes('idle-seconds="780"'), el);
  assert.ok(el.includes('timeout-seconds="900"'), el);
  assert.match(page.text, /After <strong id="idle-text">13 minutes<\/strong> without activity you get a warning; after\s+<strong id="timeout-text">15 minutes<\/strong>/);
  assert.match(page.text, /<dd id="server-limits"[^>]*>warn 780 s · end 900 s<\/dd>/);
  assert.match(page.text, /value="780,900" aria-pressed="true"/);
  assert.match(page.text, /value="20,50" aria-pressed="false"/);
  assert.match(page.text, /id="limit-idle"[^>]* value="780"/);

  const other = new Client(url);
  await other.login('bob');
  const theirs = /<session-timeout-dialog ([^>]*)>/.exec((await other.get('/')).text)?.[1];
  assert.ok(theirs.includes('idle-seconds="20"') && theirs.includes('timeout-seconds="50"'), theirs);

  const bad = await client.post('/demo/limits', { form: { _csrf: token, idleSeconds: '50', timeoutSeconds: '40' } });
  assert.equal(bad.status, 400);
  assertSecurityHeaders(bad, 'limits form error page');
  assertNoInlineCode(bad.text, 'limits form error page');
  assert.ok(bad.text.includes('idle-seconds="780"'), 'the error page still shows the current limits');
});

test('anonymous visitors are sent to /login?next=… and come back after signing in; next cannot leave the site', async (t) => {
  const { client } = await demo(t);
  const r = await client.get('/');
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), '/login?next=/');
  const form = await client.get('/login?next=/');
  assert.ok(form.text.includes('name="next" value="/"'));
  const token = /name="_csrf" value="([^"]+)"/.exec(form.text)[1];
  const evil = await new Client(client.base).get('/login?next=//evil.example/');
  assert.ok(!evil.text.includes('evil.example'), 'an off-site next is dropped');
  const signed = await client.post('/login', { form: { _csrf: token, username: 'ann', next: '//evil.example/' } });
  assert.equal(signed.status, 303);
  assert.equal(signed.headers.get('location'), '/');
  assert.equal((await client.get('/')).status, 200);
});

test('the sign-in form needs its CSRF token', async (t) => {
  const { client } = await demo(t);
  await client.get('/login');
  const without = await client.post('/login', { form: { username: 'ann' } });
  assert.equal(without.status, 403);
  assert.ok(!client.jar.has('sid'), 'no session created');
  const wrong = await client.post('/login', { form: { username: 'ann', _csrf: 'nope' } });
  assert.equal(wrong.status, 403);
  const token = /name="_csrf" value="([^"]+)"/.exec(wrong.text)[1];
  const empty = await client.post('/login', { form: { username: '   ', _csrf: token } });
  assert.equal(empty.status, 400);
  const ok = await client.post('/login', { form: { username: 'ann', _csrf: token } });
  assert.equal(ok.status, 303);
});

test('user-supplied text is escaped in pages', async (t) => {
  const { client } = await demo(t);
  await client.login('<img src=x onerror="alert(1)">&');
  const { text } = await client.get('/');
  assert.ok(text.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;'));
  assert.ok(!text.includes('<img src=x'));
});

test('/login?timed-out=1 says why and ends a still-live session', async (t) => {
  const { client } = await demo(t);
  await client.login();
  const r = await client.get('/login?timed-out=1', { headers: { 'sec-fetch-site': 'same-origin' } });
  assert.equal(r.status, 200);
  assert.ok(r.text.includes('You were signed out because you were inactive'));
  assert.equal((await client.status()).text, '{"status":"EXPIRED"}');
});

test('a cross-site link to /login?timed-out=1 does not sign anyone out', async (t) => {
  const { client } = await demo(t);
  await client.login();
  const r = await client.get('/login?timed-out=1', { headers: { 'sec-fetch-site': 'cross-site' } });
  assert.equal(r.status, 303);
  assert.equal((await client.status()).json.status, 'ACTIVE');
});

test('GET /logout?timed-out=1 (the timeout-url of the recipes) ends the session and keeps the reason for the sign-in page', async (t) => {
  const { client } = await demo(t);
  await client.login();
  const r = await client.get('/logout?timed-out=1', { headers: { 'sec-fetch-site': 'same-origin' } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/login?timed-out=1');
  assert.equal((await client.status()).text, '{"status":"EXPIRED"}');
  const again = await client.get('/logout?timed-out=1', { headers: { 'sec-fetch-site': 'same-origin' } });
  assert.equal(again.headers.get('location'), '/login?timed-out=1', 'already over (the server ended it first): the same landing');
  const landing = await client.get('/login?timed-out=1', { headers: { 'sec-fetch-site': 'same-origin' } });
  assert.ok(landing.text.includes('You were signed out because you were inactive'));
});

test('/favicon.ico leads to the demo icon (no 404 where a page names no icon)', async (t) => {
  const { client } = await demo(t);
  const r = await client.get('/favicon.ico');
  assert.equal(r.status, 301);
  assert.equal(r.headers.get('location'), '/static/favicon.svg');
  const icon = await client.get('/static/favicon.svg');
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type'), /^image\/svg\+xml/);
});

test('sign out: GET /logout from this site signs out; from elsewhere it asks; POST needs CSRF', async (t) => {
  const { client } = await demo(t);
  const token = await client.login();
  const asked = await client.get('/logout', { headers: { 'sec-fetch-site': 'cross-site' } });
  assert.equal(asked.status, 200);
  assert.match(asked.text, /<form method="post" action="\/logout"/);
  assert.equal((await client.status()).json.status, 'ACTIVE', 'a cross-site GET did not sign out');
  const noHeader = await client.get('/logout');
  assert.equal(noHeader.status, 200, 'no Sec-Fetch-Site and no Referer: ask');
  const forged = await client.post('/logout', { form: { _csrf: 'forged' } });
  assert.equal(forged.status, 403);
  assert.equal((await client.status()).json.status, 'ACTIVE');
  const posted = await client.post('/logout', { form: { _csrf: token } });
  assert.equal(posted.status, 303);
  assert.equal(posted.headers.get('location'), '/login?signed-out=1');
  assert.equal((await client.status()).text, '{"status":"EXPIRED"}');

  await client.login();
  const direct = await client.get('/logout', { headers: { 'sec-fetch-site': 'same-origin' } });
  assert.equal(direct.status, 303);
  assert.equal((await client.status()).text, '{"status":"EXPIRED"}');

  await client.login();
  const viaReferer = await client.get('/logout', { headers: { referer: `${client.base}/` } });
  assert.equal(viaReferer.status, 303, 'same-origin Referer counts when Sec-Fetch-Site is absent');
  const after = await client.get('/login?signed-out=1');
  assert.ok(after.text.includes('You have signed out.'));
});

test('the element file is served from dist/cdn, or a clear 503 while it is not built', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'std-cdn-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { client } = await demo(t, { cdnDir: dir });
  const missing = await client.get('/static/session-timeout-dialog.js');
  assert.equal(missing.status, 503);
  assert.match(missing.text, /not built yet.*npm run build/);
  await writeFile(path.join(dir, 'session-timeout-dialog.js'), 'export {};\n');
  const ok = await client.get('/static/session-timeout-dialog.js');
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type'), /javascript/);
  assert.equal(ok.text, 'export {};\n');
  assert.equal((await client.get('/static/session-timeout-dialog.js.map')).status, 404);
  await writeFile(path.join(dir, 'session-timeout-dialog.js.map'), '{}');
  assert.equal((await client.get('/static/session-timeout-dialog.js.map')).status, 200);
  const css = await client.get('/static/demo.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type'), /text\/css/);
  // demo.js and the modules it imports: served, and no HTML strings anywhere.
  const scripts = (await readdir(fileURLToPath(new URL('../../demo/public/', import.meta.url)))).filter((f) => f.endsWith('.js'));
  assert.ok(scripts.includes('demo.js'));
  for (const name of scripts) {
    const js = await client.get(`/static/${name}`);
    assert.equal(js.status, 200, name);
    assert.match(js.headers.get('content-type'), /javascript/, name);
    assert.doesNotMatch(js.text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, name);
  }
  assert.equal((await client.get('/static/../server.js')).status, 404);
});

test('the app request endpoint: 401 when anonymous, 403 without CSRF, 200 with it', async (t) => {
  const { client } = await demo(t);
  assert.equal((await client.post('/api/echo', { json: {} })).status, 401);
  const token = await client.login();
  assert.equal((await client.post('/api/echo', { json: {} })).status, 403);
  const ok = await client.post('/api/echo', { json: { message: 'x'.repeat(500) }, headers: { 'x-csrftoken': token } });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.message.length, 200);
  assert.equal((await client.get('/api/echo')).status, 405);
});

test('the live-panel stream is passive: 204 when anonymous, pushes requests, never extends the session', async (t) => {
  const { url, client } = await demo(t);
  const anon = await client.get('/demo/events');
  assert.equal(anon.status, 204);
  await client.login();
  await advance(url, 4);
  const controller = new AbortController();
  t.after(() => controller.abort());
  const res = await fetch(`${url}/demo/events`, { headers: { cookie: client.cookieHeader() }, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/event-stream/);
  assert.deepEqual(res.headers.getSetCookie(), []);
  const pending = readEvents(res, (events) => events.some((e) => e.event === 'request'));
  await new Promise((r) => setTimeout(r, 100));
  await client.status();
  const events = await pending;
  assert.equal(events[0].event, 'hello');
  assert.equal(events[0].data.state.phase, 'ACTIVE');
  assert.ok(events[0].data.state.idleMs >= 4000);
  const req = events.find((e) => e.event === 'request');
  assert.equal(req.data.path, '/session/status');
  assert.equal(req.data.counted, false);
  assert.equal(req.data.activity, 'passive');
  assert.ok(!('sid' in req.data), 'no session id in the stream');
  controller.abort();
  assert.equal((await client.status()).json.idleTime, 4, 'opening the stream was not activity');
});

test('the live-panel snapshot is the stream’s hello as JSON: passive, uncached, logged but never pushed, 401 when signed out', async (t) => {
  const { url, client } = await demo(t);
  const anon = await client.get('/demo/snapshot');
  assert.equal(anon.status, 401);
  assert.deepEqual(anon.json, { status: 'EXPIRED' });
  assert.match(anon.headers.get('cache-control'), /no-store/);
  assert.deepEqual(anon.setCookies, []);

  await client.login();
  await client.get('/');
  await advance(url, 4);
  const controller = new AbortController();
  t.after(() => controller.abort());
  const stream = await fetch(`${url}/demo/events`, { headers: { cookie: client.cookieHeader() }, signal: controller.signal });
  const pending = readEvents(stream, (events) => events.some((e) => e.event === 'request'));
  await new Promise((r) => setTimeout(r, 100));

  const r = await client.get('/demo/snapshot');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.match(r.headers.get('cache-control'), /no-store/);
  assert.deepEqual(r.setCookies, [], 'a passive path writes no cookie');
  assert.equal(r.json.state.phase, 'ACTIVE');
  assert.equal(r.json.state.idleMs, 4000);
  assert.ok(r.json.recent.some((e) => e.method === 'GET' && e.path === '/' && e.counted), 'the page load is in the history');
  assert.ok(r.json.recent.every((e) => !('sid' in e)), 'no session id in the snapshot');

  await client.status();
  const events = await pending;
  assert.equal(events[0].event, 'hello');
  assert.deepEqual(r.json, events[0].data, 'the same picture as the stream’s hello (the clock is frozen)');
  const pushed = events.filter((e) => e.event === 'request').map((e) => e.data.path);
  assert.deepEqual(pushed, ['/session/status'], 'the snapshot request itself is not pushed to the panel');
  controller.abort();

  assert.equal((await client.status()).json.idleTime, 4, 'reading the snapshot was not activity');
  const log = (await client.get('/__test/log')).json.filter((e) => e.path === '/demo/snapshot');
  assert.deepEqual(
    log.map(({ method, counted, activity, status }) => ({ method, counted, activity, status })),
    [
      { method: 'GET', counted: false, activity: 'anonymous', status: 401 },
      { method: 'GET', counted: false, activity: 'passive', status: 200 },
    ],
  );

  await advance(url, 60);
  const over = await client.get('/demo/snapshot');
  assert.equal(over.status, 401, 'a session past its timeout has no picture');
  assert.deepEqual(over.json, { status: 'EXPIRED' });
  assert.equal((await client.status()).json.status, 'EXPIRED');
});
