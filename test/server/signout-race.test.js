// Sign-out and sign-in are final, also with requests of the same session in
// flight: 100 trials per store (memory, and a real Redis), each with 16
// concurrent requests around the sign-out (or sign-in), and afterwards the
// old session id is dead: its cookie is not signed in and the store holds
// nothing signed in under it.

import test from 'node:test';
import assert from 'node:assert/strict';
import { Client } from './helpers.js';
import { skipRedis, startRedis } from './redis-server.js';
import { sessionIdOf, storeApp, storedSession } from './store-app.js';

const TRIALS = 100;
const IN_FLIGHT = 16;

/** One request with a fixed cookie header (its Set-Cookie is ignored, like a request already sent). */
async function send(url, path, cookie, init = {}) {
  const res = await fetch(url + path, {
    method: init.method ?? 'GET',
    headers: { cookie, 'content-type': 'application/json', ...(init.headers ?? {}) },
    body: init.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Run the trials; returns how many left the old session alive.
 * @param {'signout' | 'signin'} end how the old id ends: POST /signout, or POST /signin as someone else
 */
async function revivedIn(url, store, end) {
  let revived = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const client = new Client(url);
    const { json } = await client.post('/signin', { json: { user: 'ann' } });
    const cookie = client.cookieHeader();
    const sid = sessionIdOf(client.jar.get('sid'));
    const csrf = { 'x-csrftoken': json.token };
    const requests = [];
    for (let i = 0; i < IN_FLIGHT; i++) {
      if (i === IN_FLIGHT / 2) {
        requests.push(end === 'signout' ? client.post('/signout') : client.post('/signin', { json: { user: 'bob' } }));
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
    const status = await new Client(url).get('/session/status', { headers: { cookie } });
    const kept = await storedSession(store, sid);
    if (status.json?.status !== 'EXPIRED' || kept?.user !== undefined) revived += 1;
  }
  return revived;
}

for (const end of /** @type {const} */ (['signout', 'signin'])) {
  const what = end === 'signout' ? 'sign-out' : 'sign-in as another user';
  test(`${what} is final with the memory store: ${TRIALS} trials, ${IN_FLIGHT} requests in flight, none revived`, async (t) => {
    const { url, store } = await storeApp(t);
    assert.equal(await revivedIn(url, store, end), 0);
  });

  test(`${what} is final with Redis: ${TRIALS} trials, ${IN_FLIGHT} requests in flight, none revived`, { skip: skipRedis, timeout: 60_000 }, async (t) => {
    const redisServer = await startRedis(t);
    const { url, store } = await storeApp(t, { redisUrl: redisServer.url });
    assert.equal(await revivedIn(url, store, end), 0);
  });
}

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
