import { expect } from '@open-wc/testing';
import {
  DEFAULT_EVENTS,
  DEFAULT_IDLE_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
  onceReporter,
  resolveConfig,
  type RawConfig,
} from '../../src/core/config.js';

const page = { href: 'https://app.example/account/', origin: 'https://app.example' };

describe('config', () => {
  let logged: unknown[][];
  let original: typeof console.error;

  beforeEach(() => {
    logged = [];
    original = console.error;
    console.error = (...args: unknown[]) => {
      logged.push(args);
    };
  });
  afterEach(() => {
    console.error = original;
  });

  /** Resolve with a fresh once-reporter on the stubbed console.error. */
  const resolve = (raw: RawConfig) => resolveConfig(raw, page, onceReporter());

  function expectOneError(attribute: string, value: string) {
    expect(logged, `console.error for ${attribute}="${value}"`).to.have.length(1);
    const message = String(logged[0][0]);
    expect(message).to.contain(attribute);
    expect(message).to.contain(value);
  }

  it('uses the defaults silently when nothing is given', () => {
    const c = resolve({});
    expect(c).to.deep.equal({
      statusUrl: null,
      keepaliveUrl: null,
      keepaliveMethod: 'POST',
      signoutUrl: null,
      timeoutUrl: null,
      idleSeconds: DEFAULT_IDLE_SECONDS,
      timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
      limitsGiven: false,
      protocol: 'session-timeout',
      csrfCookie: 'csrftoken',
      csrfHeader: 'X-CSRFToken',
      activityEvents: DEFAULT_EVENTS,
      channel: 'session-timeout-dialog|https://app.example|',
      noTabSync: false,
      keepDrafts: false,
    });
    expect(logged).to.have.length(0);
  });

  it('takes valid values, resolving URLs against the page', () => {
    const c = resolve({
      statusUrl: '/session/status',
      keepaliveUrl: 'keepalive',
      keepaliveMethod: 'get',
      signoutUrl: '/logout',
      timeoutUrl: '/login?timed-out=1',
      idleSeconds: '60',
      timeoutSeconds: 180,
      protocol: 'django-session-security',
      csrfCookie: 'my_csrf',
      csrfHeader: 'X-My-Token',
      activityEvents: ' keydown  click ',
      channel: 'app-one',
      noTabSync: true,
      keepDrafts: true,
    });
    expect(c).to.deep.equal({
      statusUrl: 'https://app.example/session/status',
      keepaliveUrl: 'https://app.example/account/keepalive',
      keepaliveMethod: 'GET',
      signoutUrl: 'https://app.example/logout',
      timeoutUrl: 'https://app.example/login?timed-out=1',
      idleSeconds: 60,
      timeoutSeconds: 180,
      limitsGiven: true,
      protocol: 'django-session-security',
      csrfCookie: 'my_csrf',
      csrfHeader: 'X-My-Token',
      activityEvents: ['keydown', 'click'],
      channel: 'app-one',
      noTabSync: true,
      keepDrafts: true,
    });
    expect(logged).to.have.length(0);
  });

  for (const [attribute, key, fallback] of [
    ['idle-seconds', 'idleSeconds', DEFAULT_IDLE_SECONDS],
    ['timeout-seconds', 'timeoutSeconds', DEFAULT_TIMEOUT_SECONDS],
  ] as const) {
    for (const bad of ['abc', '-5', '0', '1e12', 'Infinity', 'NaN', '12abc']) {
      it(`reports ${attribute}="${bad}" once and uses ${fallback}`, () => {
        const c = resolve({ [key]: bad });
        expect(c[key]).to.equal(fallback);
        expect(c.idleSeconds).to.be.lessThan(c.timeoutSeconds);
        expectOneError(attribute, bad);
      });
    }
  }

  it('reports idle-seconds >= timeout-seconds once and uses both defaults', () => {
    const c = resolve({ idleSeconds: '600', timeoutSeconds: '600' });
    expect([c.idleSeconds, c.timeoutSeconds]).to.deep.equal([DEFAULT_IDLE_SECONDS, DEFAULT_TIMEOUT_SECONDS]);
    expectOneError('idle-seconds', '600');
  });

  it('keeps the default 2-minute warning when only a short timeout-seconds is given', () => {
    expect(resolve({ timeoutSeconds: '600' })).to.include({ idleSeconds: 480, timeoutSeconds: 600 });
    expect(resolve({ timeoutSeconds: '60' })).to.include({ idleSeconds: 30, timeoutSeconds: 60 });
    expect(resolve({ timeoutSeconds: '1800' })).to.include({ idleSeconds: DEFAULT_IDLE_SECONDS, timeoutSeconds: 1800 });
    expect(logged).to.have.length(0);
  });

  it('ends 2 minutes after a long idle-seconds given alone', () => {
    expect(resolve({ idleSeconds: '1200' })).to.include({ idleSeconds: 1200, timeoutSeconds: 1320 });
    expect(resolve({ idleSeconds: '60' })).to.include({ idleSeconds: 60, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS });
    expect(logged).to.have.length(0);
  });

  it('says each problem only once per reporter', () => {
    const report = onceReporter();
    resolveConfig({ idleSeconds: 'abc' }, page, report);
    resolveConfig({ idleSeconds: 'abc' }, page, report);
    expect(logged).to.have.length(1);
  });

  it('reports keepalive-method other than POST/GET and uses POST', () => {
    const c = resolve({ keepaliveMethod: 'PUT' });
    expect(c.keepaliveMethod).to.equal('POST');
    expectOneError('keepalive-method', 'PUT');
  });

  it('reports an unknown protocol and uses session-timeout', () => {
    const c = resolve({ protocol: 'soap' });
    expect(c.protocol).to.equal('session-timeout');
    expectOneError('protocol', 'soap');
  });

  for (const [attribute, key, bad] of [
    ['csrf-cookie', 'csrfCookie', 'bad name'],
    ['csrf-cookie', 'csrfCookie', 'a;b'],
    ['csrf-header', 'csrfHeader', 'X CSRF'],
    ['csrf-header', 'csrfHeader', 'X-Token:'],
  ] as const) {
    it(`reports ${attribute}="${bad}" and uses the default`, () => {
      const c = resolve({ [key]: bad });
      expect(c[key]).to.equal(key === 'csrfCookie' ? 'csrftoken' : 'X-CSRFToken');
      expectOneError(attribute, bad);
    });
  }

  for (const bad of ['', '   ', 'keydown 1bad', 'key<down']) {
    it(`reports activity-events="${bad}" and uses the defaults`, () => {
      const c = resolve({ activityEvents: bad });
      expect(c.activityEvents).to.deep.equal(DEFAULT_EVENTS);
      expectOneError('activity-events', bad);
    });
  }

  const schemes = ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:msgbox(1)'];
  for (const [attribute, key] of [
    ['status-url', 'statusUrl'],
    ['keepalive-url', 'keepaliveUrl'],
    ['signout-url', 'signoutUrl'],
    ['timeout-url', 'timeoutUrl'],
  ] as const) {
    for (const bad of schemes) {
      it(`refuses ${attribute}="${bad}"`, () => {
        const c = resolve({ [key]: bad });
        expect(c[key]).to.equal(null);
        expectOneError(attribute, bad);
      });
    }
  }

  for (const [attribute, key] of [
    ['status-url', 'statusUrl'],
    ['keepalive-url', 'keepaliveUrl'],
  ] as const) {
    for (const bad of ['https://evil.example/session', '//evil.example/session', 'http://app.example/session']) {
      it(`refuses a cross-origin ${attribute}="${bad}" (credentials stay on this origin)`, () => {
        const c = resolve({ [key]: bad });
        expect(c[key]).to.equal(null);
        expectOneError(attribute, bad);
      });
    }
  }

  it('refuses a URL that does not parse', () => {
    const c = resolve({ statusUrl: 'http://[oops' });
    expect(c.statusUrl).to.equal(null);
    expectOneError('status-url', 'http://[oops');
  });

  describe('keepalive-url equal to status-url', () => {
    for (const [name, statusUrl, keepaliveUrl] of [
      ['the same path', '/session/status', '/session/status'],
      ['the same URL written two ways', '/session/status', 'https://app.example/session/./status'],
      ['relative against the page', '../session/status', '/session/status'],
      ['only a fragment apart', '/session/status', '/session/status#keepalive'],
      ['only an empty query apart', '/session/status', '/session/status?'],
      ['only percent-encoding apart', '/session/status', '/session/st%61tus'],
    ] as const) {
      it(`refuses it with session-timeout (${name}): reported once, no keepalive URL`, () => {
        const report = onceReporter();
        const c = resolveConfig({ statusUrl, keepaliveUrl }, page, report);
        expect(c.statusUrl).to.equal('https://app.example/session/status');
        expect(c.keepaliveUrl).to.equal(null);
        expectOneError('keepalive-url', keepaliveUrl);
        expect(String(logged[0]![0])).to.contain('status-url');
        // Configured again (an attribute changed): not said twice.
        resolveConfig({ statusUrl, keepaliveUrl }, page, report);
        expect(logged).to.have.length(1);
      });
    }

    it('keeps a different keepalive-url (another path, or another query)', () => {
      expect(resolve({ statusUrl: '/session/status', keepaliveUrl: '/session/keepalive' }).keepaliveUrl).to.equal(
        'https://app.example/session/keepalive',
      );
      expect(resolve({ statusUrl: '/s', keepaliveUrl: '/s?keepalive=1' }).keepaliveUrl).to.equal('https://app.example/s?keepalive=1');
      expect(logged).to.have.length(0);
    });

    it('accepts it with django-session-security (its ping is both by design)', () => {
      const c = resolve({ protocol: 'django-session-security', statusUrl: '/ping/', keepaliveUrl: '/ping/' });
      expect(c.keepaliveUrl).to.equal('https://app.example/ping/');
      expect(logged).to.have.length(0);
    });
  });

  it('allows a cross-origin signout-url and timeout-url (a navigation)', () => {
    const c = resolve({ signoutUrl: 'https://sso.example/logout', timeoutUrl: 'https://sso.example/login' });
    expect(c.signoutUrl).to.equal('https://sso.example/logout');
    expect(c.timeoutUrl).to.equal('https://sso.example/login');
    expect(logged).to.have.length(0);
  });

  it('defaults timeout-url to signout-url', () => {
    expect(resolve({ signoutUrl: '/logout' }).timeoutUrl).to.equal('https://app.example/logout');
  });

  it('defaults timeout-url to signout-url when timeout-url is refused', () => {
    const c = resolve({ signoutUrl: '/logout', timeoutUrl: 'javascript:alert(1)' });
    expect(c.timeoutUrl).to.equal('https://app.example/logout');
    expectOneError('timeout-url', 'javascript:alert(1)');
  });

  it('leaves no timeout-url without signout-url (the page reloads)', () => {
    expect(resolve({}).timeoutUrl).to.equal(null);
  });

  it('treats only given numbers as given limits', () => {
    expect(resolve({ idleSeconds: '' }).limitsGiven).to.equal(false);
    expect(resolve({ idleSeconds: null }).limitsGiven).to.equal(false);
    expect(resolve({ timeoutSeconds: '600' }).limitsGiven).to.equal(true);
    expect(logged).to.have.length(0);
  });

  it('does not count an invalid limit as given (the status then teaches the limits)', () => {
    expect(resolve({ idleSeconds: 'abc' }).limitsGiven).to.equal(false);
    expect(resolve({ idleSeconds: '-5' }).limitsGiven).to.equal(false);
  });

  it('never throws on values of the wrong type set as properties', () => {
    const raw = {
      statusUrl: 42,
      keepaliveUrl: {},
      keepaliveMethod: 7,
      signoutUrl: true,
      timeoutUrl: [],
      idleSeconds: {},
      timeoutSeconds: Symbol.iterator.description,
      protocol: 1,
      csrfCookie: 3,
      csrfHeader: false,
      activityEvents: 9,
    } as unknown as RawConfig;
    let c: ReturnType<typeof resolve> | undefined;
    expect(() => (c = resolve(raw))).to.not.throw();
    expect(c!.idleSeconds).to.be.lessThan(c!.timeoutSeconds);
    expect(c!.activityEvents.length).to.be.greaterThan(0);
  });
});
