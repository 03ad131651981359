// draftKey: with `drafts: { secret }`, status and keepalive answers of a live
// session carry the person's draft key, base64url(HMAC-SHA256(secret, user
// id)): 32 bytes, the same in every session of that person, different for
// anyone else, never in a cookie. Without the option there is none.

import test from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { sessionTimeout } from '../../server/session-timeout.js';
import { Client, manualClock } from './helpers.js';
import { storeApp } from './store-app.js';

const SECRET = 'a-draft-secret-of-at-least-32-bytes-for-tests';
const expected = (user) => createHmac('sha256', SECRET).update(user).digest('base64url');

async function signedIn(url, user) {
  const client = new Client(url);
  const r = await client.post('/signin', { json: { user } });
  return { client, token: r.json.token, setCookies: r.setCookies };
}

test('status and keepalive carry the draft key of the signed-in person, the same across their sessions', async (t) => {
  const now = manualClock();
  const { url } = await storeApp(t, { timeoutOptions: { now, drafts: { secret: SECRET } } });
  const ann1 = await signedIn(url, 'ann');
  const ann2 = await signedIn(url, 'ann');
  const bob = await signedIn(url, 'bob');
  now.advance(12);

  const status = await ann1.client.status();
  assert.deepEqual(status.json, { status: 'ACTIVE', idleTime: 12, idleLimit: 600, timeoutLimit: 1200, draftKey: expected('ann') });
  assert.equal(Buffer.from(status.json.draftKey, 'base64url').length, 32);
  assert.equal((await ann2.client.status()).json.draftKey, expected('ann'), 'another session of the same person');
  const bobKey = (await bob.client.status()).json.draftKey;
  assert.equal(bobKey, expected('bob'));
  assert.notEqual(bobKey, expected('ann'));

  const kept = await ann1.client.keepalive(ann1.token);
  assert.deepEqual(kept.json, { status: 'ACTIVE', idleTime: 0, idleLimit: 600, timeoutLimit: 1200, priorIdleTime: 12, draftKey: expected('ann') });
  for (const r of [status, kept, ann1, ann2, bob]) {
    const cookies = r.setCookies.join('\n');
    assert.ok(!cookies.includes(expected('ann')) && !cookies.includes(bobKey), 'never in a cookie');
  }

  // Over: no key for an expired session.
  await ann1.client.post('/signout');
  assert.deepEqual((await ann1.client.status()).json, { status: 'EXPIRED' });
});

test('without the drafts option there is no draftKey; a weak secret or bad userId is refused without echoing the secret', async (t) => {
  const { url } = await storeApp(t);
  const { client, token } = await signedIn(url, 'ann');
  assert.equal('draftKey' in (await client.status()).json, false);
  assert.equal('draftKey' in (await client.keepalive(token)).json, false);

  const short = 'too-short-secret';
  assert.throws(
    () => sessionTimeout({ drafts: { secret: short } }),
    (err) => err instanceof TypeError && /drafts.secret must be a string or Buffer of at least 32 bytes/.test(err.message) && !err.message.includes(short),
  );
  assert.throws(() => sessionTimeout({ drafts: 'x' }), /drafts must be an object/);
  assert.throws(() => sessionTimeout({ drafts: { secret: SECRET, userId: 'name' } }), /drafts.userId must be a function/);
  const st = sessionTimeout({ drafts: { secret: SECRET } });
  assert.ok(!inspect(st.options, { depth: 10, showHidden: true }).includes(SECRET), 'logging the options does not print the secret');
});

test('userId picks the person: a custom one for an object user; none when it gives no id', async (t) => {
  const now = manualClock();
  const { url } = await storeApp(t, {
    timeoutOptions: { now, drafts: { secret: SECRET, userId: (sess) => (sess.user === 'nobody' ? undefined : `user:${sess.user}`) } },
  });
  const ann = await signedIn(url, 'ann');
  assert.equal((await ann.client.status()).json.draftKey, expected('user:ann'));
  const nobody = await signedIn(url, 'nobody');
  assert.equal('draftKey' in (await nobody.client.status()).json, false);
});
