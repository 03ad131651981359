// Sign-out and sign-in are final, also with requests of the same session in
// flight: 100 trials per store (memory, and a real Redis), each with 16
// concurrent requests around the sign-out (or sign-in), and afterwards the
// old session id is dead: its cookie is not signed in and the store holds
// nothing signed in under it.

import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import session from 'express-session';
import { Client } from './helpers.js';
import { skipRedis, startRedis } from './redis-server.js';
import { sessionIdOf, storeApp, storedSession } from './store-app.js';

const TRIALS = 100;
const IN_FLIGHT = 16;

// Plain node:http over kept-alive sockets: the trials make about 7,000
// requests, and fetch costs several times more CPU per request.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One request with a fixed cookie header (its Set-Cookie is only returned,
 * like a request already sent whose answer the browser has not seen yet).
 * @returns {Promise<{ status: number, setCookies: string[], body: string }>}
 */
function send(url, path, cookie, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url + path,
      { method, agent, headers: { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, setCookies: res.headers['set-cookie'] ?? [], body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const cookiesOf = (setCookies) => setCookies.map((c) => c.split(';')[0]).join('; ');

/**
 * Run the trials; returns how many left the old session alive.
 * @param {'signout' | 'signin'} end how the old id ends: POST /signout, or POST /signin as someone else
 */
async function revivedIn(url, store, end) {
  let revived = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const login = await send(url, '/signin', '', { method: 'POST', body: '{"user":"ann"}' });
    const cookie = cookiesOf(login.setCookies);
    const sid = sessionIdOf(/(?:^|; )sid=([^;]+)/.exec(cookie)[1]);
    const csrf = { 'x-csrftoken': JSON.parse(login.body).token };
    const requests = [];
    for (let i = 0; i < IN_FLIGHT; i++) {
      if (i === IN_FLIGHT / 2) {
        requests.push(end === 'signout' ? send(url, '/signout', cookie, { method: 'POST' }) : send(url, '/signin', cookie, { method: 'POST', body: '{"user":"bob"}' }));
      }
      const kind = i % 3;
      requests.push(
        kind === 0
          ? send(url, '/work', cookie, { method: 'POST', body: '{}' })
          : kind === 1
            ? send(url, '/session/keepalive', cookie, { method: 'POST', headers: csrf })
            : send(url, '/page', cookie),
      );
    }
    await Promise.all(requests);
    const status = await send(url, '/session/status', cookie);
    const kept = await storedSession(store, sid);
    if (status.body !== '{"status":"EXPIRED"}' || kept?.user !== undefined) revived += 1;
  }
  return revived;
}

for (const end of /** @type {const} */ (['signout', 'signin'])) {
  const what = end === 'signout' ? 'sign-out' : 'sign-in as another user';
  test(`${what} is final with the memory store: ${TRIALS} trials, ${IN_FLIGHT} requests in flight, none revived`, async (t) => {
    const { url, store } = await storeApp(t);
    assert.equal(await revivedIn(url, store, end), 0, 'trials that left the old session alive');
  });

  test(`${what} is final with Redis: ${TRIALS} trials, ${IN_FLIGHT} requests in flight, none revived`, { skip: skipRedis, timeout: 60_000 }, async (t) => {
    const redisServer = await startRedis(t);
    const { url, store } = await storeApp(t, { redisUrl: redisServer.url });
    assert.equal(await revivedIn(url, store, end), 0, 'trials that left the old session alive');
  });
}

test.after(() => agent.destroy());

test('sign-out clears the session cookie and answers a late request with the old id as anonymous', async (t) => {
  const { url, store } = await storeApp(t);
  const client = new Client(url);
  await client.post('/signin', { json: {} });
  const cookie = client.cookieHeader();
  const sid = sessionIdOf(client.jar.get('sid'));
  const out = await client.post('/signout');
  assert.ok(out.setCookies.some((c) => /^sid=; .*Max-Age=0/.test(c)), `session cookie cleared: ${out.setCookies}`);
  assert.equal(client.jar.has('sid'), false);
  assert.equal(await storedSession(store, sid), undefined);
  // The old cookie, as a request sent before the answer arrived would carry it.
  const late = await new Client(url).get('/page', { headers: { cookie } });
  assert.deepEqual(late.json, { user: null });
  const status = await new Client(url).get('/session/status', { headers: { cookie } });
  assert.deepEqual(status.json, { status: 'EXPIRED' });
});

test('a request that loaded the session before the sign-out but reaches the app after it is served as anonymous, and writes nothing', async (t) => {
  // A store that can hold back the answer of one read, already taken: the
  // request then carries the session as it was before the sign-out.
  class SlowReadStore extends session.MemoryStore {
    hold = null;
    get(sid, cb) {
      const held = this.hold;
      this.hold = null;
      super.get(sid, (err, sess) => (held ? held.then(() => cb(err, sess)) : cb(err, sess)));
    }
  }
  const store = new SlowReadStore();
  const { url } = await storeApp(t, { store });
  const login = await send(url, '/signin', '', { method: 'POST', body: '{"user":"ann"}' });
  const cookie = cookiesOf(login.setCookies);
  const sid = sessionIdOf(/(?:^|; )sid=([^;]+)/.exec(cookie)[1]);

  let release;
  store.hold = new Promise((resolve) => (release = resolve));
  const late = send(url, '/work', cookie, { method: 'POST', body: '{}' });
  while (store.hold) await new Promise((r) => setTimeout(r, 5)); // its read has started
  const out = await send(url, '/signout', cookie, { method: 'POST' });
  assert.equal(out.status, 200);
  release();
  const answer = await late;
  assert.deepEqual(JSON.parse(answer.body), { user: null }, 'served as anonymous');
  assert.ok(answer.setCookies.some((c) => /^sid=; .*Max-Age=0/.test(c)), 'its answer clears the session cookie too');
  assert.equal(await storedSession(store, sid), undefined, 'and did not write the old session back');
});

test('a keepalive whose save was still under way when the session was signed out answers 401 EXPIRED, not a success', async (t) => {
  // A store that holds back the answer of one write (the write itself is done).
  class SlowWriteStore extends session.MemoryStore {
    hold = null;
    set(sid, sess, cb) {
      const held = this.hold;
      this.hold = null;
      super.set(sid, sess, (err) => (held ? held.then(() => cb?.(err)) : cb?.(err)));
    }
  }
  const store = new SlowWriteStore();
  const { url } = await storeApp(t, { store });
  const login = await send(url, '/signin', '', { method: 'POST', body: '{"user":"ann"}' });
  const cookie = cookiesOf(login.setCookies);
  const sid = sessionIdOf(/(?:^|; )sid=([^;]+)/.exec(cookie)[1]);

  let release;
  store.hold = new Promise((resolve) => (release = resolve));
  const keepalive = send(url, '/session/keepalive', cookie, { method: 'POST', headers: { 'x-csrftoken': JSON.parse(login.body).token } });
  while (store.hold) await new Promise((r) => setTimeout(r, 5)); // its save has started
  assert.equal((await send(url, '/signout', cookie, { method: 'POST' })).status, 200);
  release();
  const answer = await keepalive;
  assert.equal(answer.status, 401);
  assert.equal(answer.body, '{"status":"EXPIRED"}');
  assert.equal(await storedSession(store, sid), undefined);
});
