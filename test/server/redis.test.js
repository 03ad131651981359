// Two demo processes sharing one Redis store (connect-redis): a session
// started on one is seen, extended and ended on the other. The test starts
// its own redis-server on a free port and stops everything it started, even
// when an assertion fails.
//
// Needs `redis-server` on PATH. Without it the test fails with a clear
// message, unless SKIP_REDIS_TEST=1 (then it is skipped, saying why).

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { Client, advance } from './helpers.js';

const SERVER = fileURLToPath(new URL('../../demo/server.js', import.meta.url));
const WAIT_MS = 10_000;

function findOnPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, cmd);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // keep looking
    }
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Spawn a process and resolve when `pattern` appears in its output (bounded). */
function startProcess(label, cmd, args, env, pattern, children) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start within ${WAIT_MS} ms:\n${output}`)), WAIT_MS);
    const onData = (d) => {
      output += d;
      const m = pattern.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${label} could not be started: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited early (code ${code}):\n${output}`));
    });
  });
}

async function stopAll(children) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 3000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

const redisServer = findOnPath('redis-server');
const skip = !redisServer && process.env.SKIP_REDIS_TEST === '1' ? 'redis-server is not on PATH (SKIP_REDIS_TEST=1)' : false;

test('two demo processes share sessions through Redis; status on one never extends, expiry on one ends it for both', { skip, timeout: 60_000 }, async (t) => {
  if (!redisServer) {
    assert.fail(
      'redis-server is not on PATH. Install Redis (Debian/Ubuntu: apt-get install redis-server) ' +
        'or set SKIP_REDIS_TEST=1 to skip this test.',
    );
  }
  /** @type {import('node:child_process').ChildProcess[]} */
  const children = [];
  const killOnExit = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', killOnExit);
  let redis;
  t.after(async () => {
    await redis?.close().catch(() => {});
    await stopAll(children);
    process.off('exit', killOnExit);
  });

  const redisPort = await freePort();
  await startProcess(
    'redis-server',
    redisServer,
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { PATH: process.env.PATH },
    /Ready to accept connections/,
    children,
  );
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const env = {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    PORT: '0',
    REDIS_URL: redisUrl,
    SESSION_SECRET: 'shared-secret-for-the-redis-test',
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
  assert.deepEqual(status.json, { status: 'ACTIVE', idleTime: 7, idleLimit: 20, timeoutLimit: 50 });
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
