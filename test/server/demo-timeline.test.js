// The demo's timeline and per-session limits: POST /demo/limits (CSRF,
// validation, isolation between sessions, activity), the middleware's
// `limits` option behind it, and what the live stream tells the timeline.

import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import express from 'express';
import session from 'express-session';
import { sessionTimeout, signIn, normalizeOptions } from '../../server/session-timeout.js';
import { parseLimits, MAX_LIMIT_SECONDS } from '../../demo/server.js';
import { startDemo, Client, advance, readEvents, manualClock, draftKeyOf } from './helpers.js';

async function demo(t, options = {}) {
  const d = await startDemo({ testHooks: true, idleSeconds: 20, timeoutSeconds: 50, ...options });
  t.after(() => d.close());
  return { ...d, client: new Client(d.url) };
}

const setLimits = (client, body, token = client.jar.get('csrftoken')) =>
  client.post('/demo/limits', { json: body, headers: token ? { 'x-csrftoken': token } : {} });

// ------------------------------------------------------------------ endpoint

test('POST /demo/limits needs the CSRF token and a signed-in session', async (t) => {
  const { client } = await demo(t);
  const anon = await setLimits(client, { idleSeconds: 10, timeoutSeconds: 25 });
  assert.equal(anon.status, 401);
  assert.deepEqual(anon.json, { status: 'EXPIRED' });

  await client.login();
  const missing = await setLimits(client, { idleSeconds: 10, timeoutSeconds: 25 }, null);
  assert.equal(missing.status, 403);
  assert.deepEqual(missing.json, { error: 'csrf' });
  const forged = await setLimits(client, { idleSeconds: 10, timeoutSeconds: 25 }, 'forged');
  assert.equal(forged.status, 403);
  const status = await client.status();
  assert.equal(status.json.idleLimit, 20, 'a rejected change leaves the limits alone');
  assert.equal(status.json.timeoutLimit, 50);

  const form = await client.post('/demo/limits', { form: { idleSeconds: '10', timeoutSeconds: '25' } });
  assert.equal(form.status, 403, 'a plain form post without _csrf is refused too');
  assert.equal((await client.status()).json.idleLimit, 20);

  assert.equal((await client.get('/demo/limits')).status, 405);
});

test('invalid limits get a 400 that says what is wrong, and change nothing', async (t) => {
  const { client } = await demo(t);
  await client.login();
  const cases = [
    [{ idleSeconds: 30, timeoutSeconds: 30 }, /must be less than the sign-out time/],
    [{ idleSeconds: 60, timeoutSeconds: 30 }, /warning time \(60 s\) must be less than the sign-out time \(30 s\)/],
    [{ idleSeconds: 0, timeoutSeconds: 30 }, /idleSeconds.*whole number of seconds, at least 1/],
    [{ idleSeconds: -5, timeoutSeconds: 30 }, /idleSeconds.*at least 1/],
    [{ idleSeconds: 1.5, timeoutSeconds: 30 }, /idleSeconds.*whole number/],
    [{ idleSeconds: '10s', timeoutSeconds: 30 }, /idleSeconds.*whole number.*"10s"/],
    [{ idleSeconds: 10 }, /timeoutSeconds.*got nothing/],
    [{ idleSeconds: 10, timeoutSeconds: MAX_LIMIT_SECONDS + 1 }, /timeoutSeconds\) can be at most 86400/],
    [{ idleSeconds: null, timeoutSeconds: true }, /idleSeconds.*timeoutSeconds/s],
    [{ preset: '10;25' }, /preset must look like "20,50"/],
    [{ preset: '25,10' }, /must be less than/],
  ];
  for (const [body, message] of cases) {
    const r = await setLimits(client, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error, 'invalid-limits');
    assert.match(r.json.message, message, JSON.stringify(body));
  }
  const broken = await client.post('/demo/limits', {
    body: '{"idleSeconds":',
    headers: { 'content-type': 'application/json', 'x-csrftoken': client.jar.get('csrftoken') },
  });
  assert.equal(broken.status, 400, 'unparsable JSON is a 400 too');
  const status = await client.status();
  assert.equal(status.json.idleLimit, 20);
  assert.equal(status.json.timeoutLimit, 50);
});

test('the grace period bounds the warning time from below', async (t) => {
  const { client } = await demo(t, { gracePeriodSeconds: 5 });
  await client.login();
  const r = await setLimits(client, { idleSeconds: 5, timeoutSeconds: 30 });
  assert.equal(r.status, 400);
  assert.match(r.json.message, /more than the grace period \(5 s\)/);
  assert.equal((await setLimits(client, { idleSeconds: 6, timeoutSeconds: 30 })).status, 200);
});

test('the override applies to this session only; status and keepalive report it', async (t) => {
  const { url, client } = await demo(t);
  const other = new Client(url);
  await client.login('ann');
  await other.login('bob');

  const r = await setLimits(client, { idleSeconds: 10, timeoutSeconds: 25 });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ok: true, idleSeconds: 10, timeoutSeconds: 25, isDefault: false });
  assert.match(r.headers.get('cache-control'), /no-store/);

  const mine = await client.status();
  assert.deepEqual(mine.json, { status: 'ACTIVE', idleTime: 0, idleLimit: 10, timeoutLimit: 25, draftKey: draftKeyOf('ann') });
  const theirs = await other.status();
  assert.equal(theirs.json.idleLimit, 20, 'another session keeps the defaults');
  assert.equal(theirs.json.timeoutLimit, 50);

  await advance(url, 10);
  assert.equal((await client.status()).json.status, 'IDLE', 'warning due at the new idle limit');
  assert.equal((await other.status()).json.status, 'ACTIVE');
  const kept = await client.keepalive();
  assert.deepEqual(kept.json, { status: 'ACTIVE', idleTime: 0, idleLimit: 10, timeoutLimit: 25, draftKey: draftKeyOf('ann'), priorIdleTime: 10 });

  await advance(url, 25);
  assert.equal((await client.status()).text, '{"status":"EXPIRED"}', 'over at the new timeout');
  const still = await other.status();
  assert.equal(still.json.status, 'IDLE', 'the other session lives on (35 s of 50)');
  assert.equal(still.json.idleTime, 35);
});

test('changing the limits is a request like any other: it counts as activity', async (t) => {
  const { url, client } = await demo(t);
  await client.login();
  await advance(url, 15);
  assert.equal((await client.status()).json.idleTime, 15);
  await setLimits(client, { idleSeconds: 30, timeoutSeconds: 90 });
  const after = await client.status();
  assert.equal(after.json.idleTime, 0);
  assert.equal(after.json.idleLimit, 30);
  assert.equal(after.json.timeoutLimit, 90);
  await advance(url, 60);
  assert.equal((await client.status()).json.status, 'IDLE', '60 s idle is still alive with a 90 s timeout');
});

test('longer limits too, up to one day; the defaults (or a reset) drop the override', async (t) => {
  const { url, client } = await demo(t);
  await client.login();
  const long = await setLimits(client, { idleSeconds: 780, timeoutSeconds: 900 });
  assert.equal(long.status, 200);
  await advance(url, 100);
  assert.equal((await client.status()).json.status, 'ACTIVE', 'past the default 50 s, alive with 900 s');
  assert.equal((await setLimits(client, { idleSeconds: '1', timeoutSeconds: String(MAX_LIMIT_SECONDS) })).status, 200, 'digit strings are fine');

  const reset = await setLimits(client, { reset: true });
  assert.deepEqual(reset.json, { ok: true, idleSeconds: 20, timeoutSeconds: 50, isDefault: true });
  await setLimits(client, { preset: '10,25' });
  assert.equal((await client.status()).json.timeoutLimit, 25, 'presets arrive as "idle,timeout"');
  const same = await setLimits(client, { idleSeconds: 20, timeoutSeconds: 50 });
  assert.equal(same.json.isDefault, true, 'the default values are no override');
  await setLimits(client, { preset: '10,25' });
  assert.equal((await setLimits(client, { preset: 'default' })).json.isDefault, true);
  assert.equal((await client.status()).json.timeoutLimit, 50);
});

test('a new sign-in starts with the defaults again', async (t) => {
  const { client } = await demo(t);
  await client.login();
  await setLimits(client, { idleSeconds: 10, timeoutSeconds: 25 });
  await client.login();
  assert.equal((await client.status()).json.timeoutLimit, 50);
});

test('without script: the form posts, comes back with 303, and a bad value re-renders the page with the error', async (t) => {
  const { client } = await demo(t);
  const token = await client.login();
  const ok = await client.post('/demo/limits', { form: { _csrf: token, preset: '10,25' } });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/');
  assert.equal((await client.status()).json.idleLimit, 10);
  const typed = await client.post('/demo/limits', { form: { _csrf: token, idleSeconds: '30', timeoutSeconds: '120' } });
  assert.equal(typed.status, 303);
  assert.equal((await client.status()).json.timeoutLimit, 120);

  const bad = await client.post('/demo/limits', { form: { _csrf: token, idleSeconds: '<b>9</b>', timeoutSeconds: '5' } });
  assert.equal(bad.status, 400);
  assert.match(bad.headers.get('content-type'), /^text\/html/);
  assert.match(bad.text, /<p id="limits-result" class="hint" role="status"><span class="error-text">The warning time \(idleSeconds\) must be a whole number/);
  assert.ok(bad.text.includes('&quot;&lt;b&gt;9&lt;/b&gt;&quot;'), 'the bad value is escaped');
  assert.ok(!bad.text.includes('<b>9</b>'));
  assert.equal((await client.status()).json.timeoutLimit, 120, 'unchanged');
});

test('the live stream tells the timeline the session limits, and the limits request as counted activity', async (t) => {
  const { url, client } = await demo(t);
  await client.login();
  await setLimits(client, { idleSeconds: 10, timeoutSeconds: 25 });
  const controller = new AbortController();
  t.after(() => controller.abort());
  const res = await fetch(`${url}/demo/events`, { headers: { cookie: client.cookieHeader() }, signal: controller.signal });
  const events = readEvents(res, (list) => list.some((e) => e.event === 'request' && e.data.path === '/demo/limits'));
  await new Promise((r) => setTimeout(r, 100));
  await setLimits(client, { idleSeconds: 12, timeoutSeconds: 30 });
  const list = await events;
  assert.equal(list[0].event, 'hello');
  assert.deepEqual(list[0].data.limits, { idleSeconds: 10, timeoutSeconds: 25 });
  assert.equal(list[0].data.state.idleLimit, 10);
  assert.equal(list[0].data.state.timeoutLimit, 25);
  assert.ok(list[0].data.recent.some((e) => e.path === '/demo/limits' && e.counted), 'recent history has the first change');
  const change = list.find((e) => e.event === 'request' && e.data.path === '/demo/limits');
  assert.equal(change.data.method, 'POST');
  assert.equal(change.data.counted, true);
  assert.equal(change.data.activity, 'counted');
  assert.equal(change.data.state.idleLimit, 12, 'the state after the request has the new limits');
  assert.equal(change.data.state.timeoutLimit, 30);
  assert.equal(typeof change.data.state.now, 'number', 'the server clock, to line the timeline up');
  assert.equal(typeof change.data.state.lastActivity, 'number');
});

test('parseLimits: numbers, digit strings, presets and reset', () => {
  const config = { gracePeriodSeconds: 0 };
  assert.deepEqual(parseLimits({ idleSeconds: 10, timeoutSeconds: 25 }, config), { idleSeconds: 10, timeoutSeconds: 25 });
  assert.deepEqual(parseLimits({ idleSeconds: ' 10 ', timeoutSeconds: '25' }, config), { idleSeconds: 10, timeoutSeconds: 25 });
  assert.deepEqual(parseLimits({ preset: '780,900', idleSeconds: 1 }, config), { idleSeconds: 780, timeoutSeconds: 900 }, 'a preset wins over typed values');
  assert.deepEqual(parseLimits({ reset: true }, config), { reset: true });
  assert.deepEqual(parseLimits({ reset: 'true' }, config), { reset: true });
  assert.match(parseLimits(undefined, config).error, /idleSeconds.*timeoutSeconds/s);
  assert.match(parseLimits({ idleSeconds: 1e21, timeoutSeconds: 2 }, config).error, /at most 86400/);
});

// ------------------------------------------------------------------ the middleware option

/** express-session → sessionTimeout({ limits: session.mine }) with a route to set them. */
async function limitsApp(t, timeoutOptions = {}) {
  const now = manualClock();
  const store = new session.MemoryStore();
  const calls = [];
  const st = sessionTimeout({
    idleSeconds: 10,
    timeoutSeconds: 20,
    now,
    limits: (req) => {
      calls.push(typeof req.url === 'string' ? 'request' : 'session');
      return req.session?.mine;
    },
    ...timeoutOptions,
  });
  const app = express();
  app.use(session({ secret: 's3cret', store, resave: false, saveUninitialized: false, name: 'sid' }));
  app.use(express.json());
  app.use(st);
  app.post('/signin', async (req, res) => res.json({ token: await signIn(req, 'ann') }));
  app.post('/mine', (req, res) => {
    req.session.mine = req.body;
    res.json(st.limitsFor(req));
  });
  const server = http.createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  );
  const url = `http://127.0.0.1:${server.address().port}`;
  return { client: new Client(url), store, st, now, calls };
}

test('sessionTimeout({ limits }): per-session limits for status, keepalive, expiry, snapshot and isOver', async (t) => {
  const { client, store, st, now, calls } = await limitsApp(t);
  await client.post('/signin', { json: {} });
  assert.deepEqual((await client.status()).json, { status: 'ACTIVE', idleTime: 0, idleLimit: 10, timeoutLimit: 20 }, 'no answer: the static limits');
  const set = await client.post('/mine', { json: { idleSeconds: 3, timeoutSeconds: 6 } });
  assert.deepEqual(set.json, { idleSeconds: 3, timeoutSeconds: 6 });
  now.advance(3);
  assert.deepEqual((await client.status()).json, { status: 'IDLE', idleTime: 3, idleLimit: 3, timeoutLimit: 6 });
  assert.ok(calls.includes('request'), 'called with the request in the middleware');

  const sid = decodeURIComponent(client.jar.get('sid')).slice(2).split('.')[0];
  const sess = await new Promise((resolve, reject) => store.get(sid, (err, s) => (err ? reject(err) : resolve(s))));
  assert.equal(st.snapshot(sess).timeoutLimit, 6);
  assert.equal(st.snapshot(sess).phase, 'IDLE');
  assert.equal(st.isOver(sess), false);
  assert.ok(calls.includes('session'), 'called with { session } by snapshot()/isOver()');
  now.advance(3);
  assert.equal(st.isOver(sess), true, 'over at the session’s own timeout (6 s), not the static 20 s');
  assert.equal(st.snapshot(sess).phase, 'TIMEOUT');
  assert.equal((await client.status()).text, '{"status":"EXPIRED"}');
  assert.equal((await client.keepalive()).status, 401);
});

test('sessionTimeout({ limits }): partial answers keep the static other half; invalid answers fall back to the static limits', async (t) => {
  const { client } = await limitsApp(t, { gracePeriodSeconds: 2 });
  await client.post('/signin', { json: {} });
  const check = async (mine, expected, label) => {
    const r = await client.post('/mine', { json: mine });
    assert.deepEqual(r.json, expected, label);
    const s = await client.status();
    assert.equal(s.json.idleLimit, expected.idleSeconds, label);
    assert.equal(s.json.timeoutLimit, expected.timeoutSeconds, label);
  };
  await check({ timeoutSeconds: 60 }, { idleSeconds: 10, timeoutSeconds: 60 }, 'only a timeout');
  await check({ idleSeconds: 5 }, { idleSeconds: 5, timeoutSeconds: 20 }, 'only an idle limit');
  const statics = { idleSeconds: 10, timeoutSeconds: 20 };
  await check({ idleSeconds: 30 }, statics, 'idle >= timeout');
  await check({ idleSeconds: 4, timeoutSeconds: 4 }, statics, 'equal');
  await check({ idleSeconds: 2, timeoutSeconds: 9 }, statics, 'idle within the grace period');
  await check({ idleSeconds: 3.5, timeoutSeconds: 9 }, statics, 'not whole seconds');
  await check({ idleSeconds: '3', timeoutSeconds: 9 }, statics, 'a string');
  await check({ idleSeconds: 0, timeoutSeconds: 9 }, statics, 'zero');
});

test('sessionTimeout({ limits }): must be a function when given; limitsFor and describe without it', () => {
  assert.throws(() => normalizeOptions({ limits: 5 }), /sessionTimeout: limits must be a function, got 5/);
  assert.throws(() => normalizeOptions({ limits: { idleSeconds: 5 } }), /limits must be a function/);
  assert.equal(normalizeOptions({}).limits, null);
  assert.equal(normalizeOptions({ limits: null }).limits, null);
  const st = sessionTimeout({ idleSeconds: 10, timeoutSeconds: 20 });
  assert.deepEqual(st.limitsFor({ session: { anything: 1 } }), { idleSeconds: 10, timeoutSeconds: 20 });
  const state = { startedAt: 0, lastActivity: 0, csrf: 'x' };
  assert.deepEqual(st.describe(state, 4000), { status: 'ACTIVE', idleTime: 4, idleLimit: 10, timeoutLimit: 20 });
  assert.deepEqual(st.describe(state, 4000, { limits: { idleSeconds: 3, timeoutSeconds: 8 } }), {
    status: 'IDLE',
    idleTime: 4,
    idleLimit: 3,
    timeoutLimit: 8,
  });
});
