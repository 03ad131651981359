// The session-timeout wire protocol (docs/design.md, server contract) as served by the demo app,
// which runs server/session-timeout.js on express-session. The server clock
// is moved with the /__test/clock hook; nothing here sleeps.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, Client, advance, draftKeyOf } from './helpers.js';

async function demo(t, options = {}) {
  const d = await startDemo({ testHooks: true, ...options });
  t.after(() => d.close());
  return { ...d, client: new Client(d.url) };
}

test('anonymous status is exactly {"status":"EXPIRED"}, uncached, and sets no cookie', async (t) => {
  const { client } = await demo(t);
  const r = await client.status();
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"status":"EXPIRED"}');
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.deepEqual(r.setCookies, []);
  assert.equal(r.headers.get('x-csrf-token'), null);
});

test('status reports ACTIVE then IDLE with floored idleTime and the limits, nothing else', async (t) => {
  const { url, client } = await demo(t);
  await client.login();
  await advance(url, 5.7);
  let r = await client.status();
  assert.deepEqual(r.json, { status: 'ACTIVE', idleTime: 5, idleLimit: 20, timeoutLimit: 50, draftKey: draftKeyOf('ann') });
  assert.deepEqual(Object.keys(r.json), ['status', 'idleTime', 'idleLimit', 'timeoutLimit', 'draftKey']);
  await advance(url, 15);
  r = await client.status();
  assert.equal(r.json.status, 'IDLE');
  assert.equal(r.json.idleTime, 20);
});

test('status never counts as activity: idleTime keeps growing across status calls', async (t) => {
  const { url, client } = await demo(t);
  await client.login();
  const seen = [];
  for (let i = 0; i < 4; i++) {
    await advance(url, 7);
    const r = await client.status();
    assert.deepEqual(r.setCookies, [], 'status never sets a cookie');
    seen.push(r.json.idleTime);
  }
  assert.deepEqual(seen, [7, 14, 21, 28]);
});

test('status neither saves nor touches the stored session', async (t) => {
  const { url, app, client } = await demo(t);
  await client.login();
  const store = app.demo.store;
  const snapshot = () => JSON.stringify(store.sessions);
  const before = snapshot();
  await advance(url, 3);
  await client.status();
  await client.get('/session/status?x=1');
  assert.equal(snapshot(), before, 'store content (including cookie expiry data) unchanged');
});

test('keepalive with the CSRF header extends: idleTime 0, the idle time it ended as priorIdleTime, token echoed in X-CSRF-Token', async (t) => {
  const { url, client } = await demo(t);
  const token = await client.login();
  await advance(url, 15);
  const r = await client.keepalive(token);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ACTIVE', idleTime: 0, idleLimit: 20, timeoutLimit: 50, draftKey: draftKeyOf('ann'), priorIdleTime: 15 });
  assert.equal(r.headers.get('x-csrf-token'), token);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  await advance(url, 3);
  assert.equal((await client.status()).json.idleTime, 3);
});

test('keepalive without or with a wrong CSRF token is 403 {"error":"csrf"} and does not extend', async (t) => {
  const { url, client } = await demo(t);
  const token = await client.login();
  await advance(url, 10);
  const none = await client.post('/session/keepalive');
  assert.equal(none.status, 403);
  assert.deepEqual(none.json, { error: 'csrf' });
  const wrong = await client.keepalive('not-the-token');
  assert.equal(wrong.status, 403);
  const almost = await client.keepalive(`${token.slice(0, -1)}x`);
  assert.equal(almost.status, 403);
  assert.equal((await client.status()).json.idleTime, 10, 'rejected keepalives did not move the clock');
  const ok = await client.keepalive(token);
  assert.equal(ok.status, 200);
});

test('the CSRF token is in a readable csrftoken cookie and in <meta name="csrf-token">', async (t) => {
  const { client } = await demo(t);
  const token = await client.login();
  assert.equal(client.jar.get('csrftoken'), token);
  const page = await client.get('/');
  assert.ok(page.text.includes(`<meta name="csrf-token" content="${token}">`));
});

test('methods: GET keepalive and PUT/DELETE/PATCH on either path are 405 with Allow', async (t) => {
  const { client } = await demo(t);
  await client.login();
  const getKeepalive = await client.get('/session/keepalive');
  assert.equal(getKeepalive.status, 405);
  assert.equal(getKeepalive.headers.get('allow'), 'POST');
  for (const method of ['PUT', 'DELETE', 'PATCH', 'POST', 'PROPFIND']) {
    const r = await client.request('/session/status', { method });
    assert.equal(r.status, 405, `${method} status`);
    assert.equal(r.headers.get('allow'), 'GET, HEAD');
    assert.deepEqual(r.setCookies, []);
  }
  for (const method of ['PUT', 'DELETE', 'PATCH']) {
    const r = await client.request('/session/keepalive', { method });
    assert.equal(r.status, 405, `${method} keepalive`);
  }
  const head = await client.request('/session/status', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal((await client.status()).status, 200, 'still serving');
});

test('expiry: at the timeout the session is flushed; status EXPIRED exactly, keepalive 401, pages redirect', async (t) => {
  const { url, client } = await demo(t);
  const token = await client.login();
  await advance(url, 49.5);
  assert.equal((await client.status()).json.status, 'IDLE', 'still alive just before the timeout');
  await advance(url, 0.5);
  const status = await client.status();
  assert.equal(status.text, '{"status":"EXPIRED"}');
  const keepalive = await client.keepalive(token);
  assert.equal(keepalive.status, 401);
  assert.equal(keepalive.text, '{"status":"EXPIRED"}');
  const page = await client.get('/');
  assert.equal(page.status, 302);
  assert.equal(page.headers.get('location'), '/login?next=/');
});

test('expiry is enforced on any request: an app request after the timeout meets an anonymous session', async (t) => {
  const { url, client } = await demo(t);
  const token = await client.login();
  await advance(url, 60);
  const echo = await client.post('/api/echo', { json: { message: 'hi' }, headers: { 'x-csrftoken': token } });
  assert.equal(echo.status, 401);
  assert.ok(!client.jar.has('csrftoken'), 'the stale CSRF cookie is cleared');
  // The old session is gone from the store, even if the old cookie comes back.
  await advance(url, -60);
  assert.equal((await client.status()).text, '{"status":"EXPIRED"}');
});

test('an app request counts as activity', async (t) => {
  const { url, client } = await demo(t);
  const token = await client.login();
  await advance(url, 30);
  const echo = await client.post('/api/echo', { json: { message: 'hi' }, headers: { 'x-csrftoken': token } });
  assert.equal(echo.status, 200);
  assert.equal(echo.json.message, 'hi');
  assert.equal((await client.status()).json.idleTime, 0);
});

test('grace period: activity within it does not move lastActivity, after it does', async (t) => {
  const { url, client } = await demo(t, { gracePeriodSeconds: 5 });
  const token = await client.login();
  await advance(url, 3);
  let r = await client.keepalive(token);
  assert.equal(r.status, 200);
  assert.equal(r.json.idleTime, 3, 'keepalive within the grace period reports the real idle time');
  await client.post('/api/echo', { json: {}, headers: { 'x-csrftoken': token } });
  await advance(url, 1);
  assert.equal((await client.status()).json.idleTime, 4, 'app request within the grace period did not move it');
  await advance(url, 1);
  r = await client.keepalive(token);
  assert.equal(r.json.idleTime, 0, '5 s after the last write the keepalive is written');
  await advance(url, 2);
  assert.equal((await client.status()).json.idleTime, 2);
});

test('absolute lifetime: expiresIn counts down and the session ends then despite activity', async (t) => {
  const { url, client } = await demo(t, { idleSeconds: 10, timeoutSeconds: 20, expireSeconds: 30 });
  const token = await client.login();
  // Half-second offsets keep the real milliseconds between requests away from
  // the whole-second boundaries (expiresIn is floored, like idleTime).
  await advance(url, 0.5);
  let r = await client.status();
  assert.deepEqual(r.json, { status: 'ACTIVE', idleTime: 0, idleLimit: 10, timeoutLimit: 20, expiresIn: 29, draftKey: draftKeyOf('ann') });
  for (let i = 0; i < 3; i++) {
    await advance(url, 9);
    r = await client.keepalive(token);
    assert.equal(r.status, 200);
    assert.equal(r.json.idleTime, 0);
  }
  assert.equal(r.json.expiresIn, 2);
  await advance(url, 2);
  assert.equal((await client.status()).json.expiresIn, 0);
  await advance(url, 0.5);
  assert.equal((await client.status()).text, '{"status":"EXPIRED"}');
  assert.equal((await client.keepalive(token)).status, 401);
});

test('sign-in regenerates the session id (no fixation), and the old id is dead', async (t) => {
  const { url, client } = await demo(t);
  await client.login('ann');
  const first = client.jar.get('sid');
  const oldClient = new Client(url);
  oldClient.jar.set('sid', first);
  // Sign in again through the real form, carrying the existing session.
  const form = await client.get('/login?next=/');
  assert.equal(form.status, 303, 'signed-in visitors are sent on');
  // A browser that got the form while anonymous and now carries a known,
  // live session id (as after a fixation attempt) signs in.
  const fresh = new Client(url);
  const page = await fresh.get('/login');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)[1];
  fresh.jar.set('sid', first);
  const signed = await fresh.post('/login', { form: { _csrf: token, username: 'bob', next: '/' } });
  assert.equal(signed.status, 303);
  assert.equal(signed.headers.get('location'), '/');
  const second = fresh.jar.get('sid');
  assert.ok(second && second !== first, 'a new session id was issued');
  assert.equal((await oldClient.status()).text, '{"status":"EXPIRED"}', 'the pre-login id no longer works');
  assert.equal((await fresh.status()).json.status, 'ACTIVE');
});

test('session cookie flags: HttpOnly, SameSite=Lax, Path=/, no Secure on plain HTTP; csrftoken readable', async (t) => {
  const { client } = await demo(t);
  const r = await client.post('/__test/login', { json: { user: 'ann' } });
  const sid = r.setCookies.find((c) => c.startsWith('sid='));
  assert.ok(sid, 'sid cookie set');
  assert.match(sid, /;\s*HttpOnly/i);
  assert.match(sid, /;\s*SameSite=Lax/i);
  assert.match(sid, /;\s*Path=\//i);
  assert.doesNotMatch(sid, /;\s*Secure/i);
  const csrf = r.setCookies.find((c) => c.startsWith('csrftoken='));
  assert.ok(csrf);
  assert.doesNotMatch(csrf, /HttpOnly/i);
  assert.match(csrf, /SameSite=Lax/i);
});

test('behind a trusted proxy, HTTPS requests get Secure cookies', async (t) => {
  const { client } = await demo(t, { trustProxy: 'loopback' });
  const r = await client.post('/__test/login', { json: { user: 'ann' }, headers: { 'x-forwarded-proto': 'https' } });
  const sid = r.setCookies.find((c) => c.startsWith('sid='));
  assert.match(sid, /;\s*Secure/i);
  assert.match(r.setCookies.find((c) => c.startsWith('csrftoken=')), /;\s*Secure/i);
});

test('without TRUST_PROXY, X-Forwarded-Proto is ignored', async (t) => {
  const { client } = await demo(t);
  const r = await client.post('/__test/login', { json: { user: 'ann' }, headers: { 'x-forwarded-proto': 'https' } });
  assert.doesNotMatch(r.setCookies.find((c) => c.startsWith('sid=')), /Secure/i);
});
