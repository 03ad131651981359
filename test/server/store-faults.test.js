// The reference server when its session store fails: a keepalive confirms
// only what the store saved (a store whose writes fail; a real Redis at
// maxmemory with noeviction), and with Redis killed (SIGKILL) status and
// keepalive answer 503 at once, nothing is applied late, and service returns
// by itself when Redis is back. Real stores throughout; the middleware's
// clock is a manual one, so idle times are exact.

import test from 'node:test';
import assert from 'node:assert/strict';
import session from 'express-session';
import { createClient } from 'redis';
import { Client, manualClock } from './helpers.js';
import { skipRedis, startRedis } from './redis-server.js';
import { storeApp } from './store-app.js';

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
  const admin = createClient({ url: redisServer.url });
  admin.on('error', () => {}); // the server stops before this client at the end
  await admin.connect();
  t.after(() => admin.close());
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
  let status;
  do {
    status = await client.get('/session/status', { signal: AbortSignal.timeout(5000) });
    if (status.status === 503) await new Promise((r) => setTimeout(r, 20));
  } while (status.status === 503 && Date.now() - back < 10_000);
  const recovered = Date.now() - back;
  t.diagnostic(`503 answered within ${Math.max(...down)} ms of the request while Redis was down; service back ${recovered} ms after Redis`);
  // Redis ran without persistence, so the session died with it: EXPIRED, and
  // none of the keepalives refused during the outage wrote it back.
  assert.equal(status.status, 200, `service returned without a restart (${recovered} ms)`);
  assert.deepEqual(status.json, { status: 'EXPIRED' });
  const admin = createClient({ url: redisServer.url });
  admin.on('error', () => {}); // the server stops before this client at the end
  await admin.connect();
  t.after(() => admin.close());
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
  const answers = await Promise.all([
    client.get('/session/status', { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) }),
    client.post('/session/keepalive', { headers: { 'x-csrftoken': token, accept: 'application/json' }, signal: AbortSignal.timeout(5000) }),
  ]);
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
  const answers = await Promise.all([
    client.get('/session/status', { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) }),
    client.post('/session/keepalive', { headers: { 'x-csrftoken': token, accept: 'application/json' }, signal: AbortSignal.timeout(5000) }),
  ]);
  t.diagnostic(`503 after ${Date.now() - started} ms with Redis frozen`);
  for (const answer of answers) assert.equal(answer.status, 503, answer.text);

  redisServer.thaw();
  let status;
  const back = Date.now();
  do {
    status = await client.get('/session/status', { signal: AbortSignal.timeout(5000) });
    if (status.status === 503) await new Promise((r) => setTimeout(r, 20));
  } while (status.status === 503 && Date.now() - back < 10_000);
  assert.equal(status.status, 200);
  assert.equal(status.json.idleTime, 15, 'the keepalive sent while Redis was frozen was never applied');
});

