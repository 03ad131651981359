// The demo as a program: configuration from the environment, start-up
// messages, refusal of bad settings, graceful shutdown.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configFromEnv, ConfigError } from '../../demo/server.js';

const SERVER = fileURLToPath(new URL('../../demo/server.js', import.meta.url));

/** Run the demo; resolve with { code, stdout, stderr, url } once it exits or prints its URL (bounded). */
function runDemo(env, { waitForUrl = true, ms = 10_000 } = {}) {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const result = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo did not ${waitForUrl ? 'start' : 'exit'} within ${ms} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, ms);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (waitForUrl) {
      child.stdout.on('data', () => {
        const m = /Demo on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve({ url: m[1], stdout, stderr });
        }
      });
    }
  });
  return { child, result };
}

/** Wait (bounded) for the child to exit. */
function exited(child, ms = 8000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('demo did not exit in time'));
    }, ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

test('configFromEnv: demo defaults and every variable', () => {
  assert.deepEqual(configFromEnv({}), {
    port: 5173,
    host: '127.0.0.1',
    idleSeconds: 20,
    timeoutSeconds: 50,
    expireSeconds: null,
    gracePeriodSeconds: 0,
    secret: undefined,
    draftSecret: undefined,
    redisUrl: undefined,
    trustProxy: undefined,
    testHooks: false,
  });
  const c = configFromEnv({
    PORT: '8080',
    HOST: '0.0.0.0',
    SESSION_IDLE_SECONDS: '600',
    SESSION_TIMEOUT_SECONDS: '900',
    SESSION_EXPIRE_SECONDS: '3600',
    SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD: '5',
    SESSION_SECRET: 'x',
    REDIS_URL: 'redis://localhost:6379',
    TRUST_PROXY: 'loopback',
    SESSION_TEST_HOOKS: '1',
  });
  assert.equal(c.port, 8080);
  assert.equal(c.expireSeconds, 3600);
  assert.equal(c.gracePeriodSeconds, 5);
  assert.equal(c.testHooks, true);
  assert.equal(c.trustProxy, 'loopback');
});

test('configFromEnv lists every bad variable at once', () => {
  assert.throws(
    () => configFromEnv({ SESSION_IDLE_SECONDS: 'abc', SESSION_TIMEOUT_SECONDS: '-5', PORT: 'http', SESSION_TEST_HOOKS: 'yes' }),
    (err) =>
      err instanceof ConfigError &&
      /SESSION_IDLE_SECONDS must be a whole number of seconds, got "abc"/.test(err.message) &&
      /SESSION_TIMEOUT_SECONDS must be a whole number/.test(err.message) &&
      /PORT must be a port number/.test(err.message) &&
      /SESSION_TEST_HOOKS must be 1/.test(err.message),
  );
  assert.throws(() => configFromEnv({ SESSION_IDLE_SECONDS: '60', SESSION_TIMEOUT_SECONDS: '60' }), /SESSION_IDLE_SECONDS \(60\) must be less than SESSION_TIMEOUT_SECONDS \(60\)/);
  assert.throws(() => configFromEnv({ SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD: '20' }), /GRACE_PERIOD \(20\) must be less than SESSION_IDLE_SECONDS \(20\)/);
  assert.throws(() => configFromEnv({ SESSION_EXPIRE_SECONDS: '0' }), /SESSION_EXPIRE_SECONDS must be at least 1/);
  assert.equal(configFromEnv({ SESSION_EXPIRE_SECONDS: '' }).expireSeconds, null, 'empty means unset');
});

test('node demo/server.js refuses invalid settings with a clear message and exit code 1', async () => {
  const { result } = runDemo({ SESSION_IDLE_SECONDS: '50', SESSION_TIMEOUT_SECONDS: '20' }, { waitForUrl: false });
  const { code, stderr, stdout } = await result;
  assert.equal(code, 1);
  assert.match(stderr, /Invalid demo configuration/);
  assert.match(stderr, /SESSION_IDLE_SECONDS \(50\) must be less than SESSION_TIMEOUT_SECONDS \(20\)/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  assert.equal(stdout, '');
});

test('node demo/server.js reports an unreachable Redis clearly', async () => {
  const { result } = runDemo({ REDIS_URL: 'redis://127.0.0.1:1' }, { waitForUrl: false });
  const { code, stderr } = await result;
  assert.equal(code, 1);
  assert.match(stderr, /Could not connect to Redis at REDIS_URL/);
});

test('node demo/server.js starts, warns about the secret, serves, and shuts down on SIGTERM', async (t) => {
  const { child, result } = runDemo({});
  t.after(() => child.kill('SIGKILL'));
  const { url, stderr } = await result;
  assert.ok(url, 'printed "Demo on http://127.0.0.1:PORT"');
  assert.match(stderr, /SESSION_SECRET is not set/);
  assert.doesNotMatch(stderr, /SESSION_TEST_HOOKS/);
  const login = await fetch(`${url}/login`, { signal: AbortSignal.timeout(5000) });
  assert.equal(login.status, 200);
  assert.equal((await fetch(`${url}/__test/clock`, { signal: AbortSignal.timeout(5000) })).status, 404);
  child.kill('SIGTERM');
  const { code } = await exited(child);
  assert.equal(code, 0);
});

test('node demo/server.js with SESSION_TEST_HOOKS=1 warns loudly and enables the hooks', async (t) => {
  const { child, result } = runDemo({ SESSION_TEST_HOOKS: '1', SESSION_SECRET: 'x' });
  t.after(() => child.kill('SIGKILL'));
  const { url, stderr } = await result;
  assert.match(stderr, /SESSION_TEST_HOOKS=1/);
  assert.match(stderr, /Never use this in production/);
  assert.doesNotMatch(stderr, /SESSION_SECRET is not set/);
  assert.equal((await fetch(`${url}/__test/clock`, { signal: AbortSignal.timeout(5000) })).status, 200);
  // A live event stream must not hold up shutdown.
  const login = await fetch(`${url}/__test/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"a"}' });
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const controller = new AbortController();
  const stream = await fetch(`${url}/demo/events`, { headers: { cookie }, signal: controller.signal });
  assert.equal(stream.status, 200);
  child.kill('SIGINT');
  const { code } = await exited(child);
  controller.abort();
  assert.equal(code, 0);
});
