// The /__test/* switches: only present when enabled, and each does what the
// end-to-end tests and the benchmark rely on.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, Client, advance } from './helpers.js';

async function demo(t, options = {}) {
  const d = await startDemo({ testHooks: true, ...options });
  t.after(() => d.close());
  return { ...d, client: new Client(d.url) };
}

const HOOKS = [
  ['GET', '/__test/clock'],
  ['POST', '/__test/clock'],
  ['POST', '/__test/faults'],
  ['DELETE', '/__test/faults'],
  ['POST', '/__test/restart'],
  ['GET', '/__test/log'],
  ['DELETE', '/__test/log'],
  ['POST', '/__test/login'],
];

test('test hooks are absent (404) unless enabled', async (t) => {
  const { client } = await demo(t, { testHooks: false });
  for (const [method, p] of HOOKS) {
    const r = await client.request(p, { method, json: method === 'POST' ? { user: 'x', advance: 1000, reset: true } : undefined });
    assert.equal(r.status, 404, `${method} ${p}`);
    assert.deepEqual(r.setCookies, [], `${method} ${p} sets no cookie`);
  }
  assert.equal((await client.status()).text, '{"status":"EXPIRED"}');
});

test('SESSION_TEST_HOOKS must be exactly 1 to enable them', async (t) => {
  for (const value of [undefined, '0', '']) {
    const d = await startDemo({ env: value === undefined ? {} : { SESSION_TEST_HOOKS: value }, testHooks: undefined });
    t.after(() => d.close());
    const r = await new Client(d.url).get('/__test/clock');
    assert.equal(r.status, 404, `SESSION_TEST_HOOKS=${value}`);
  }
  const on = await startDemo({ env: { SESSION_TEST_HOOKS: '1' }, testHooks: undefined });
  t.after(() => on.close());
  assert.equal((await new Client(on.url).get('/__test/clock')).status, 200);
});

test('clock: advance, read and reset', async (t) => {
  const { url, client } = await demo(t);
  const before = (await client.get('/__test/clock')).json.now;
  const moved = await advance(url, 100);
  assert.equal(moved.offset, 100_000);
  assert.ok(moved.now - before >= 100_000);
  const reset = await client.post('/__test/clock', { json: { reset: true } });
  assert.equal(reset.json.offset, 0);
  assert.equal((await client.post('/__test/clock', { json: { advance: 'x' } })).status, 400);
});

test('login hook signs in with a cookie and returns the CSRF token', async (t) => {
  const { client } = await demo(t);
  const r = await client.post('/__test/login', { json: { user: 'zoe' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.user, 'zoe');
  assert.equal(r.json.csrfToken, client.jar.get('csrftoken'));
  assert.ok(client.jar.has('sid'));
  assert.equal((await client.status()).json.status, 'ACTIVE');
  assert.equal((await client.post('/__test/login', { json: { user: '' } })).status, 400);
});

test('log: records method, path and whether each request counted; hooks are not logged', async (t) => {
  const { client } = await demo(t);
  const token = await client.login();
  await client.request('/__test/log', { method: 'DELETE' });
  await client.status();
  await client.keepalive(token);
  await client.get('/');
  await client.post('/session/keepalive');
  const log = (await client.get('/__test/log')).json;
  assert.deepEqual(
    log.map(({ method, path, counted }) => ({ method, path, counted })),
    [
      { method: 'GET', path: '/session/status', counted: false },
      { method: 'POST', path: '/session/keepalive', counted: true },
      { method: 'GET', path: '/', counted: true },
      { method: 'POST', path: '/session/keepalive', counted: false },
    ],
  );
  for (const e of log) assert.equal(typeof e.t, 'number');
  assert.equal(log[3].activity, 'rejected');
  await client.request('/__test/log', { method: 'DELETE' });
  assert.deepEqual((await client.get('/__test/log')).json, []);
});

test('faults: HTTP errors with Retry-After for the next N calls, then normal service', async (t) => {
  const { client } = await demo(t);
  await client.login();
  const set = await client.post('/__test/faults', { json: { operation: 'status', kind: '503', count: 2, retryAfter: 7 } });
  assert.equal(set.status, 200);
  for (let i = 0; i < 2; i++) {
    const r = await client.status();
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '7');
  }
  assert.equal((await client.status()).status, 200);
});

test('faults: every kind answers as documented, only for its operation', async (t) => {
  const { client } = await demo(t);
  const token = await client.login();
  const expectations = {
    500: (r) => assert.equal(r.status, 500),
    502: (r) => assert.equal(r.status, 502),
    503: (r) => assert.equal(r.status, 503),
    403: (r) => assert.equal(r.status, 403),
    401: (r) => assert.deepEqual([r.status, r.json], [401, { status: 'EXPIRED' }]),
    440: (r) => assert.deepEqual([r.status, r.json], [440, { status: 'EXPIRED' }]),
    302: (r) => assert.deepEqual([r.status, r.headers.get('location')], [302, '/login']),
    html: (r) => {
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /^text\/html/);
      assert.match(r.text, /<form/);
    },
    badjson: (r) => assert.deepEqual([r.status, r.text], [200, '{"foo":1}']),
    truncated: (r) => {
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), /^application\/json/);
      assert.equal(r.text, '{"status":"AC');
    },
  };
  for (const [kind, check] of Object.entries(expectations)) {
    await client.post('/__test/faults', { json: { operation: 'keepalive', kind } });
    assert.equal((await client.status()).status, 200, `${kind}: status is not affected by a keepalive fault`);
    check(await client.keepalive(token));
    assert.equal((await client.keepalive(token)).status, 200, `${kind}: only once`);
  }
  await client.post('/__test/faults', { json: { operation: 'any', kind: '502', count: 2 } });
  assert.equal((await client.status()).status, 502);
  assert.equal((await client.keepalive(token)).status, 502);
  assert.equal((await client.keepalive(token)).status, 200);
});

test('faults: hang never answers until the client aborts; faulted calls leave the session alone', async (t) => {
  const { url, app, client } = await demo(t);
  const token = await client.login();
  await advance(url, 5);
  const stored = JSON.stringify(app.demo.store.sessions);
  await client.post('/__test/faults', { json: { operation: 'any', kind: 'hang', count: 2 } });
  const started = Date.now();
  await assert.rejects(client.request('/session/status', { signal: AbortSignal.timeout(300) }), { name: 'TimeoutError' });
  assert.ok(Date.now() - started >= 250);
  await assert.rejects(client.request('/session/keepalive', { method: 'POST', headers: { 'x-csrftoken': token }, signal: AbortSignal.timeout(200) }), {
    name: 'TimeoutError',
  });
  assert.equal(JSON.stringify(app.demo.store.sessions), stored, 'a faulted keepalive did not extend');
  assert.equal((await client.status()).json.idleTime, 5);
});

test('faults: bad requests are refused and DELETE clears them', async (t) => {
  const { client } = await demo(t);
  for (const json of [{}, { operation: 'status' }, { operation: 'nope', kind: '500' }, { operation: 'status', kind: '418' }, { operation: 'status', kind: '500', count: 0 }, { operation: 'status', kind: '500', retryAfter: -1 }]) {
    assert.equal((await client.post('/__test/faults', { json })).status, 400, JSON.stringify(json));
  }
  await client.post('/__test/faults', { json: { operation: 'status', kind: '500', count: 5 } });
  assert.equal((await client.status()).status, 500);
  assert.equal((await client.request('/__test/faults', { method: 'DELETE' })).status, 204);
  assert.equal((await client.status()).status, 200);
});

test('restart drops every session', async (t) => {
  const { client, url } = await demo(t);
  await client.login();
  const other = new Client(url);
  await other.login('bob');
  assert.equal((await client.post('/__test/restart')).status, 200);
  assert.equal((await client.status()).text, '{"status":"EXPIRED"}');
  assert.equal((await other.status()).text, '{"status":"EXPIRED"}');
  assert.equal((await other.get('/')).status, 302);
});

test('clock: freeze, set and unfreeze', async (t) => {
  const { client } = await demo(t, { freeze: false });
  assert.equal((await client.get('/__test/clock')).json.frozen, false);
  const frozen = (await client.post('/__test/clock', { json: { freeze: true } })).json;
  assert.equal(frozen.frozen, true);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal((await client.get('/__test/clock')).json.now, frozen.now, 'a frozen clock does not move');
  const set = (await client.post('/__test/clock', { json: { set: 1_000_000 } })).json;
  assert.deepEqual(set, { now: 1_000_000, offset: 0, frozen: true });
  assert.equal((await client.post('/__test/clock', { json: { advance: 2 } })).json.now, 1_002_000);
  const thawed = (await client.post('/__test/clock', { json: { freeze: false } })).json;
  assert.equal(thawed.frozen, false);
  assert.ok(Math.abs(thawed.now - 1_002_000) < 1000, 'unfreezing continues from the frozen instant');
});
