import { expect } from '@open-wc/testing';
import { CALL_TIMEOUT_MS, SessionClient, type ClientOptions } from '../../src/core/session-client.js';
import { json, singleTab, status, type Responder } from '../helpers/fake-env.js';

const STATUS = '/session/status';
const KEEPALIVE = '/session/keepalive';

function setup(respond: Responder, options: Partial<ClientOptions> = {}) {
  const env = singleTab();
  env.respond = respond;
  const client = new SessionClient(env.fetch, env, {
    protocol: 'session-timeout',
    statusUrl: STATUS,
    keepaliveUrl: KEEPALIVE,
    keepaliveMethod: 'POST',
    csrfCookie: 'csrftoken',
    csrfHeader: 'X-CSRFToken',
    ...options,
  });
  return { env, client };
}

const html = (body: string, init: ResponseInit = {}) =>
  new Response(body, { status: 200, ...init, headers: { 'Content-Type': 'text/html; charset=utf-8' } });

function setCookie(name: string, value: string) {
  document.cookie = `${name}=${value}; path=/`;
}
function clearCookie(name: string) {
  document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
}

describe('session-client: session-timeout answers', () => {
  it('reads an ACTIVE status with its limits', async () => {
    const { client } = setup(() => status(158, 600, 1200));
    expect(await client.status(0)).to.deep.equal({ kind: 'ok', idleTime: 158, idleLimit: 600, timeoutLimit: 1200 });
  });

  it('reads an IDLE status as ok (the warning is the engine’s decision)', async () => {
    const { client } = setup(() => json({ status: 'IDLE', idleTime: 700, idleLimit: 600, timeoutLimit: 1200 }));
    expect(await client.status(0)).to.deep.equal({ kind: 'ok', idleTime: 700, idleLimit: 600, timeoutLimit: 1200 });
  });

  it('reads expiresIn', async () => {
    const { client } = setup(() => status(0, 600, 1200, { expiresIn: 90 }));
    expect(await client.status(0)).to.include({ kind: 'ok', expiresIn: 90 });
  });

  it('treats {"status":"EXPIRED"} as expired', async () => {
    const { client } = setup(() => json({ status: 'EXPIRED' }));
    expect(await client.status(0)).to.deep.equal({ kind: 'expired', reason: 'EXPIRED' });
  });

  it('treats TIMEOUT as expired', async () => {
    const { client } = setup(() => json({ status: 'TIMEOUT', idleTime: 1300, idleLimit: 600, timeoutLimit: 1200 }));
    expect((await client.status(0)).kind).to.equal('expired');
  });

  it('treats IDLE with idleTime == timeoutLimit as expired (the fork compares with >)', async () => {
    const { client } = setup(() => json({ status: 'IDLE', idleTime: 1200, idleLimit: 600, timeoutLimit: 1200 }));
    expect((await client.status(0)).kind).to.equal('expired');
  });

  it('treats IDLE one second before timeoutLimit as ok', async () => {
    const { client } = setup(() => json({ status: 'IDLE', idleTime: 1199, idleLimit: 600, timeoutLimit: 1200 }));
    expect((await client.status(0)).kind).to.equal('ok');
  });

  for (const code of [401, 440]) {
    it(`treats HTTP ${code} as expired`, async () => {
      const { client } = setup(() => new Response('', { status: code }));
      expect((await client.status(0)).kind).to.equal('expired');
    });
  }

  it('treats a 302 as expired and asks fetch not to follow redirects', async () => {
    const { env, client } = setup(() => new Response(null, { status: 302, headers: { Location: '/login' } }));
    expect((await client.keepalive(0)).kind).to.equal('expired');
    expect(env.calls[0].init.redirect).to.equal('manual');
  });

  it('treats an opaqueredirect answer as expired', async () => {
    const { client } = setup(() => {
      // What fetch(..., { redirect: 'manual' }) gives for a redirect: type opaqueredirect, status 0.
      const r = new Response(null, { status: 200 });
      Object.defineProperty(r, 'type', { value: 'opaqueredirect' });
      Object.defineProperty(r, 'status', { value: 0 });
      Object.defineProperty(r, 'ok', { value: false });
      return r;
    });
    expect((await client.status(0)).kind).to.equal('expired');
  });

  it('treats a 200 HTML login page as expired', async () => {
    const { client } = setup(() => html('<!doctype html><form action="/login">'));
    expect((await client.keepalive(0)).kind).to.equal('expired');
  });

  it('treats a 403 HTML page (CSRF failure) as an error with status 403, not expiry', async () => {
    const { client } = setup(() => html('<h1>Forbidden (403)</h1>', { status: 403 }));
    expect(await client.keepalive(0)).to.deep.equal({ kind: 'error', status: 403, message: 'HTTP 403' });
  });

  for (const code of [500, 502, 503]) {
    it(`treats HTTP ${code} as an error with Retry-After in seconds`, async () => {
      const { client } = setup(() => new Response('', { status: code, headers: { 'Retry-After': '30' } }));
      expect(await client.status(0)).to.deep.equal({
        kind: 'error',
        status: code,
        message: `HTTP ${code}`,
        retryAfter: 30_000,
      });
    });
  }

  it('reads Retry-After as an HTTP date against the wall clock', async () => {
    const { env, client } = setup(() =>
      new Response('', { status: 503, headers: { 'Retry-After': new Date(env.now() + 120_000).toUTCString() } }),
    );
    expect(await client.status(0)).to.include({ kind: 'error', status: 503, retryAfter: 120_000 });
  });

  it('ignores an unreadable Retry-After', async () => {
    const { client } = setup(() => new Response('', { status: 503, headers: { 'Retry-After': 'soon' } }));
    const result = await client.status(0);
    expect(result).to.deep.equal({ kind: 'error', status: 503, message: 'HTTP 503' });
  });

  it('treats truncated JSON announced as JSON as an error', async () => {
    const { client } = setup(
      () => new Response('{"status": "ACTIVE", "idleT', { headers: { 'Content-Type': 'application/json' } }),
    );
    expect(await client.status(0)).to.include({ kind: 'error', message: 'invalid JSON' });
  });

  for (const [name, body] of [
    ['an array', [1, 2]],
    ['null', null],
    ['an unknown status', { status: 'MAYBE', idleTime: 1 }],
    ['a string idleTime', { status: 'ACTIVE', idleTime: '12' }],
    ['a negative idleTime', { status: 'ACTIVE', idleTime: -1 }],
    ['no idleTime', { status: 'ACTIVE' }],
  ] as const) {
    it(`treats wrong-shaped JSON (${name}) as an error`, async () => {
      const { client } = setup(() => json(body));
      expect((await client.status(0)).kind).to.equal('error');
    });
  }

  it('ignores limits that make no sense but keeps the idle time', async () => {
    const { client } = setup(() => json({ status: 'ACTIVE', idleTime: 3, idleLimit: 900, timeoutLimit: 600 }));
    expect(await client.status(0)).to.deep.equal({ kind: 'ok', idleTime: 3 });
  });

  it('treats a network TypeError as an error', async () => {
    const { client } = setup(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(await client.status(0)).to.deep.equal({ kind: 'error', message: 'Failed to fetch' });
  });

  it('aborts a hung call after exactly 5 s of fake time, as an error', async () => {
    const { env, client } = setup(() => new Promise<Response>(() => {}));
    let result: unknown;
    void client.status(0).then((r) => (result = r));
    await env.browser.advance(CALL_TIMEOUT_MS - 1);
    expect(result).to.equal(undefined);
    expect(env.calls[0].init.signal!.aborted).to.equal(false);
    await env.browser.advance(1);
    expect(env.calls[0].init.signal!.aborted).to.equal(true);
    expect(result).to.deep.include({ kind: 'error' });
    expect(CALL_TIMEOUT_MS).to.equal(5000);
  });

  it('leaves no timer behind after an answer', async () => {
    const { env, client } = setup(() => status(1, 600, 1200));
    await client.status(0);
    expect(env.browser.pendingTimers()).to.equal(0);
  });

  it('aborts when the caller’s signal aborts', async () => {
    const { client } = setup(() => new Promise<Response>(() => {}));
    const outer = new AbortController();
    const pending = client.status(0, outer.signal);
    outer.abort();
    expect(await pending).to.deep.equal({ kind: 'error', message: 'aborted' });
  });
});

describe('session-client: request shape', () => {
  afterEach(() => {
    clearCookie('csrftoken');
    clearCookie('my_csrf');
    document.querySelectorAll('meta[name="csrf-token"]').forEach((m) => m.remove());
  });

  it('GETs the status uncached with same-origin credentials and no CSRF header', async () => {
    setCookie('csrftoken', 'abc');
    const { env, client } = setup(() => status(1, 600, 1200));
    await client.status(0);
    const [call] = env.calls;
    expect(call.url).to.equal(STATUS);
    expect(call.method).to.equal('GET');
    expect(call.init.cache).to.equal('no-store');
    expect(call.init.credentials).to.equal('same-origin');
    expect(call.init.redirect).to.equal('manual');
    expect(call.headers).to.not.have.property('X-CSRFToken');
    expect(call.headers.Accept).to.equal('application/json');
  });

  it('POSTs the keepalive with the csrftoken cookie as X-CSRFToken', async () => {
    setCookie('csrftoken', 'tok%20en');
    const { env, client } = setup(() => status(0, 600, 1200));
    await client.keepalive(0);
    const [call] = env.calls;
    expect(call.url).to.equal(KEEPALIVE);
    expect(call.method).to.equal('POST');
    expect(call.headers['X-CSRFToken']).to.equal('tok en');
    expect(call.init.cache).to.equal('no-store');
    expect(call.init.credentials).to.equal('same-origin');
  });

  it('uses <meta name="csrf-token"> when there is no cookie', async () => {
    const meta = document.createElement('meta');
    meta.name = 'csrf-token';
    meta.content = 'from-meta';
    document.head.append(meta);
    const { env, client } = setup(() => status(0, 600, 1200));
    await client.keepalive(0);
    expect(env.calls[0].headers['X-CSRFToken']).to.equal('from-meta');
  });

  it('prefers the cookie over the meta', async () => {
    const meta = document.createElement('meta');
    meta.name = 'csrf-token';
    meta.content = 'from-meta';
    document.head.append(meta);
    setCookie('csrftoken', 'from-cookie');
    const { env, client } = setup(() => status(0, 600, 1200));
    await client.keepalive(0);
    expect(env.calls[0].headers['X-CSRFToken']).to.equal('from-cookie');
  });

  it('sends no CSRF header when no token is found', async () => {
    const { env, client } = setup(() => status(0, 600, 1200));
    await client.keepalive(0);
    expect(Object.keys(env.calls[0].headers)).to.deep.equal(['Accept']);
  });

  it('uses custom csrf-cookie and csrf-header names', async () => {
    setCookie('csrftoken', 'wrong');
    setCookie('my_csrf', 'right');
    const { env, client } = setup(() => status(0, 600, 1200), { csrfCookie: 'my_csrf', csrfHeader: 'X-My-Token' });
    await client.keepalive(0);
    expect(env.calls[0].headers['X-My-Token']).to.equal('right');
    expect(env.calls[0].headers).to.not.have.property('X-CSRFToken');
  });

  it('uses a token refreshed in an X-CSRF-Token answer header on the next call', async () => {
    setCookie('csrftoken', 'old');
    const { env, client } = setup(() => status(0, 600, 1200, {}));
    env.respond = () => json({ status: 'ACTIVE', idleTime: 0 }, { headers: { 'X-CSRF-Token': 'fresh' } });
    await client.keepalive(0);
    expect(env.calls[0].headers['X-CSRFToken']).to.equal('old');
    await client.keepalive(0);
    expect(env.calls[1].headers['X-CSRFToken']).to.equal('fresh');
  });

  it('sends a GET keepalive without a CSRF header', async () => {
    setCookie('csrftoken', 'abc');
    const { env, client } = setup(() => status(0, 600, 1200), { keepaliveMethod: 'GET' });
    await client.keepalive(0);
    expect(env.calls[0].method).to.equal('GET');
    expect(env.calls[0].headers).to.not.have.property('X-CSRFToken');
  });

  it('accepts a keepalive that answers 204 No Content as "the server saw us now"', async () => {
    const { client } = setup(() => new Response(null, { status: 204 }));
    expect(await client.keepalive(0)).to.deep.equal({ kind: 'ok', idleTime: 0 });
  });

  it('treats an empty status answer as an error, not expiry', async () => {
    const { client } = setup(() => new Response(null, { status: 204 }));
    expect(await client.status(0)).to.include({ kind: 'error', message: 'empty answer' });
  });

  it('does not call anything without URLs', async () => {
    const { env, client } = setup(() => status(0, 600, 1200), { statusUrl: null, keepaliveUrl: null });
    expect((await client.status(0)).kind).to.equal('error');
    expect((await client.keepalive(0)).kind).to.equal('error');
    expect(env.calls).to.have.length(0);
  });
});

describe('session-client: django-session-security', () => {
  const PING = '/session_security/ping/';
  const dss = (respond: Responder) => setup(respond, { protocol: 'django-session-security', statusUrl: PING, keepaliveUrl: null });

  it('pings with ?idleFor=N (whole seconds) for the status', async () => {
    const { env, client } = dss(() => json(12));
    expect(await client.status(42.9)).to.deep.equal({ kind: 'ok', idleTime: 12 });
    expect(env.calls[0].url).to.equal(`${PING}?idleFor=42`);
    expect(env.calls[0].method).to.equal('GET');
  });

  it('keeps alive with the same ping and idleFor=0', async () => {
    const { env, client } = dss(() => json(0));
    expect(await client.keepalive(0)).to.deep.equal({ kind: 'ok', idleTime: 0 });
    expect(env.calls[0].url).to.equal(`${PING}?idleFor=0`);
    expect(env.calls[0].method).to.equal('GET');
  });

  it('keeps other query parameters of the ping URL', async () => {
    const env = singleTab();
    env.respond = () => json(1);
    const client = new SessionClient(env.fetch, env, {
      protocol: 'django-session-security',
      statusUrl: `${PING}?a=1`,
      keepaliveUrl: null,
      keepaliveMethod: 'POST',
      csrfCookie: 'csrftoken',
      csrfHeader: 'X-CSRFToken',
    });
    await client.status(3);
    expect(env.calls[0].url).to.equal(`${PING}?a=1&idleFor=3`);
  });

  it('treats "logout" as expired', async () => {
    const { client } = dss(() => json('logout'));
    expect(await client.status(0)).to.deep.equal({ kind: 'expired', reason: 'logout' });
  });

  it('treats another JSON value as an error', async () => {
    const { client } = dss(() => json({ idle: 3 }));
    expect((await client.status(0)).kind).to.equal('error');
  });
});
