// Two demo processes sharing one Redis store (connect-redis): a session
// started on one is seen, extended and ended on the other. The test starts
// its own redis-server on a free port and stops everything it started, even
// when an assertion fails.
//
// Needs `redis-server` on PATH. Without it the test fails with a clear
// message, unless SKIP_REDIS_TEST=1 (then it is skipped, saying why).

import test from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { Client, DRAFT_SECRET, advance, draftKeyOf } from './helpers.js';
import { skipRedis as skip, startProcess, startRedis } from './redis-server.js';

const SERVER = fileURLToPath(new URL('../../demo/server.js', import.meta.url));

test('two demo processes share sessions through Redis; status on one never extends, expiry on one ends it for both', { skip, timeout: 60_000 }, async (t) => {
  /** @type {import('node:child_process').ChildProcess[]} */
  const children = [];
  let redis;
  t.after(async () => {
    await redis?.close().catch(() => {});
  });
  const { url: redisUrl } = await startRedis(t, { children });
  const env = {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    PORT: '0',
    REDIS_URL: redisUrl,
    SESSION_SECRET: 'shared-secret-for-the-redis-test',
    SESSION_DRAFT_SECRET: DRAFT_SECRET,
    SESSION_TEST_HOOKS: '1',
    SESSION_IDLE_SECONDS: '20',
    SESSION_TIMEOUT_SECONDS: '50',
  };
  const [a, b] = await Promise.all([
    startProcess('demo A', process.execPath, [SERVER], env, /Demo on (http:\/\/127\.0\.0\.1:\d+)/, children),
    startProcess('demo B', process.execPath, [SERVER], env, /Demo on (http:\/\/127\.0\.0\.1:\d+)/, children),
  ]);
  const urlA = a.match[1];
  const urlB = b.match[1];
  redis = createClient({ url: redisUrl });
  await redis.connect();
  // One stopped clock for both processes: only /__test/clock moves it, so
  // the whole-second answers below do not depend on the machine's speed.
  const t0 = Date.now();
  for (const url of [urlA, urlB]) {
    const res = await fetch(`${url}/__test/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ set: t0 }),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 200);
  }

  // Sign in and make an app request through A.
  const viaA = new Client(urlA);
  const token = await viaA.login('ann');
  const echo = await viaA.post('/api/echo', { json: { message: 'hi' }, headers: { 'x-csrftoken': token } });
  assert.equal(echo.status, 200);
  const keys = await redis.keys('std:sess:*');
  assert.equal(keys.length, 1, 'one session in Redis');

  // The same cookies through B see the same session and idle time.
  const viaB = new Client(urlB);
  viaB.jar = new Map(viaA.jar);
  await Promise.all([advance(urlA, 7.5), advance(urlB, 7.5)]);
  const ttlBefore = await redis.pTTL(keys[0]);
  await new Promise((r) => setTimeout(r, 50));
  const status = await viaB.status();
  assert.deepEqual(status.json, { status: 'ACTIVE', idleTime: 7, idleLimit: 20, timeoutLimit: 50, draftKey: draftKeyOf('ann') });
  assert.deepEqual(status.setCookies, []);
  const ttlAfter = await redis.pTTL(keys[0]);
  assert.ok(ttlAfter < ttlBefore, `status did not reset the Redis TTL (${ttlBefore} → ${ttlAfter})`);

  // A keepalive through B is seen by A.
  const k = await viaB.keepalive(token);
  assert.equal(k.status, 200);
  assert.ok((await redis.pTTL(keys[0])) > ttlAfter, 'keepalive refreshed the Redis TTL');
  await Promise.all([advance(urlA, 3), advance(urlB, 3)]);
  assert.equal((await viaA.status()).json.idleTime, 3);

  // Past the timeout, B enforces the expiry on a page request; A then sees EXPIRED.
  await Promise.all([advance(urlA, 50), advance(urlB, 50)]);
  const page = await viaB.get('/');
  assert.equal(page.status, 302);
  assert.equal(page.headers.get('location'), '/login?next=/');
  assert.deepEqual(await redis.keys('std:sess:*'), [], 'the session is gone from Redis');
  assert.equal((await viaA.status()).text, '{"status":"EXPIRED"}');
  assert.equal((await viaA.keepalive(token)).status, 401);
});
