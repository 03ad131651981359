// Bad input never crashes the server and never leaks internals: huge or
// malformed cookies, forged session ids, unknown methods, broken bodies.

import test from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startDemo, Client } from './helpers.js';

async function demo(t, options = {}) {
  const d = await startDemo({ testHooks: true, ...options });
  t.after(() => d.close());
  return { ...d, client: new Client(d.url) };
}

function assertNoLeak(r) {
  assert.doesNotMatch(r.text, /\bat .*\(.*:\d+:\d+\)|node_modules|\.js:\d+|Error:|SyntaxError/, `no stack or internals in: ${r.text}`);
}

async function stillServing(client) {
  const r = await new Client(client.base).get('/login');
  assert.equal(r.status, 200, 'the server keeps serving');
}

/** Send raw bytes and return the first line of the answer (or '' if the socket closed silently). */
function raw(url, payload) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw request: no answer within 5 s'));
    }, 5000);
    socket.on('data', (d) => {
      data += d;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data.split('\r\n')[0]);
    });
    socket.end(payload);
  });
}

test('a 10 KB cookie is handled as an anonymous request', async (t) => {
  const { client } = await demo(t);
  const big = 'a'.repeat(10 * 1024);
  for (const cookie of [`junk=${big}`, `sid=${big}`, `sid=s%3A${big}`]) {
    const r = await client.get('/session/status', { headers: { cookie } });
    assert.equal(r.status, 200);
    assert.equal(r.text, '{"status":"EXPIRED"}');
    assert.deepEqual(r.setCookies, []);
    const page = await client.get('/', { headers: { cookie } });
    assert.equal(page.status, 302);
  }
  await stillServing(client);
});

test('request headers beyond the server limit get a clean 431', async (t) => {
  const { url, client } = await demo(t);
  const line = await raw(url, `GET /session/status HTTP/1.1\r\nHost: x\r\nCookie: sid=${'b'.repeat(40 * 1024)}\r\nConnection: close\r\n\r\n`);
  assert.match(line, /^HTTP\/1\.1 431/);
  await stillServing(client);
});

test('malformed, unsigned, tampered or foreign session ids are anonymous', async (t) => {
  const { url, client } = await demo(t);
  await client.login();
  const real = client.jar.get('sid'); // s%3A<id>.<signature>
  const id = decodeURIComponent(real).slice(2).split('.')[0];
  const variants = [
    id, // unsigned id of a live session
    `s%3A${id}.${'A'.repeat(43)}`, // forged signature
    `s%3A${id}`, // no signature
    's%3A', // empty
    '%E0%A4%A', // broken percent-encoding
    's:..', // dots only
    '"quoted"',
    '\u00ff\u00fe',
  ];
  for (const v of variants) {
    const c = new Client(url);
    c.jar.set('sid', v);
    const r = await c.status();
    assert.equal(r.status, 200, `sid=${v}`);
    assert.equal(r.text, '{"status":"EXPIRED"}', `sid=${v}`);
    const k = await c.keepalive('whatever');
    assert.equal(k.status, 401, `sid=${v}`);
  }
  assert.equal((await client.status()).json.status, 'ACTIVE', 'the real session is untouched');
});

test('a session cookie signed with another secret is not accepted', async (t) => {
  const a = await demo(t, { secret: 'secret-a' });
  const b = await demo(t, { secret: 'secret-b' });
  await a.client.login();
  const c = new Client(b.url);
  c.jar.set('sid', a.client.jar.get('sid'));
  assert.equal((await c.status()).text, '{"status":"EXPIRED"}');
});

test('broken and oversized bodies get clean 4xx answers without stack traces', async (t) => {
  const { client } = await demo(t);
  const token = await client.login();
  const headers = { 'content-type': 'application/json', 'x-csrftoken': token };
  const garbage = await client.post('/api/echo', { headers, body: '{"message": "unterminated' });
  assert.equal(garbage.status, 400);
  assertNoLeak(garbage);
  const huge = await client.post('/api/echo', { headers, body: JSON.stringify({ message: 'x'.repeat(50_000) }) });
  assert.equal(huge.status, 413);
  assertNoLeak(huge);
  const wrongType = await client.post('/api/echo', { headers: { ...headers, 'content-type': 'application/json; charset=utf-7' }, body: '{}' });
  assert.ok(wrongType.status < 500, `charset: ${wrongType.status}`);
  assertNoLeak(wrongType);
  const form = await client.post('/login', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '%%%=%%%&' + 'a'.repeat(20_000) });
  assert.ok(form.status >= 400 && form.status < 500, `form: ${form.status}`);
  assertNoLeak(form);
  const keepalive = await client.post('/session/keepalive', { headers: { 'content-type': 'application/json' }, body: '{{{' });
  assert.equal(keepalive.status, 403, 'keepalive ignores the body; without CSRF it is 403');
  const hooks = await client.post('/__test/clock', { headers: { 'content-type': 'application/json' }, body: 'nope' });
  assert.equal(hooks.status, 400);
  assertNoLeak(hooks);
  await stillServing(client);
  assert.equal((await client.status()).json.status, 'ACTIVE');
});

test('unknown and odd methods and URLs never produce a 5xx', async (t) => {
  const { url, client } = await demo(t);
  await client.login();
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'MKCOL']) {
    for (const p of ['/session/status', '/session/keepalive', '/', '/login', '/logout', '/nope']) {
      const r = await client.request(p, { method });
      assert.ok(r.status < 500, `${method} ${p} → ${r.status}`);
    }
  }
  // Methods the HTTP parser does not know, and broken request lines.
  assert.match(await raw(url, 'FOO /session/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 4\d\d/);
  assert.doesNotMatch(await raw(url, 'GET /session/status\r\n\r\n'), /^HTTP\/1\.1 5/);
  for (const p of ['/%E0%A4%A', '/session/status%00', '/login?next[]=x&next=y', '/login?timed-out[]=1', '/static/%2e%2e/server.js', '/%']) {
    const r = await client.get(p);
    assert.ok(r.status < 500, `${p} → ${r.status}`);
    assertNoLeak(r);
  }
  await stillServing(client);
});
