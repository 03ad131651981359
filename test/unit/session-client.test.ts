import { expect } from '@open-wc/testing';
import { CALL_TIMEOUT_MS, SessionClient, keepaliveTarget, type ClientOptions } from '../../src/core/session-client.js';
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

  it('treats limits in the wrong order as an error naming them (never a plan)', async () => {
    const { client } = setup(() => json({ status: 'ACTIVE', idleTime: 3, idleLimit: 900, timeoutLimit: 600 }));
    const result = await client.status(0);
    expect(result).to.include({ kind: 'error', status: 200 });
    expect((result as { message: string }).message).to.match(/idleLimit 900 .*timeoutLimit 600/);
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

describe('session-client: sane numbers (the rules of the attributes)', () => {
  const MAX = 366 * 24 * 3600;
  const base = { status: 'ACTIVE', idleTime: 3, idleLimit: 600, timeoutLimit: 1200 };
  const absurd: [string, unknown][] = [
    ['1e306', 1e306],
    ['a year and a second', MAX + 1],
    ['-1', -1],
    ['2.5', 2.5],
    ['"600"', '600'],
    ['null', null],
    ['true', true],
  ];
  for (const op of ['status', 'keepalive'] as const) {
    for (const field of ['idleTime', 'idleLimit', 'timeoutLimit', 'expiresIn', ...(op === 'keepalive' ? ['priorIdleTime'] : [])]) {
      for (const [name, value] of absurd) {
        it(`${op}: ${field} = ${name} is an error naming the field and the value`, async () => {
          const { client } = setup(() => json({ ...base, ...(op === 'keepalive' ? { idleTime: 0 } : {}), [field]: value }));
          const result = await client[op](0);
          expect(result.kind, JSON.stringify(result)).to.equal('error');
          const message = (result as { message: string }).message;
          expect(message).to.include(field);
          expect(message).to.include(JSON.stringify(value).slice(0, 10));
        });
      }
    }
  }

  it('accepts the largest sane values (a year) and 0 where 0 makes sense', async () => {
    const { client } = setup(() => json({ status: 'ACTIVE', idleTime: 0, idleLimit: MAX - 1, timeoutLimit: MAX, expiresIn: 0 }));
    expect(await client.status(0)).to.deep.equal({ kind: 'ok', idleTime: 0, idleLimit: MAX - 1, timeoutLimit: MAX, expiresIn: 0 });
  });

  it('treats idleLimit 0 as an error (the warning would be at once, forever)', async () => {
    const { client } = setup(() => json({ ...base, idleLimit: 0 }));
    expect((await client.status(0)).kind).to.equal('error');
  });

  it('treats an absurd idleTime as an error even when the status says TIMEOUT-worthy things', async () => {
    const { client } = setup(() => json({ status: 'IDLE', idleTime: 1e306, idleLimit: 600, timeoutLimit: 1200 }));
    expect(await client.status(0)).to.deep.include({
      kind: 'error',
      message: 'unexpected answer: idleTime 1e+306 out of range',
    });
  });

  for (const [name, body] of [['1e306', 1e306], ['-4', -4], ['2.5', 2.5], ['a year and a second', MAX + 1]] as const) {
    it(`django-session-security: a bare ${name} is an error naming the value`, async () => {
      const { client } = setup(() => json(body), { protocol: 'django-session-security', statusUrl: '/ping/', keepaliveUrl: '/ping/' });
      const result = await client.status(0);
      expect(result.kind).to.equal('error');
      expect((result as { message: string }).message).to.include(`idle time ${JSON.stringify(body)}`);
    });
  }

  it('ignores a Retry-After beyond a year (the usual backoff applies)', async () => {
    const { client } = setup(() => new Response('busy', { status: 503, headers: { 'Retry-After': '1e306' } }));
    expect(await client.status(0)).to.deep.equal({ kind: 'error', status: 503, message: 'HTTP 503' });
    const { client: c2 } = setup(() => new Response('busy', { status: 503, headers: { 'Retry-After': String(MAX + 1) } }));
    expect(await c2.status(0)).to.deep.equal({ kind: 'error', status: 503, message: 'HTTP 503' });
  });
});

describe('session-client: priorIdleTime and draftKey', () => {
  const KEY = 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA'; // 32 bytes, base64url

  it('reads priorIdleTime from a keepalive answer', async () => {
    const { client } = setup(() => json({ status: 'ACTIVE', idleTime: 0, idleLimit: 60, timeoutLimit: 120, priorIdleTime: 41 }));
    expect(await client.keepalive(0)).to.deep.equal({ kind: 'ok', idleTime: 0, idleLimit: 60, timeoutLimit: 120, priorIdleTime: 41 });
  });

  it('ignores priorIdleTime in a status answer (it only means something for a keepalive)', async () => {
    const { client } = setup(() => status(5, 60, 120, { priorIdleTime: 41 }));
    expect(await client.status(0)).to.not.have.property('priorIdleTime');
  });

  it('reads a draftKey from a status and from a keepalive answer', async () => {
    const { client } = setup(() => status(0, 60, 120, { draftKey: KEY }));
    expect(await client.status(0)).to.include({ kind: 'ok', draftKey: KEY });
    expect(await client.keepalive(0)).to.include({ kind: 'ok', draftKey: KEY });
  });

  for (const [name, key] of [
    ['too short', KEY.slice(0, 42)],
    ['too long', `${KEY}A`],
    ['padded', `${KEY}=`],
    ['standard base64 (+ and /)', `${KEY.slice(0, 40)}+/A`],
    ['not 32 bytes (last character carries non-zero spare bits)', `${KEY.slice(0, 42)}B`],
    ['a number', 12345],
    ['an object', { k: KEY }],
  ] as const) {
    it(`ignores a draftKey that is ${name}, without an error`, async () => {
      const { client } = setup(() => status(0, 60, 120, { draftKey: key }));
      const result = await client.status(0);
      expect(result).to.deep.equal({ kind: 'ok', idleTime: 0, idleLimit: 60, timeoutLimit: 120 });
    });
  }

  it('never reads a draftKey from an expired answer', async () => {
    const { client } = setup(() => json({ status: 'EXPIRED', draftKey: KEY }));
    expect(await client.status(0)).to.deep.equal({ kind: 'expired', reason: 'EXPIRED' });
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

describe('keepaliveTarget: where a keepalive goes (the one place that knows)', () => {
  it('is the keepalive-url with session-timeout, and none without it', () => {
    expect(keepaliveTarget({ protocol: 'session-timeout', statusUrl: '/s', keepaliveUrl: '/k' })).to.equal('/k');
    expect(keepaliveTarget({ protocol: 'session-timeout', statusUrl: '/s', keepaliveUrl: null })).to.equal(null);
  });

  it('is the ping (status-url) with django-session-security unless a keepalive-url is given', () => {
    expect(keepaliveTarget({ protocol: 'django-session-security', statusUrl: '/ping/', keepaliveUrl: null })).to.equal('/ping/');
    expect(keepaliveTarget({ protocol: 'django-session-security', statusUrl: '/ping/', keepaliveUrl: '/k' })).to.equal('/k');
    expect(keepaliveTarget({ protocol: 'django-session-security', statusUrl: null, keepaliveUrl: null })).to.equal(null);
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
