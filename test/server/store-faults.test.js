// The reference server when its session store fails: a keepalive confirms
// only what the store saved (a store whose writes fail; a real Redis at
// maxmemory with noeviction), and with Redis killed (SIGKILL) status and
// keepalive answer 503 at once, nothing is applied late, and service returns
// by itself when Redis is back. With Redis frozen (SIGSTOP) while a
// keepalive's write is already on its way, the write is refused when Redis
// wakes; and a request's store calls share one deadline. Real stores
// throughout; the middleware's clock is a manual one, so idle times are
// exact.

import test from 'node:test';
import assert from 'node:assert/strict';
import session from 'express-session';
import { createClient } from 'redis';
import { Client, manualClock } from './helpers.js';
import { skipRedis, startRedis } from './redis-server.js';
import { sessionIdOf, storeApp } from './store-app.js';

/** A memory store whose writes fail while `failing` is true (reads still work). */
class FlakyStore extends session.MemoryStore {
  failing = false;
  writes = 0;

  set(sid, sess, cb) {
    this.writes += 1;
    if (this.failing) {
      process.nextTick(cb, Object.assign(new Error('write refused'), { code: 'EWRITE' }));
      return;
    }
    super.set(sid, sess, cb);
  }
}

async function signedIn(url) {
  const client = new Client(url);
  const token = (await client.post('/signin', { json: { user: 'ann' } })).json.token;
  return { client, token };
}

/** A status and a keepalive of this session at once, each given up after 5 s (a hang fails the test). */
function statusAndKeepalive(client, token) {
  return Promise.all([
    client.get('/session/status', { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) }),
    client.post('/session/keepalive', { headers: { 'x-csrftoken': token, accept: 'application/json' }, signal: AbortSignal.timeout(5000) }),
  ]);
}

/** Status, asked every 20 ms while it answers 503 (at most 10 s): the first answer once the store is back. */
async function statusOnceBack(client) {
  const back = Date.now();
  let status;
  do {
    status = await client.get('/session/status', { signal: AbortSignal.timeout(5000) });
    if (status.status === 503) await new Promise((r) => setTimeout(r, 20));
  } while (status.status === 503 && Date.now() - back < 10_000);
  return status;
}

/** A memory store that records its writes ('set', 'touch') in `calls`. */
class CountingStore extends session.MemoryStore {
  calls = [];
  set(sid, sess, cb) {
    this.calls.push('set');
    super.set(sid, sess, cb);
  }
  touch(sid, sess, cb) {
    this.calls.push('touch');
    super.touch(sid, sess, cb);
  }
}

/** A plain client on the test's redis-server, to look at what Redis holds (closed after `t`). */
async function adminClient(t, url) {
  const admin = createClient({ url });
  admin.on('error', () => {}); // the server stops before this client at the end
  await admin.connect();
  t.after(() => admin.close());
  return admin;
}

/** How many write commands (SET, and EVAL, which the guarded write uses) Redis has run. */
async function writesRun(admin) {
  const info = await admin.info('commandstats');
  let n = 0;
  for (const m of info.matchAll(/^cmdstat_(set|eval|evalsha):calls=(\d+)/gm)) n += Number(m[2]);
  return n;
}

/** The session data Redis holds for the client's session cookie. */
async function storedState(admin, client) {
  const raw = await admin.get(`sess:${sessionIdOf(client.jar.get('sid'))}`);
  return raw === null ? null : JSON.parse(raw).sessionTimeout;
}

/** Answers once Redis (thawed) has worked through what it was sent while frozen. */
async function drained(admin) {
  await admin.ping();
}

/** A clock that moves 1 ms on every read (so each keepalive writes its own activity time), plus advance(). */
function tickingClock(start = 1_700_000_000_000) {
  let t = start;
  const now = () => (t += 1);
  now.advance = (s) => {
    t += s * 1000;
  };
  return now;
}

test('a keepalive the store could not save is a 503 with Retry-After, and the idle clock is not reset', async (t) => {
  const now = manualClock();
  const store = new FlakyStore();
  const { url } = await storeApp(t, { store, timeoutOptions: { now } });
  const { client, token } = await signedIn(url);
  now.advance(100);

  store.failing = true;
  const failed = await client.keepalive(token);
  assert.equal(failed.status, 503);
  assert.equal(failed.headers.get('retry-after'), '2');
  assert.deepEqual(failed.json, { error: 'session-unsaved' });
  const writesAfterFailure = store.writes;
  const status = await client.status();
  assert.deepEqual(status.json, { status: 'ACTIVE', idleTime: 100, idleLimit: 600, timeoutLimit: 1200 }, 'the session still shows its real idle time');
  assert.equal(store.writes, writesAfterFailure, 'nothing retried the write later');

  store.failing = false;
  const ok = await client.keepalive(token);
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.json, { status: 'ACTIVE', idleTime: 0, idleLimit: 600, timeoutLimit: 1200, priorIdleTime: 100 });
  now.advance(5);
  assert.equal((await client.status()).json.idleTime, 5, 'the saved keepalive moved the clock');
});

test('Redis at maxmemory with noeviction: keepalive answers 503 instead of a success that was not stored', { skip: skipRedis, timeout: 30_000 }, async (t) => {
  const redisServer = await startRedis(t, { args: ['--maxmemory-policy', 'noeviction'] });
  const now = manualClock();
  const { url } = await storeApp(t, { redisUrl: redisServer.url, timeoutOptions: { now } });
  const admin = await adminClient(t, redisServer.url);
  const { client, token } = await signedIn(url);
  now.advance(100);

  // Full: Redis now refuses every write that needs memory (OOM), reads still work.
  await admin.configSet('maxmemory', '1');
  const failed = await client.keepalive(token);
  assert.equal(failed.status, 503);
  assert.equal(failed.headers.get('retry-after'), '2');
  assert.equal((await client.status()).json.idleTime, 100, 'the idle clock was not reset');

  await admin.configSet('maxmemory', '0');
  const ok = await client.keepalive(token);
  assert.equal(ok.status, 200);
  assert.equal(ok.json.priorIdleTime, 100);
  assert.equal((await client.status()).json.idleTime, 0);
});

test('Redis killed: status and keepalive answer 503 at once, nothing is applied late, service returns by itself', { skip: skipRedis, timeout: 60_000 }, async (t) => {
  const redisServer = await startRedis(t);
  const now = manualClock();
  const { url } = await storeApp(t, { redisUrl: redisServer.url, timeoutOptions: { now } });
  const { client, token } = await signedIn(url);
  now.advance(100);

  await redisServer.kill();
  // Every call is bounded by an abort far above the target (1 s): an abort
  // is a hang, and fails the test. The times are printed for the record.
  const down = [];
  for (let round = 0; round < 3; round++) {
    const started = Date.now();
    const answers = await Promise.all([
      client.get('/session/status', { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) }),
      client.post('/session/keepalive', { headers: { 'x-csrftoken': token, accept: 'application/json' }, signal: AbortSignal.timeout(5000) }),
      client.post('/session/keepalive', { headers: { 'x-csrftoken': token, accept: 'application/json' }, signal: AbortSignal.timeout(5000) }),
    ]);
    down.push(Date.now() - started);
    for (const answer of answers) {
      assert.equal(answer.status, 503, answer.text);
      assert.equal(answer.headers.get('retry-after'), '2');
      assert.deepEqual(answer.json, { error: 'session-unavailable' });
    }
  }

  await redisServer.restart();
  const back = Date.now();
  const status = await statusOnceBack(client);
  const recovered = Date.now() - back;
  t.diagnostic(`503 answered within ${Math.max(...down)} ms of the request while Redis was down; service back ${recovered} ms after Redis`);
  // Redis ran without persistence, so the session died with it: EXPIRED, and
  // none of the keepalives refused during the outage wrote it back.
  assert.equal(status.status, 200, `service returned without a restart (${recovered} ms)`);
  assert.deepEqual(status.json, { status: 'EXPIRED' });
  const admin = await adminClient(t, redisServer.url);
  assert.deepEqual(await admin.keys('sess:*'), [], 'no keepalive from the outage was applied late');

  // Full service, same process: sign in again and keep alive.
  const again = await signedIn(url);
  now.advance(7);
  const k = await again.client.keepalive(again.token);
  assert.equal(k.status, 200);
  assert.equal(k.json.priorIdleTime, 7);
});

/** A memory store whose calls never call back while `hung` is true, as a store that waits for ever. */
class HungStore extends session.MemoryStore {
  hung = false;
  get(sid, cb) {
    if (!this.hung) super.get(sid, cb);
  }
  set(sid, sess, cb) {
    if (!this.hung) super.set(sid, sess, cb);
  }
}

test('a store that never answers: status and keepalive answer 503 within about a second, not never', async (t) => {
  const now = manualClock();
  const store = new HungStore();
  const { url } = await storeApp(t, { store, timeoutOptions: { now } });
  const { client, token } = await signedIn(url);
  now.advance(100);
  store.hung = true;
  const started = Date.now();
  const answers = await statusAndKeepalive(client, token);
  t.diagnostic(`503 after ${Date.now() - started} ms with a store that never answers`);
  for (const answer of answers) {
    assert.equal(answer.status, 503, answer.text);
    assert.equal(answer.headers.get('retry-after'), '2');
  }
  store.hung = false;
  const status = await client.status();
  assert.deepEqual(status.json, { status: 'ACTIVE', idleTime: 100, idleLimit: 600, timeoutLimit: 1200 }, 'nothing was applied');
});

test('Redis frozen (SIGSTOP, sockets left open): 503 within about a second, nothing applied when it wakes', { skip: skipRedis, timeout: 60_000 }, async (t) => {
  const redisServer = await startRedis(t);
  t.after(() => redisServer.thaw());
  const now = manualClock();
  const { url } = await storeApp(t, { redisUrl: redisServer.url, timeoutOptions: { now } });
  const { client, token } = await signedIn(url);
  now.advance(15);

  redisServer.freeze();
  const started = Date.now();
  const answers = await statusAndKeepalive(client, token);
  t.diagnostic(`503 after ${Date.now() - started} ms with Redis frozen`);
  for (const answer of answers) assert.equal(answer.status, 503, answer.text);

  redisServer.thaw();
  const status = await statusOnceBack(client);
  assert.equal(status.status, 200);
  assert.equal(status.json.idleTime, 15, 'the keepalive sent while Redis was frozen was never applied');
});


test('Redis frozen with the keepalive\'s write already sent: 503, and when Redis wakes the write is refused, not applied late', { skip: skipRedis, timeout: 60_000 }, async (t) => {
  const redisServer = await startRedis(t);
  t.after(() => redisServer.thaw());
  const now = manualClock();
  const { url, store } = await storeApp(t, { redisUrl: redisServer.url, timeoutOptions: { now } });
  const admin = await adminClient(t, redisServer.url);
  const { client, token } = await signedIn(url);
  now.advance(100);

  // Freeze Redis at the moment the keepalive's save starts, so its write goes
  // to a Redis that holds it, unrun, until it wakes.
  const save = store.set;
  store.set = function freezeFirst(...args) {
    store.set = save;
    redisServer.freeze();
    return save.apply(this, args);
  };
  const writesBefore = await writesRun(admin);
  const answer = await client.post('/session/keepalive', { headers: { 'x-csrftoken': token, accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
  assert.equal(answer.status, 503, answer.text);
  assert.equal(answer.headers.get('retry-after'), '2');

  redisServer.thaw();
  await drained(admin);
  assert.equal(await writesRun(admin), writesBefore + 1, 'the keepalive\'s write reached Redis and was run after it woke');
  assert.equal((await client.status()).json.idleTime, 100, 'the idle clock was not reset by the write the browser was told failed');
  const next = await client.keepalive(token);
  assert.equal(next.status, 200, 'the next keepalive is saved');
  assert.equal(next.json.priorIdleTime, 100);
});

test('a burst of keepalives with Redis frozen mid-burst: no write answered 503 is applied when Redis wakes', { skip: skipRedis, timeout: 60_000 }, async (t) => {
  const TRIALS = 6;
  const SESSIONS = 4;
  const PER_SESSION = 10;
  const redisServer = await startRedis(t);
  t.after(() => redisServer.thaw());
  const now = tickingClock();
  const { url, store } = await storeApp(t, { redisUrl: redisServer.url, timeoutOptions: { now } });
  const admin = await adminClient(t, redisServer.url);
  // Every keepalive write, with what the request was told: 'ok', 'failed', or pending.
  /** @type {Map<number, string>} lastActivity written → outcome */
  let outcomes = new Map();
  let writesUntilFreeze = Infinity;
  let guardedSet;
  const record = function recordAndFreeze(sid, sess, cb) {
    const written = sess.sessionTimeout.lastActivity;
    if (--writesUntilFreeze === 0) redisServer.freeze();
    outcomes.set(written, 'pending');
    return guardedSet.call(this, sid, sess, (err, ...rest) => {
      outcomes.set(written, err ? 'failed' : 'ok');
      cb?.(err, ...rest);
    });
  };

  let unconfirmed = 0;
  let late = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const sessions = [];
    for (let i = 0; i < SESSIONS; i++) sessions.push(await signedIn(url));
    // The middleware guards the store on first use: record outside its guard.
    if (!guardedSet) {
      guardedSet = store.set;
      store.set = record;
    }
    const initial = await Promise.all(sessions.map(({ client }) => storedState(admin, client)));
    now.advance(100);
    outcomes = new Map();
    // Freeze at a different write in each trial, from the first to the last.
    writesUntilFreeze = 1 + Math.floor((trial * (SESSIONS * PER_SESSION - 1)) / (TRIALS - 1));
    const answers = await Promise.all(
      sessions.flatMap(({ client, token }) =>
        Array.from({ length: PER_SESSION }, () =>
          client.post('/session/keepalive', { headers: { 'x-csrftoken': token, accept: 'application/json' }, signal: AbortSignal.timeout(5000) }),
        ),
      ),
    );
    for (const answer of answers) assert.ok(answer.status === 200 || answer.status === 503, `${answer.status} ${answer.text}`);
    assert.ok(answers.some((a) => a.status === 503), 'the freeze caught keepalives');
    redisServer.thaw();
    writesUntilFreeze = Infinity;
    await drained(admin);
    unconfirmed += [...outcomes.values()].filter((o) => o === 'failed').length;
    for (const [i, { client }] of sessions.entries()) {
      const stored = await storedState(admin, client);
      const outcome = stored.lastActivity === initial[i].lastActivity ? 'ok' : outcomes.get(stored.lastActivity);
      if (outcome !== 'ok') late += 1;
    }
  }
  t.diagnostic(`${TRIALS} trials of ${SESSIONS * PER_SESSION} keepalives: ${unconfirmed} writes answered 503 while Redis was frozen, ${late} sessions hold one of them`);
  assert.ok(unconfirmed >= TRIALS, `the freezes caught writes in flight (${unconfirmed})`);
  assert.equal(late, 0, 'no session holds a write whose keepalive was answered 503');
});

test('one deadline per request: a read that takes 0.6 s leaves the write 0.4 s, so the keepalive answers 503 and nothing is applied', { skip: skipRedis, timeout: 30_000 }, async (t) => {
  const redisServer = await startRedis(t);
  const now = manualClock();
  // Guarded by the first request, not before serving: the slow methods below
  // are then inside the guard (and its deadline), as a slow store's own are.
  const { url, store } = await storeApp(t, { redisUrl: redisServer.url, timeoutOptions: { now }, guard: false });
  // A slow store (before the middleware guards it, so inside its deadline):
  // while `slow`, a read answers after 0.6 s and a write starts after 0.6 s.
  let slow = false;
  let writesStarted = 0;
  const { get, set } = store;
  store.get = function slowGet(sid, cb) {
    if (!slow) return get.call(this, sid, cb);
    setTimeout(() => get.call(this, sid, cb), 600);
    return undefined;
  };
  store.set = function slowSet(sid, sess, cb) {
    if (!slow) return set.call(this, sid, sess, cb);
    setTimeout(() => {
      writesStarted += 1;
      set.call(this, sid, sess, cb);
    }, 600);
    return undefined;
  };
  const { client, token } = await signedIn(url);
  now.advance(100);

  slow = true;
  const answer = await client.post('/session/keepalive', { headers: { 'x-csrftoken': token, accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
  assert.equal(answer.status, 503, `the read used 0.6 s of the request's second, the write could not finish in the rest: ${answer.status} ${answer.text}`);
  assert.equal(answer.headers.get('retry-after'), '2');
  // Let the slow write start (0.6 s after it was asked for), then look.
  while (writesStarted === 0) await new Promise((r) => setTimeout(r, 20));
  slow = false;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await client.status()).json.idleTime, 100, 'the write that came after the deadline was not applied');
});

test('a keepalive writes the store once: its save renews the session\'s lifetime, so no touch follows it within the same deadline', async (t) => {
  const store = new CountingStore();
  const calls = store.calls;
  const now = manualClock();
  const { url } = await storeApp(t, { store, timeoutOptions: { now } });
  const { client, token } = await signedIn(url);
  now.advance(30);
  calls.length = 0;
  assert.equal((await client.keepalive(token)).status, 200);
  assert.deepEqual(calls, ['set']);
  // A request that saved nothing is still touched, as express-session does
  // (same clock reading: its activity time did not change).
  calls.length = 0;
  assert.equal((await client.get('/page')).status, 200);
  assert.deepEqual(calls, ['touch']);
});

test('a process just started, with Redis frozen: its first requests with a session cookie answer 503 within about a second, and nothing is applied late (the store guarded before serving)', { skip: skipRedis, timeout: 60_000 }, async (t) => {
  const redisServer = await startRedis(t);
  t.after(() => redisServer.thaw());
  const now = manualClock();
  const first = await storeApp(t, { redisUrl: redisServer.url, timeoutOptions: { now } });
  const { client, token } = await signedIn(first.url);
  now.advance(15);
  // Another process on the same Redis (a restart, a deploy) that has served
  // nothing yet: no request has reached its middleware.
  const fresh = await storeApp(t, { redisUrl: redisServer.url, timeoutOptions: { now } });
  const visitor = new Client(fresh.url);
  visitor.jar = client.jar;

  redisServer.freeze();
  const started = Date.now();
  const answers = await statusAndKeepalive(visitor, token);
  t.diagnostic(`503 after ${Date.now() - started} ms from a process that had served nothing`);
  for (const answer of answers) assert.equal(answer.status, 503, answer.text);

  redisServer.thaw();
  const status = await statusOnceBack(visitor);
  assert.equal(status.status, 200);
  assert.equal(status.json.idleTime, 15, 'the keepalive answered 503 was not applied when Redis woke');
});

test('calls the session paths refuse (wrong method, failed CSRF) write nothing to the store, not even a touch', async (t) => {
  const store = new CountingStore();
  const calls = store.calls;
  const { url } = await storeApp(t, { store });
  const { client } = await signedIn(url);
  calls.length = 0;
  assert.equal((await client.post('/session/status', { headers: { accept: 'application/json' } })).status, 405);
  assert.equal((await client.get('/session/keepalive', { headers: { accept: 'application/json' } })).status, 405);
  assert.equal((await client.post('/session/keepalive', { headers: { 'x-csrftoken': 'forged', accept: 'application/json' } })).status, 403);
  assert.deepEqual(calls, [], 'no store write for a refused call');
});
