// The Django mimic servers in test/servers/ answer like the real packages
// (as observed and described in the project's context notes), so the
// end-to-end tests that use them test the element against the real wire format.

import test from 'node:test';
import assert from 'node:assert/strict';
import { start as startTimeout } from '../servers/django-session-timeout.js';
import { start as startSecurity } from '../servers/django-session-security.js';
import { Client } from './helpers.js';

async function mimic(t, startFn, options = {}) {
  const srv = await startFn({ port: 0, frozen: true, ...options });
  t.after(() => srv.close());
  return { srv, client: new Client(srv.url) };
}

test('django-session-timeout mimic: status JSON with Python spacing and strict > thresholds', async (t) => {
  const { srv, client } = await mimic(t, startTimeout, { idleSeconds: 10, timeoutSeconds: 20 });
  const anon = await client.get('/session/status');
  assert.equal(anon.text, '{"status": "EXPIRED"}');
  assert.match(anon.headers.get('content-type'), /^application\/json/);
  await client.login();
  srv.advance(5.5);
  assert.equal((await client.get('/session/status')).text, '{"status": "ACTIVE", "idleTime": 5, "idleLimit": 10, "timeoutLimit": 20}');
  srv.advance(5);
  assert.equal((await client.get('/session/status')).json.status, 'ACTIVE', 'idleTime 10 is not > 10');
  srv.advance(1);
  assert.equal((await client.get('/session/status')).json.status, 'IDLE');
  srv.advance(10);
  const over = await client.get('/session/status');
  assert.deepEqual(over.json, { status: 'TIMEOUT', idleTime: 21, idleLimit: 10, timeoutLimit: 20 });
  srv.advance(100);
  assert.equal((await client.get('/session/status')).json.status, 'TIMEOUT', 'status never enforces expiry');
  assert.deepEqual(over.setCookies, []);
});

test('django-session-timeout mimic: keepalive GET/POST, CSRF 403 HTML, 302 and cookie deletion when over', async (t) => {
  const { srv, client } = await mimic(t, startTimeout, { idleSeconds: 10, timeoutSeconds: 20 });
  const token = await client.login();
  assert.equal(client.jar.get('csrftoken'), token);
  srv.advance(8);
  const get = await client.get('/session/keepalive');
  assert.equal(get.text, '{"status": "ACTIVE", "idleTime": 0, "idleLimit": 10, "timeoutLimit": 20}');
  srv.advance(8);
  const forbidden = await client.post('/session/keepalive');
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.headers.get('content-type'), /^text\/html/);
  assert.match(forbidden.text, /CSRF verification failed/);
  srv.advance(3);
  const post = await client.post('/session/keepalive', { headers: { 'X-CSRFToken': token } });
  assert.equal(post.json.idleTime, 0);
  srv.advance(21);
  assert.equal((await client.get('/session/status')).json.status, 'TIMEOUT');
  const over = await client.post('/session/keepalive', { headers: { 'X-CSRFToken': token } });
  assert.equal(over.status, 302);
  assert.equal(over.headers.get('location'), '/accounts/login/?next=/session/keepalive');
  assert.ok(over.setCookies.some((c) => /^sessionid="";.*Max-Age=0/.test(c)));
  assert.equal((await client.get('/session/status')).text, '{"status": "EXPIRED"}');
  assert.equal(client.jar.has('sessionid'), false);
});

test('django-session-timeout mimic: idle time counts from the last request; page, log and clock hooks', async (t) => {
  const { srv, client } = await mimic(t, startTimeout, { idleSeconds: 10, timeoutSeconds: 20, gracePeriodSeconds: 0 });
  assert.equal((await client.get('/')).headers.get('location'), '/accounts/login/?next=/');
  await client.login();
  srv.advance(6);
  const page = await client.get('/?idle-seconds=5&status-url=%2Fsession%2Fstatus&lang=%22%3E%3Cscript%3E&no-tab-sync=&bad%20name=x');
  assert.equal(page.status, 200);
  assert.match(page.text, /<script type="module" src="\/static\/session-timeout-dialog\.js"><\/script>/);
  const tag = /<session-timeout-dialog[^>]*>/.exec(page.text)[0];
  assert.match(tag, / idle-seconds="5"/);
  assert.match(tag, / keepalive-url="\/session\/keepalive"/, 'defaults kept');
  assert.match(tag, / lang="&quot;&gt;&lt;script&gt;"/, 'values escaped');
  assert.match(tag, / no-tab-sync[ >]/, 'empty value → boolean attribute');
  assert.doesNotMatch(tag, /bad/);
  const bare = await client.get('/?defaults=0&status-url=/x');
  assert.match(bare.text, /<session-timeout-dialog status-url="\/x"><\/session-timeout-dialog>/);
  srv.advance(2);
  assert.equal((await client.get('/session/status')).json.idleTime, 2, 'the page request was activity');
  const log = (await client.get('/__test/log')).json;
  assert.deepEqual(
    log.map(({ method, path, counted }) => [method, path, counted]),
    [
      ['GET', '/', false],
      ['GET', '/', true],
      ['GET', '/', false], // same (frozen) instant: Django's `now - last > grace` is false
      ['GET', '/session/status', false],
    ],
  );
  assert.equal(srv.log.length, 4, 'the same log is available in-process');
  assert.equal((await client.request('/__test/log', { method: 'DELETE' })).status, 204);
  assert.equal(srv.log.length, 0);
  const clock = await client.post('/__test/clock', { json: { advance: 3 } });
  assert.equal(clock.status, 200);
  assert.equal((await client.get('/session/status')).json.idleTime, 5);
});

test('django-session-security mimic: ping merges idleFor, answers a bare integer or "logout"', async (t) => {
  const { srv, client } = await mimic(t, startSecurity, { warnAfter: 20, expireAfter: 30 });
  const anon = await client.get('/session_security/ping/?idleFor=0');
  assert.equal(anon.text, '"logout"');
  assert.match(anon.headers.get('content-type'), /^application\/json/);
  await client.login();
  srv.advance(10.5);
  // The client was active 4 s ago: the server takes the smaller idle time.
  assert.equal((await client.get('/session_security/ping/?idleFor=4')).text, '4');
  srv.advance(3);
  // A larger client idle time never pushes the server's activity back.
  assert.equal((await client.get('/session_security/ping/?idleFor=100')).text, '7');
  // Garbage idleFor: no merge, just the server's idle time.
  assert.equal((await client.get('/session_security/ping/?idleFor=abc')).text, '7');
  assert.equal((await client.get('/session_security/ping/?idleFor=-5')).text, '0', 'negative is clamped to 0 (keepalive)');
  srv.advance(17);
  assert.equal((await client.get('/session_security/ping/?idleFor=17')).text, '17');
  srv.advance(13);
  const out = await client.get('/session_security/ping/?idleFor=0');
  assert.equal(out.text, '"logout"', 'idle ≥ EXPIRE_AFTER logs out, even for a keepalive ping');
  assert.ok(out.setCookies.some((c) => c.startsWith('sessionid=""')));
  assert.equal((await client.get('/')).status, 302);
});

test('django-session-security mimic: other requests are activity except passive URLs; page defaults', async (t) => {
  const { srv, client } = await mimic(t, startSecurity, { passiveUrls: ['/passive'] });
  await client.login();
  srv.advance(100);
  assert.equal((await client.get('/passive')).status, 404);
  assert.equal((await client.get('/session_security/ping/?idleFor=1000')).text, '100');
  const page = await client.get('/');
  const tag = /<session-timeout-dialog[^>]*>/.exec(page.text)[0];
  for (const attr of ['protocol="django-session-security"', 'status-url="/session_security/ping/"', 'idle-seconds="540"', 'timeout-seconds="600"']) {
    assert.ok(tag.includes(attr), attr);
  }
  assert.equal((await client.get('/session_security/ping/?idleFor=1000')).text, '0', 'the page load was activity');
  const log = (await client.get('/__test/log')).json;
  assert.ok(log.some((e) => e.search === '?idleFor=1000'));
});

test('mimics serve the element from dist/cdn or say it is not built', async (t) => {
  const { client } = await mimic(t, startTimeout, { cdnDir: '/nonexistent-dir-for-test' });
  const r = await client.get('/static/session-timeout-dialog.js');
  assert.equal(r.status, 503);
  assert.match(r.text, /not built yet/);
  const sec = await mimic(t, startSecurity);
  const r2 = await sec.client.get('/static/session-timeout-dialog.js');
  assert.ok([200, 503].includes(r2.status));
});
