// server/session-timeout.js on its own: option validation and behaviour in
// minimal Express apps with express-session settings the demo does not use
// (rolling cookies, unset: 'destroy', custom paths, a disconnected store).

import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import express from 'express';
import session from 'express-session';
import { sessionTimeout, signIn, signOut, verifyCsrf, errorHandler, normalizeOptions, SESSION_KEY } from '../../server/session-timeout.js';
import { Client, manualClock } from './helpers.js';

/**
 * Build an app: express-session (options merged) → sessionTimeout(options)
 * → a few routes. Returns { url, client, store, st, now }.
 */
async function bareApp(t, { sessionOptions = {}, timeoutOptions = {}, withSession = true, routes } = {}) {
  const now = manualClock();
  const store = new session.MemoryStore();
  const st = sessionTimeout({ idleSeconds: 10, timeoutSeconds: 20, now, ...timeoutOptions });
  const app = express();
  if (withSession) {
    app.use(session({ secret: 's3cret', store, resave: false, saveUninitialized: false, name: 'sid', ...sessionOptions }));
  }
  app.use(express.json({ limit: '1kb' }));
  app.use(st);
  app.post('/signin', async (req, res) => {
    const token = await signIn(req, req.body?.user ?? 'ann');
    res.json({ token });
  });
  app.post('/signout', async (req, res) => {
    await signOut(req);
    res.json({ ok: true });
  });
  app.post('/guarded', (req, res) => res.status(verifyCsrf(req) ? 200 : 403).end());
  app.get('/page', (req, res) => res.json({ user: req.session?.user ?? null, token: res.locals.csrfToken ?? null }));
  app.get('/boom', () => {
    throw new Error('secret internal detail');
  });
  routes?.(app);
  app.use(errorHandler({ log: () => {} }));
  const server = http.createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, client: new Client(url), store, st, now };
}

test('options are validated with TypeErrors that name the option and value', () => {
  const bad = [
    [{ idleSeconds: 20, timeoutSeconds: 20 }, /idleSeconds \(20\) must be less than timeoutSeconds \(20\)/],
    [{ idleSeconds: 30, timeoutSeconds: 20 }, /idleSeconds \(30\) must be less than timeoutSeconds/],
    [{ idleSeconds: '10' }, /idleSeconds must be a whole number of seconds >= 1, got "10"/],
    [{ idleSeconds: 1.5 }, /idleSeconds must be a whole number/],
    [{ idleSeconds: 0 }, /idleSeconds must be a whole number/],
    [{ timeoutSeconds: Number.NaN }, /timeoutSeconds must be a whole number/],
    [{ expireSeconds: -1 }, /expireSeconds must be a whole number/],
    [{ gracePeriodSeconds: -1 }, /gracePeriodSeconds must be a whole number of seconds >= 0/],
    [{ idleSeconds: 10, timeoutSeconds: 20, gracePeriodSeconds: 10 }, /gracePeriodSeconds \(10\) must be less than idleSeconds \(10\)/],
    [{ statusPath: 'session/status' }, /statusPath must be a path starting with "\/"/],
    [{ statusPath: '/s?x=1' }, /statusPath must be a path/],
    [{ statusPath: '/same', keepalivePath: '/same' }, /must differ/],
    [{ passivePaths: '/x' }, /passivePaths must be an array/],
    [{ passivePaths: ['/session/keepalive'] }, /keepalivePath cannot be a passive path/],
    [{ now: 5 }, /now must be a function/],
    [{ isSignedIn: true }, /isSignedIn must be a function/],
    [{ allowGetKeepalive: 'yes' }, /allowGetKeepalive must be a boolean/],
    [{ csrf: 'x' }, /csrf must be an object/],
    [{ csrf: { header: 'bad header' } }, /csrf.header must be a token/],
    [null, /options must be an object/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => sessionTimeout(options), (err) => err instanceof TypeError && message.test(err.message), JSON.stringify(options));
  }
  const ok = normalizeOptions({ idleSeconds: 60, timeoutSeconds: 120, expireSeconds: null });
  assert.equal(ok.expireSeconds, null);
  assert.equal(ok.statusPath, '/session/status');
  assert.equal(ok.csrf.header, 'x-csrftoken');
  assert.equal(normalizeOptions({}).idleSeconds, 780, 'defaults match the element');
  assert.equal(normalizeOptions({}).timeoutSeconds, 900);
});

test('with rolling cookies and unset: "destroy", status still neither sets a cookie nor touches nor destroys', async (t) => {
  const { client, store, now } = await bareApp(t, { sessionOptions: { rolling: true, unset: 'destroy', cookie: { maxAge: 60_000 } } });
  await client.post('/signin', { json: { user: 'ann' } });
  const stored = JSON.stringify(store.sessions);
  now.advance(5);
  const r = await client.get('/session/status');
  assert.equal(r.json.idleTime, 5);
  assert.deepEqual(r.setCookies, [], 'rolling did not re-send the cookie');
  assert.equal(JSON.stringify(store.sessions), stored, 'no save, no touch');
  const page = await client.get('/page');
  assert.ok(page.setCookies.some((c) => c.startsWith('sid=')), 'a normal request does roll the cookie');
  assert.notEqual(JSON.stringify(store.sessions), stored);
});

test('status on an over session removes it from the store without writing it back', async (t) => {
  const { client, store, now } = await bareApp(t, { sessionOptions: { rolling: true, unset: 'destroy' } });
  await client.post('/signin', { json: {} });
  assert.equal(Object.keys(store.sessions).length, 1);
  now.advance(20);
  const r = await client.get('/session/status');
  assert.equal(r.text, '{"status":"EXPIRED"}');
  assert.deepEqual(r.setCookies, []);
  assert.equal(Object.keys(store.sessions).length, 0);
});

test('custom paths, csrf names and a passive path', async (t) => {
  const { client, now } = await bareApp(t, {
    timeoutOptions: { statusPath: '/api/s', keepalivePath: '/api/k', passivePaths: ['/poll'], csrf: { cookie: 'XSRF-TOKEN', header: 'X-XSRF-TOKEN' } },
    routes: (app) => app.get('/poll', (req, res) => res.json({ user: req.session.user ?? null })),
  });
  const { json } = await client.post('/signin', { json: {} });
  assert.equal(client.jar.get('XSRF-TOKEN'), json.token);
  now.advance(3);
  assert.equal((await client.get('/poll')).json.user, 'ann');
  assert.equal((await client.get('/api/s')).json.idleTime, 3, 'the passive path did not count');
  assert.equal((await client.post('/api/k', { headers: { 'x-csrftoken': json.token } })).status, 403, 'the default header name is not used');
  const k = await client.post('/api/k', { headers: { 'x-xsrf-token': json.token } });
  assert.equal(k.status, 200);
  assert.equal(k.json.idleTime, 0);
  assert.equal((await client.get('/session/status')).status, 404, 'default paths are not served');
  now.advance(25);
  assert.equal((await client.get('/poll')).json.user, null, 'an over session looks anonymous on a passive path too');
});

test('allowGetKeepalive: GET keepalive counts without CSRF; other methods get Allow: GET, POST', async (t) => {
  const { client, now } = await bareApp(t, { timeoutOptions: { allowGetKeepalive: true } });
  await client.post('/signin', { json: {} });
  now.advance(8);
  const r = await client.get('/session/keepalive');
  assert.equal(r.status, 200);
  assert.equal(r.json.idleTime, 0);
  const put = await client.request('/session/keepalive', { method: 'PUT' });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'GET, POST');
  assert.equal((await client.post('/session/keepalive')).status, 403, 'POST still needs CSRF');
});

test('verifyCsrf accepts the header or the form field, and signOut clears the token cookie', async (t) => {
  const { client } = await bareApp(t);
  const { json } = await client.post('/signin', { json: {} });
  assert.equal((await client.post('/guarded')).status, 403);
  assert.equal((await client.post('/guarded', { headers: { 'x-csrftoken': json.token } })).status, 200);
  assert.equal((await client.post('/guarded', { json: { _csrf: json.token } })).status, 200);
  assert.equal((await client.post('/guarded', { json: { _csrf: ['x'] } })).status, 403);
  const out = await client.post('/signout');
  assert.ok(out.setCookies.some((c) => /^csrftoken=;.*Max-Age=0/.test(c)));
  assert.equal((await client.get('/session/status')).text, '{"status":"EXPIRED"}');
  assert.equal((await client.get('/page')).json.token, null);
});

test('signIn issues a new token each time; res.locals.csrfToken follows the session', async (t) => {
  const { client } = await bareApp(t);
  const a = (await client.post('/signin', { json: {} })).json.token;
  assert.equal((await client.get('/page')).json.token, a);
  const b = (await client.post('/signin', { json: {} })).json.token;
  assert.notEqual(a, b);
  assert.equal((await client.get('/page')).json.token, b);
  // A browser that lost the readable cookie gets it again on its next request.
  client.jar.delete('csrftoken');
  const again = await client.get('/page');
  assert.ok(again.setCookies.some((c) => c.startsWith(`csrftoken=${b};`)));
});

test('a session signed in without signIn() gets its clocks on the next normal request', async (t) => {
  const { client, now } = await bareApp(t, {
    routes: (app) =>
      app.post('/legacy-login', (req, res) => {
        req.session.user = 'legacy';
        res.end();
      }),
  });
  await client.post('/legacy-login');
  // The login request itself already passed the middleware anonymous; the
  // status call cannot write, so it reports a fresh session.
  assert.deepEqual((await client.get('/session/status')).json, { status: 'ACTIVE', idleTime: 0, idleLimit: 10, timeoutLimit: 20 });
  await client.get('/page');
  now.advance(4);
  assert.equal((await client.get('/session/status')).json.idleTime, 4);
  assert.ok(client.jar.has('csrftoken'));
});

test('a custom isSignedIn decides who is signed in', async (t) => {
  const { client } = await bareApp(t, {
    timeoutOptions: { isSignedIn: (req) => typeof req.session?.uid === 'number' },
    routes: (app) =>
      app.post('/uid', (req, res) => {
        req.session.uid = 7;
        res.end();
      }),
  });
  await client.post('/signin', { json: {} }); // sets session.user, not uid
  assert.equal((await client.get('/session/status')).text, '{"status":"EXPIRED"}');
  await client.post('/uid');
  assert.equal((await client.get('/session/status')).json.status, 'ACTIVE');
});

test('without a session (store down, or express-session missing) status and keepalive answer 503, not EXPIRED', async (t) => {
  const { client } = await bareApp(t, { withSession: false });
  const s = await client.get('/session/status');
  assert.equal(s.status, 503);
  assert.deepEqual(s.json, { error: 'session-unavailable' });
  assert.equal((await client.post('/session/keepalive')).status, 503);
  assert.equal((await client.get('/page')).status, 200, 'other routes carry on');
});

test('a store that reports a disconnect makes status answer 503', async (t) => {
  const { client, store } = await bareApp(t);
  await client.post('/signin', { json: {} });
  store.emit('disconnect');
  assert.equal((await client.get('/session/status')).status, 503);
  store.emit('connect');
  assert.equal((await client.get('/session/status')).status, 200);
});

test('errorHandler hides messages and stacks of unexpected errors', async (t) => {
  const { client } = await bareApp(t);
  const r = await client.get('/boom');
  assert.equal(r.status, 500);
  assert.equal(r.text, '500 Internal Server Error\n');
  const j = await client.get('/boom', { headers: { accept: 'application/json' } });
  assert.deepEqual(j.json, { error: 'Internal Server Error' });
  const bad = await client.post('/signin', { headers: { 'content-type': 'application/json' }, body: '{' });
  assert.equal(bad.status, 400);
  assert.doesNotMatch(bad.text, /SyntaxError|at /);
});

test('the helpers refuse to work on a request that did not pass the middleware', () => {
  assert.throws(() => signIn({}, 'x'), /did not pass through sessionTimeout/);
  assert.throws(() => verifyCsrf({}), /did not pass through sessionTimeout/);
  assert.equal(SESSION_KEY, 'sessionTimeout');
});

test('describe/snapshot/isOver agree with the status endpoint', () => {
  const st = sessionTimeout({ idleSeconds: 10, timeoutSeconds: 20, expireSeconds: 100, now: () => 0 });
  const state = { startedAt: 0, lastActivity: 0, csrf: 't' };
  assert.deepEqual(st.describe(state, 10_999), { status: 'IDLE', idleTime: 10, idleLimit: 10, timeoutLimit: 20, expiresIn: 89 });
  assert.deepEqual(st.describe(state, 9_999), { status: 'ACTIVE', idleTime: 9, idleLimit: 10, timeoutLimit: 20, expiresIn: 90 });
  const sess = { user: 'a', [SESSION_KEY]: state };
  assert.equal(st.snapshot(sess, 5_000).phase, 'ACTIVE');
  assert.equal(st.snapshot(sess, 20_000).phase, 'TIMEOUT');
  assert.equal(st.isOver(sess, 19_999), false);
  assert.equal(st.isOver(sess, 20_000), true);
  assert.equal(st.isOver({ [SESSION_KEY]: state }, 50_000), false, 'anonymous data is never "over"');
  assert.deepEqual(st.snapshot(null), { phase: 'EXPIRED' });
});

test('flush and sign-out leave no empty session in the store, unless the app uses the new one', async (t) => {
  const { client, store, now } = await bareApp(t, {
    routes: (app) =>
      app.get('/flash', (req, res) => {
        if (!req.session.user) req.session.flash = 'You were signed out';
        res.end();
      }),
  });
  await client.post('/signin', { json: {} });
  assert.equal(Object.keys(store.sessions).length, 1);
  const out = await client.post('/signout');
  const sidCookies = out.setCookies.filter((c) => c.startsWith('sid='));
  assert.equal(sidCookies.length, 1, 'one sid cookie: the old one cleared, no new one for an empty session');
  assert.match(sidCookies[0], /^sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly/);
  assert.equal(client.jar.has('sid'), false, 'the browser forgets the session cookie');
  assert.equal(Object.keys(store.sessions).length, 0);

  await client.post('/signin', { json: {} });
  now.advance(30);
  const page = await client.get('/page');
  assert.equal(page.json.user, null, 'flushed on the way in');
  assert.equal(Object.keys(store.sessions).length, 0);

  await client.post('/signin', { json: {} });
  now.advance(30);
  const flash = await client.get('/flash');
  assert.ok(flash.setCookies.some((c) => c.startsWith('sid=')), 'a used new session is kept');
  assert.deepEqual(Object.values(store.sessions).map((s) => JSON.parse(s).flash), ['You were signed out']);
});
