import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { browserEnvironment } from '../../src/core/environment.js';
import {
  FakeServer,
  START,
  engineConfig,
  engineTab,
  json,
  singleTab,
  status,
  type EngineTab,
} from '../helpers/fake-env.js';

const S = 1000;
const IDLE = 300;
const TIMEOUT = 360;

/** One tab, no tab sync, a server with idle 300 s / timeout 360 s, started at START. */
function single(over: Parameters<typeof engineConfig>[2] = {}, client = {}) {
  const env = singleTab();
  const server = new FakeServer(env.browser, IDLE, TIMEOUT);
  env.respond = server.respond;
  const t = engineTab(env, { client });
  t.engine.start(engineConfig(IDLE, TIMEOUT, over), env.pageLoadedAt(), true);
  return { ...t, server, browser: env.browser };
}

/** Advance to an absolute instant (ms after START). */
async function at(t: EngineTab, msAfterStart: number) {
  await t.env.browser.advance(START + msAfterStart - t.env.now());
}

/** The person acts every `every` ms from now until `until` (ms after START). */
async function typeUntil(t: EngineTab, until: number, every = 5 * S) {
  while (t.env.now() + every <= START + until) {
    await t.env.browser.advance(every);
    t.tracker.report();
  }
  await at(t, until);
}

describe('session-engine: lazy checks', () => {
  it('makes no request before a decision is due when the limits are given', async () => {
    const t = single();
    await at(t, IDLE * S - 1);
    expect(t.env.calls).to.have.length(0);
    expect(t.engine.phase).to.equal('active');
    expect(t.host.warns).to.have.length(0);
  });

  it('asks the status once on start when the limits are not given, and the server limits win', async () => {
    const env = singleTab();
    const server = new FakeServer(env.browser, 120, 200);
    env.respond = server.respond;
    const t = engineTab(env);
    t.engine.start(engineConfig(780, 900, { limitsGiven: false }), env.pageLoadedAt(), true);
    await env.browser.advance(0);
    expect(server.count('status')).to.equal(1);
    expect(t.engine.limits).to.deep.equal({ idle: 120_000, timeout: 200_000 });
    expect(t.engine.deadlines.warnAt).to.equal(START + 120_000);
    expect(t.engine.deadlines.expireAt).to.equal(START + 200_000);
    await at(t, 120 * S - 1);
    expect(server.count('status')).to.equal(1);
    await at(t, 120 * S);
    expect(t.host.warns).to.deep.equal([{ remaining: 80, at: START + 120_000 }]);
  });

  it('asks the status at warnAt and warns when the server confirms the inactivity', async () => {
    const t = single();
    await at(t, IDLE * S);
    expect(t.server.calls.map((c) => [c.url, c.at])).to.deep.equal([['/session/status', START + IDLE * S]]);
    expect(t.engine.phase).to.equal('warning');
    expect(t.host.warns).to.deep.equal([{ remaining: 60, at: START + IDLE * S }]);
    expect(t.engine.remainingSeconds).to.equal(60);
  });

  it('keeps the warning away while the app’s own requests show a fresher idle time', async () => {
    const t = single();
    await at(t, 100 * S);
    t.server.touch(); // the app's own request
    await at(t, IDLE * S);
    expect(t.server.count('status')).to.equal(1);
    expect(t.engine.phase).to.equal('active');
    expect(t.host.warns).to.have.length(0);
    expect(t.engine.deadlines.warnAt).to.equal(START + 400_000);
    await at(t, 250 * S);
    t.server.touch();
    await at(t, 400 * S);
    expect(t.server.count('status')).to.equal(2);
    expect(t.engine.phase).to.equal('active');
    await at(t, 550 * S - 1);
    expect(t.host.warns).to.have.length(0);
    await at(t, 550 * S);
    expect(t.server.count('status')).to.equal(3);
    expect(t.host.warns).to.deep.equal([{ remaining: 60, at: START + 550_000 }]);
  });

  it('keeps a person typing for 1 hour signed in with one keepalive per idle period and no status call', async function () {
    this.timeout(60_000);
    const t = single();
    await typeUntil(t, 3600 * S);
    expect(t.engine.phase).to.equal('active');
    expect(t.host.warns).to.have.length(0);
    expect(t.server.count('status')).to.equal(0);
    const keepalives = t.server.calls.filter((c) => c.url === '/session/keepalive');
    expect(keepalives).to.have.length(12);
    expect(keepalives.map((c) => c.method)).to.deep.equal(Array(12).fill('POST'));
    for (let i = 1; i < keepalives.length; i++) {
      expect(keepalives[i].at - keepalives[i - 1].at).to.be.at.least(IDLE * S);
    }
    expect(t.host.extends.every((e) => e.source === 'activity')).to.equal(true);
    // The server never came close to its own timeout.
    expect(t.server.over).to.equal(false);
  });

  it('does not take a status that shows its own keepalive for new activity', async () => {
    const t = single();
    await typeUntil(t, 10 * S);
    // The keepalive for that activity goes when the server's idle clock reaches idle.
    await at(t, IDLE * S);
    expect(t.server.count('keepalive')).to.equal(1);
    expect(t.server.calls[0].at).to.equal(START + IDLE * S);
    // The person's warning is still due at their last activity + idle.
    await at(t, 310 * S - 1);
    expect(t.host.warns).to.have.length(0);
    await at(t, 310 * S);
    expect(t.server.count('status')).to.equal(1);
    expect(t.host.warns).to.deep.equal([{ remaining: 60, at: START + 310_000 }]);
    // And the end, although the server would hold the session until 660 s.
    await at(t, 370 * S);
    expect(t.server.count('status')).to.equal(2);
    expect(t.host.expires).to.deep.equal([START + 370_000]);
    expect(t.engine.phase).to.equal('expired');
  });

  it('expires at expireAt after a status check', async () => {
    const t = single();
    await at(t, TIMEOUT * S - 1);
    expect(t.host.expires).to.have.length(0);
    await at(t, TIMEOUT * S);
    expect(t.server.calls.map((c) => [c.url, c.at - START])).to.deep.equal([
      ['/session/status', 300_000],
      ['/session/status', 360_000],
    ]);
    expect(t.host.expires).to.deep.equal([START + TIMEOUT * S]);
    expect(t.engine.phase).to.equal('expired');
    expect(t.engine.remainingSeconds).to.equal(0);
    // Nothing more happens after the end.
    await at(t, 3600 * S);
    expect(t.server.calls).to.have.length(2);
    expect(t.env.browser.pendingTimers(t.env)).to.equal(0);
  });

  it('re-plans instead of leaving when the status at expireAt shows activity it did not cause', async () => {
    const t = single();
    await at(t, IDLE * S);
    expect(t.engine.phase).to.equal('warning');
    await at(t, 350 * S);
    t.server.touch(); // another device
    await at(t, TIMEOUT * S);
    expect(t.host.expires).to.have.length(0);
    expect(t.engine.phase).to.equal('active');
    expect(t.host.extends.map((e) => e.source)).to.deep.equal(['server']);
    expect(t.engine.deadlines.warnAt).to.equal(START + 650_000);
  });
});

describe('session-engine: page load', () => {
  function startedAfter(msAfterLoad: number) {
    const env = singleTab(); // the page request reached the server at START
    const server = new FakeServer(env.browser, IDLE, TIMEOUT);
    env.respond = server.respond;
    env.browser.jump(msAfterLoad); // parsing, scripts: the element connects later
    const t = engineTab(env);
    t.engine.start(engineConfig(IDLE, TIMEOUT), env.pageLoadedAt(), true);
    return { ...t, server };
  }

  it('counts the page load as the activity, with no keepalive for it, when it starts right after the load', async () => {
    const t = startedAfter(1_500);
    expect(t.engine.deadlines.warnAt).to.equal(START + IDLE * S);
    await at(t, TIMEOUT * S);
    expect(t.server.calls.map((c) => c.url)).to.deep.equal(['/session/status', '/session/status']);
    expect(t.host.warns.map((w) => w.at - START)).to.deep.equal([IDLE * S]);
    expect(t.host.expires).to.deep.equal([START + TIMEOUT * S]);
  });

  it('counts its start as activity when connected long after the load (an SPA after sign-in)', async () => {
    const t = startedAfter(1_800_000);
    expect(t.engine.deadlines.personAt).to.equal(START + 1_800_000);
    // The server last saw the page load 30 min ago: tell it about the person now.
    await t.env.browser.advance(0);
    expect(t.server.calls.map((c) => [c.url, c.at - START])).to.deep.equal([['/session/keepalive', 1_800_000]]);
  });
});

describe('session-engine: errors', () => {
  it('still warns at warnAt and leaves exactly at expireAt when the network is down', async () => {
    const t = single();
    t.env.respond = () => Promise.reject(new TypeError('Failed to fetch'));
    await at(t, IDLE * S);
    expect(t.host.warns).to.deep.equal([{ remaining: 60, at: START + IDLE * S }]);
    expect(t.host.errors[0]).to.deep.include({ operation: 'status', message: 'Failed to fetch' });
    await at(t, TIMEOUT * S - 1);
    expect(t.engine.phase).to.equal('warning');
    expect(t.host.expires).to.have.length(0);
    await at(t, TIMEOUT * S);
    expect(t.host.expires).to.deep.equal([START + TIMEOUT * S]);
  });

  it('warns on the local estimate when the status at warnAt answers 503', async () => {
    const t = single();
    t.env.respond = () => new Response('', { status: 503 });
    await at(t, IDLE * S);
    expect(t.engine.phase).to.equal('warning');
    expect(t.host.warns).to.deep.equal([{ remaining: 60, at: START + IDLE * S }]);
    expect(t.host.errors[0]).to.deep.include({ operation: 'status', status: 503 });
  });

  it('leaves at most 5 s after expireAt when the server hangs', async () => {
    const t = single();
    await at(t, IDLE * S);
    t.env.respond = () => new Promise<Response>(() => {});
    await at(t, TIMEOUT * S + 4_999);
    expect(t.host.expires).to.have.length(0);
    await at(t, TIMEOUT * S + 5_000);
    expect(t.host.expires).to.deep.equal([START + TIMEOUT * S + 5_000]);
    expect(t.host.errors.at(-1)).to.deep.include({ operation: 'status' });
  });

  it('retries with growing backoff and stops at the deadline', async () => {
    const t = single();
    t.env.respond = () => Promise.reject(new TypeError('Failed to fetch'));
    await at(t, 2 * TIMEOUT * S);
    const times = t.env.calls.map((c) => c.at - START);
    expect(times[0]).to.equal(IDLE * S);
    expect(times.at(-1)).to.equal(TIMEOUT * S);
    const gaps = times.slice(1, -1).map((x, i) => x - times[i]);
    expect(gaps.length).to.be.at.least(4);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).to.be.greaterThan(gaps[i - 1]);
    expect(times.every((x) => x <= TIMEOUT * S)).to.equal(true);
    expect(t.host.expires).to.deep.equal([START + TIMEOUT * S]);
  });

  it('waits at least Retry-After before retrying', async () => {
    const t = single();
    t.env.respond = () => new Response('', { status: 503, headers: { 'Retry-After': '40' } });
    await at(t, TIMEOUT * S);
    expect(t.env.calls.map((c) => c.at - START)).to.deep.equal([300_000, 340_000, 360_000]);
  });

  it('retries a failed silent keepalive with backoff, not in a loop', async () => {
    const t = single();
    await typeUntil(t, 290 * S);
    t.env.respond = () => Promise.reject(new TypeError('Failed to fetch'));
    await typeUntil(t, 320 * S);
    const times = t.env.callsTo('/session/keepalive').map((c) => c.at - START);
    expect(times[0]).to.equal(300_000);
    expect(times.length).to.be.within(3, 6);
    for (let i = 2; i < times.length; i++) expect(times[i] - times[i - 1]).to.be.greaterThan(times[i - 1] - times[i - 2]);
    // Besides them, the warning's status (and its retry): with nothing
    // confirmed, the server's end came within the warning's lead (see 'a
    // keepalive that keeps failing').
    expect(t.env.callsTo('/session/status')).to.have.length.within(1, 2);
    expect(t.host.warns.map((w) => w.at - START)).to.deep.equal([306_000]);
    // Back online: the next retry gets through, the keepalive confirms the
    // activity, the warning closes, and the retries stop.
    t.env.respond = t.server.respond;
    await typeUntil(t, 400 * S);
    const after = t.server.calls.filter((c) => c.at > START + 320_000);
    expect(after.map((c) => c.url).filter((url) => url === '/session/keepalive')).to.have.length(1);
    expect(after.length).to.be.at.most(2);
    expect(t.engine.phase).to.equal('active');
    expect(t.host.extends.map((e) => e.source)).to.deep.equal(['activity']);
  });
});

describe('session-engine: extend', () => {
  async function warned() {
    const t = single();
    await at(t, IDLE * S);
    expect(t.engine.phase).to.equal('warning');
    return t;
  }

  it('POSTs a keepalive, returns to active and tells the host (source user)', async () => {
    const t = await warned();
    await at(t, 320 * S);
    expect(await t.engine.extend()).to.equal(true);
    const keepalive = t.server.calls.filter((c) => c.url === '/session/keepalive');
    expect(keepalive.map((c) => c.method)).to.deep.equal(['POST']);
    expect(t.engine.phase).to.equal('active');
    expect(t.host.extends).to.deep.equal([{ source: 'user', at: START + 320_000 }]);
    expect(t.engine.deadlines.warnAt).to.equal(START + 620_000);
    expect(t.engine.deadlines.expireAt).to.equal(START + 680_000);
    await at(t, 619 * S);
    expect(t.host.warns).to.have.length(1);
    await at(t, 620 * S);
    expect(t.host.warns).to.have.length(2);
  });

  it('keeps the warning and sets extendError when the keepalive fails, without retrying on its own', async () => {
    const t = await warned();
    t.env.respond = (call) =>
      call.url === '/session/keepalive' ? new Response('', { status: 500 }) : t.server.respond(call);
    expect(await t.engine.extend()).to.equal(false);
    expect(t.engine.phase).to.equal('warning');
    expect(t.engine.extendError).to.equal('HTTP 500');
    expect(t.host.extends).to.have.length(0);
    expect(t.host.errors).to.deep.equal([
      { operation: 'keepalive', status: 500, message: 'HTTP 500', at: START + IDLE * S },
    ]);
    // Waking up (visibility, online) does not send it again behind the person's back.
    await at(t, 320 * S);
    t.engine.wake();
    await at(t, 359 * S);
    expect(t.env.calls.filter((c) => c.url === '/session/keepalive')).to.have.length(1);
    expect(t.host.extends).to.have.length(0);
    // The person retries and it works.
    t.env.respond = t.server.respond;
    expect(await t.engine.extend()).to.equal(true);
    expect(t.engine.phase).to.equal('active');
    expect(t.engine.extendError).to.equal(null);
  });

  it('shares one request between two extend() calls at once', async () => {
    const t = await warned();
    const [a, b] = await Promise.all([t.engine.extend(), t.engine.extend()]);
    expect([a, b]).to.deep.equal([true, true]);
    expect(t.server.count('keepalive')).to.equal(1);
    expect(t.host.extends).to.have.length(1);
  });

  it('returns false without a request once expired', async () => {
    const t = single();
    await at(t, TIMEOUT * S);
    const before = t.env.calls.length;
    expect(await t.engine.extend()).to.equal(false);
    expect(t.env.calls.length).to.equal(before);
  });

  it('expires when the keepalive is answered by a redirect to the login page', async () => {
    const t = await warned();
    t.server.over = true;
    expect(await t.engine.extend()).to.equal(false);
    expect(t.engine.phase).to.equal('expired');
    expect(t.host.expires).to.have.length(1);
  });

  it('does not count activity during the warning as an extension', async () => {
    const t = await warned();
    for (let s = 305; s < TIMEOUT; s += 5) {
      await at(t, s * S);
      t.tracker.report();
    }
    expect(t.engine.phase).to.equal('warning');
    await at(t, TIMEOUT * S);
    expect(t.host.expires).to.deep.equal([START + TIMEOUT * S]);
    expect(t.server.count('keepalive')).to.equal(0);
  });

  it('does not count activity from during the warning after a later extend', async () => {
    const t = await warned();
    await at(t, 350 * S);
    t.tracker.report();
    await at(t, 355 * S);
    await t.engine.extend();
    expect(t.engine.deadlines.personAt).to.equal(START + 355_000);
  });
});

describe('session-engine: absolute end (expiresIn)', () => {
  it('ends at the absolute end, offers no extension and sends no keepalive for it', async () => {
    const t = single();
    t.server.absoluteEndAt = START + 210_000;
    await at(t, 10 * S);
    await t.engine.check();
    expect(t.engine.deadlines.absolute).to.equal(true);
    expect(t.engine.deadlines.expireAt).to.equal(START + 210_000);
    expect(t.engine.deadlines.warnAt).to.equal(START + 150_000);
    await at(t, 150 * S);
    expect(t.host.warns).to.deep.equal([{ remaining: 60, at: START + 150_000 }]);
    expect(await t.engine.extend()).to.equal(false);
    expect(t.server.count('keepalive')).to.equal(0);
    await at(t, 210 * S);
    expect(t.host.expires).to.deep.equal([START + 210_000]);
  });

  it('keeps the server alive for a working person until an absolute end after its idle end', async function () {
    this.timeout(20_000);
    const t = single();
    t.server.absoluteEndAt = START + 500_000;
    await at(t, 10 * S);
    await t.engine.check();
    await typeUntil(t, 440 * S);
    expect(t.server.count('keepalive')).to.equal(1);
    expect(t.server.over).to.equal(false);
    expect(t.host.warns.map((w) => [w.remaining, w.at - START])).to.deep.equal([[60, 440_000]]);
    await at(t, 500 * S);
    expect(t.host.expires).to.deep.equal([START + 500_000]);
  });
});

describe('session-engine: sleep and wake', () => {
  it('checks the status and leaves, without a warning, when woken after expireAt', async () => {
    const t = single();
    await at(t, 100 * S);
    t.browser.jump(3 * 3600 * S);
    t.engine.wake();
    await t.browser.advance(0);
    expect(t.server.count('status')).to.equal(1);
    expect(t.host.expires).to.have.length(1);
    expect(t.host.warns).to.have.length(0);
  });

  it('leaves, without a warning, when the late timer fires after sleep', async () => {
    const t = single();
    await at(t, 100 * S);
    t.browser.jump(3 * 3600 * S);
    await t.browser.advance(0);
    expect(t.host.expires).to.have.length(1);
    expect(t.host.warns).to.have.length(0);
  });

  it('leaves on the local estimate after sleep when the network is not back yet', async () => {
    const t = single();
    t.env.respond = () => Promise.reject(new TypeError('Failed to fetch'));
    t.browser.jump(3 * 3600 * S);
    t.engine.wake();
    await t.browser.advance(0);
    expect(t.host.expires).to.have.length(1);
    expect(t.host.warns).to.have.length(0);
  });

  it('warns with the right remaining seconds when woken inside the warning window', async () => {
    const t = single();
    t.browser.jump(320 * S);
    t.engine.wake();
    await t.browser.advance(0);
    expect(t.server.count('status')).to.equal(1);
    expect(t.host.warns).to.deep.equal([{ remaining: 40, at: START + 320_000 }]);
    await at(t, TIMEOUT * S);
    expect(t.host.expires).to.deep.equal([START + TIMEOUT * S]);
  });

  it('checks at once when restored from the back/forward cache (wake(true))', async () => {
    const t = single();
    await at(t, 50 * S);
    t.engine.wake(true);
    await t.browser.advance(0);
    expect(t.server.calls.map((c) => [c.url, c.at - START])).to.deep.equal([['/session/status', 50_000]]);
    expect(t.engine.phase).to.equal('active');
  });
});

describe('session-engine: races', () => {
  it('does not let a slow status answer sent before an extend undo the extension', async () => {
    const t = single();
    await at(t, IDLE * S);
    expect(t.engine.phase).to.equal('warning');
    let answerSlowStatus: () => void = () => {};
    t.env.respond = (call) => {
      if (call.url !== '/session/status') return t.server.respond(call);
      const stale = t.server.respond(call); // the server's answer at send time
      return new Promise<Response>((resolve) => (answerSlowStatus = () => resolve(stale as Response)));
    };
    await at(t, 310 * S);
    const checked = t.engine.check();
    await at(t, 311 * S);
    expect(await t.engine.extend()).to.equal(true);
    expect(t.engine.phase).to.equal('active');
    await at(t, 312 * S);
    answerSlowStatus();
    await checked;
    await t.browser.advance(0);
    expect(t.engine.phase).to.equal('active');
    expect(t.engine.deadlines.warnAt).to.equal(START + 611_000);
    expect(t.engine.deadlines.expireAt).to.equal(START + 671_000);
    expect(t.engine.deadlines.keepaliveAt).to.equal(Infinity);
    await at(t, 600 * S);
    expect(t.server.count('keepalive')).to.equal(1);
    expect(t.host.warns).to.have.length(1);
  });
});

describe('session-engine: client-only mode', () => {
  function clientOnly(keepalive: boolean) {
    const env = singleTab();
    const server = new FakeServer(env.browser, IDLE, TIMEOUT);
    env.respond = server.respond;
    const t = engineTab(env, { client: { statusUrl: null, keepaliveUrl: keepalive ? '/session/keepalive' : null } });
    t.engine.start(
      engineConfig(IDLE, TIMEOUT, { hasStatus: false, hasKeepalive: keepalive }),
      env.pageLoadedAt(),
      true,
    );
    return { ...t, server };
  }

  it('warns and leaves on local time with no request', async () => {
    const t = clientOnly(false);
    await at(t, IDLE * S);
    expect(t.host.warns).to.deep.equal([{ remaining: 60, at: START + IDLE * S }]);
    await at(t, TIMEOUT * S);
    expect(t.host.expires).to.deep.equal([START + TIMEOUT * S]);
    expect(t.env.calls).to.have.length(0);
  });

  it('extends locally without a keepalive URL', async () => {
    const t = clientOnly(false);
    await at(t, 330 * S);
    expect(await t.engine.extend()).to.equal(true);
    expect(t.engine.phase).to.equal('active');
    expect(t.engine.deadlines.expireAt).to.equal(START + 690_000);
    expect(t.env.calls).to.have.length(0);
  });

  it('times keepalives on a server clock that restarts at each keepalive', async function () {
    this.timeout(20_000);
    const t = clientOnly(true);
    await typeUntil(t, 400 * S);
    expect(t.env.calls.map((c) => [c.url, c.at - START])).to.deep.equal([['/session/keepalive', 300_000]]);
    await at(t, 600 * S);
    expect(t.env.calls.map((c) => [c.url, c.at - START])).to.deep.equal([
      ['/session/keepalive', 300_000],
      ['/session/keepalive', 600_000],
    ]);
    await at(t, 700 * S);
    expect(t.host.warns).to.deep.equal([{ remaining: 60, at: START + 700_000 }]);
    await at(t, 760 * S);
    expect(t.host.expires).to.deep.equal([START + 760_000]);
    expect(t.env.calls).to.have.length(2);
    expect(t.server.over).to.equal(false);
  });

  it('accepts a keepalive endpoint that answers 204', async () => {
    const t = clientOnly(true);
    t.env.respond = () => new Response(null, { status: 204 });
    await at(t, IDLE * S);
    expect(await t.engine.extend()).to.equal(true);
    expect(t.engine.phase).to.equal('active');
    expect(t.host.expires).to.have.length(0);
  });
});

describe('session-engine: django-session-security', () => {
  it('pings with idleFor at warnAt and expires on "logout"', async () => {
    const env = singleTab();
    let answer: unknown = 300;
    // The ping merges the idle time it is told: idleFor=0 restarts its clock.
    env.respond = (call) => json(answer === 300 && call.url.endsWith('idleFor=0') ? 0 : answer);
    const t = engineTab(env, {
      client: { protocol: 'django-session-security', statusUrl: '/ping/', keepaliveUrl: null },
    });
    t.engine.start(engineConfig(IDLE, TIMEOUT), env.pageLoadedAt(), true);
    await at(t, IDLE * S);
    expect(env.calls.map((c) => c.url)).to.deep.equal(['/ping/?idleFor=300']);
    expect(t.host.warns).to.have.length(1);
    expect(await t.engine.extend()).to.equal(true);
    expect(env.calls.at(-1)!.url).to.equal('/ping/?idleFor=0');
    answer = 'logout';
    await t.engine.check();
    expect(t.engine.phase).to.equal('expired');
    expect(t.host.expires).to.have.length(1);
  });
});

describe('session-engine: stop', () => {
  it('leaves no timer and ignores answers after stop()', async () => {
    const t = single();
    await at(t, IDLE * S - 1);
    t.engine.stop();
    expect(t.env.browser.pendingTimers(t.env)).to.equal(0);
    await at(t, 3600 * S);
    expect(t.env.calls).to.have.length(0);
    expect(t.host.warns).to.have.length(0);
  });
});

describe('session-engine: what the e2e tests against real servers taught', () => {
  it('does not take a rejected keepalive the server still counted for the person (Django counts before CSRF)', async () => {
    const t = single();
    await at(t, IDLE * S);
    expect(t.engine.phase).to.equal('warning');
    // The keepalive is refused (403) but the server's timeout middleware has
    // already recorded it as the session's last request.
    t.env.respond = (call) => {
      if (call.url.startsWith('/session/keepalive')) {
        t.server.lastSeen = t.env.now();
        return new Response('<h1>403 Forbidden</h1>', { status: 403, headers: { 'Content-Type': 'text/html' } });
      }
      return t.server.respond(call);
    };
    await at(t, IDLE * S + 10 * S);
    expect(await t.engine.extend('user')).to.equal(false);
    expect(t.host.errors.map((e) => e.status)).to.deep.equal([403]);
    await at(t, TIMEOUT * S);
    // The status at the deadline shows that keepalive as the last activity:
    // it is ours, so the local deadline holds.
    expect(t.host.expires).to.deep.equal([START + TIMEOUT * S]);
  });

  it('reports one extension, from the user, when "stay" is pressed with django-session-security', async () => {
    const env = singleTab();
    let lastSeen = env.now();
    env.respond = (call) => {
      const idleFor = Number(new URL(call.url, location.href).searchParams.get('idleFor'));
      const idle = Math.floor((env.now() - lastSeen) / 1000);
      const merged = Math.min(idle, idleFor);
      lastSeen = env.now() - merged * 1000;
      return json(merged);
    };
    const t = engineTab(env, { client: { protocol: 'django-session-security', statusUrl: '/ping/', keepaliveUrl: null } });
    t.engine.start(engineConfig(IDLE, TIMEOUT), env.pageLoadedAt(), true);
    await at(t, IDLE * S);
    expect(t.engine.phase).to.equal('warning');
    expect(await t.engine.extend('user')).to.equal(true);
    expect(t.host.extends.map((e) => e.source)).to.deep.equal(['user']);
    expect(t.engine.phase).to.equal('active');
  });

  it('needs one status call per warning even when the server saw the page load a little after navigation began', async () => {
    const env = singleTab();
    const server = new FakeServer(env.browser, IDLE, TIMEOUT);
    env.respond = server.respond;
    // The page request reached the server 400 ms after navigation started;
    // the person's clock starts at the first byte of its answer (600 ms), and
    // idleTime is rounded down to whole seconds.
    server.lastSeen = START + 400;
    env.pageLoadedAt = () => START + 600;
    env.browser.jump(1_000);
    const t = engineTab(env);
    t.engine.start(engineConfig(IDLE, TIMEOUT), env.pageLoadedAt(), true);
    await at(t, IDLE * S + 600);
    expect(t.engine.phase).to.equal('warning');
    expect(server.count('status')).to.equal(1);
    await at(t, TIMEOUT * S + 2 * S);
    expect(t.host.expires).to.have.length(1);
    expect(server.count('status')).to.equal(2); // README, size and cost: at most 2 per warning cycle
  });

  it('asks the server at the deadline itself when no other tab was ever heard (no poll round)', async () => {
    const env = singleTab();
    const server = new FakeServer(env.browser, IDLE, TIMEOUT);
    env.respond = server.respond;
    const t = engineTab(env, { channel: 'alone' });
    t.engine.start(engineConfig(IDLE, TIMEOUT), env.pageLoadedAt(), true);
    await at(t, IDLE * S);
    expect(server.calls.map((c) => c.at)).to.deep.equal([START + IDLE * S]);
    expect(t.host.warns.map((w) => w.at)).to.deep.equal([START + IDLE * S]);
  });
});

describe('session-engine: a slow silent keepalive', () => {
  it('answered after the warning opened, does not report an extension (only the person ends a warning)', async () => {
    const t = single();
    await at(t, 2 * S);
    t.tracker.report(); // activity the server has not seen: a keepalive is due at 300 s, the warning at 302 s
    let release: (() => void) | null = null;
    t.env.respond = (call) => {
      if (!call.url.startsWith('/session/keepalive')) return t.server.respond(call);
      // The server holds the answer (under the 5 s abort) until the test lets it go.
      return new Promise<Response>((resolve) => (release = () => resolve(t.server.respond(call) as Response)));
    };
    await at(t, IDLE * S + 1 * S);
    expect(release, 'the silent keepalive is in flight').to.not.equal(null);
    await at(t, IDLE * S + 2 * S + 500);
    expect(t.engine.phase).to.equal('warning');
    release!();
    await t.env.browser.advance(0);
    expect(t.host.errors, 'answered, not aborted').to.deep.equal([]);
    expect(t.engine.phase).to.equal('warning');
    expect(t.host.extends).to.deep.equal([]);
  });
});

describe('session-engine: answers that make no progress (issue 11, item 3)', () => {
  it('backs off when a keepalive answers 200 without resetting the idle clock, instead of sending again at once', async () => {
    const t = single();
    await at(t, 2 * S);
    t.tracker.report(); // a keepalive is due at 300 s
    let keepalives = 0;
    t.env.respond = (call) => {
      if (!call.url.startsWith('/session/keepalive')) return t.server.respond(call);
      // A cached or misrouted keepalive: the status body, idle clock untouched.
      // (Past 200 calls the test stops the loop itself, so that it fails instead of hanging.)
      if (++keepalives > 200) return t.server.respond(call);
      return status(t.server.idleTime(), IDLE, TIMEOUT);
    };
    // The person goes on working, every 2 s, for most of an idle period.
    for (let s = IDLE; s < IDLE * 1.9; s += 2) {
      await at(t, s * S);
      t.tracker.report();
    }
    // One keepalive per idle period, as with a server that works: the
    // server answered, so trying again sooner would do no better.
    expect(keepalives).to.equal(1);
    expect(t.host.errors.map((e) => e.operation)).to.include('keepalive');
    expect(t.host.extends).to.deep.equal([]);
  });

  it('backs off when cached status answers keep putting the warning off by two seconds', async () => {
    const t = single();
    let statuses = 0;
    t.env.respond = (call) => {
      if (!call.url.startsWith('/session/status')) return t.server.respond(call);
      statuses++;
      return status(IDLE - 2, IDLE, TIMEOUT); // the same answer every time
    };
    await at(t, IDLE * S + 60 * S);
    // Without a backoff: one status every 2 s (30). With it: a few, spaced wider and wider.
    expect(statuses).to.be.within(1, 10);
  });
});

describe('session-engine: answers that put a decision off with news (property seeds 12, 14)', () => {
  it('leaves on time when app requests put the expiry off twice: different idle times are news, not a cache', async () => {
    const env = singleTab();
    const server = new FakeServer(env.browser, 20, 47);
    // The app's own request reaches the server just after each status was read.
    env.respond = (call) => {
      const answer = server.respond(call);
      if (call.url.startsWith('/session/status') && server.count('status') <= 2) server.touch();
      return answer;
    };
    const t = engineTab(env);
    t.engine.start(engineConfig(20, 47), env.pageLoadedAt(), true);
    await env.browser.advance(20 * S);
    expect(t.engine.phase).to.equal('warning');
    // 47 s: idleTime 27 puts the end off to 67 s; 67 s: idleTime 20 puts it off to 94 s.
    await env.browser.advance(74 * S + 500);
    expect(server.calls.map((c) => c.at - START)).to.deep.equal([20_000, 47_000, 67_000, 94_000]);
    expect(t.host.expires).to.deep.equal([START + 94_000]);
  });
});

describe('session-engine: absurd numbers (issue 11, item 4)', () => {
  for (const [name, body] of [
    ['limits around 1e306', { status: 'ACTIVE', idleTime: 0, idleLimit: 1e306, timeoutLimit: 2e306 }],
    ['an idle time of 1e306', { status: 'ACTIVE', idleTime: 1e306 }],
    ['limits beyond a year', { status: 'ACTIVE', idleTime: 0, idleLimit: 1e9, timeoutLimit: 2e9 }],
  ] as const) {
    it(`arms no runaway timer and reports an error for ${name}`, async () => {
      const env = singleTab();
      const server = new FakeServer(env.browser, IDLE, TIMEOUT);
      let calls = 0;
      env.respond = (call) => (++calls > 200 ? server.respond(call) : json(body));
      let armed = 0;
      const setTimeoutImpl = env.setTimeout;
      env.setTimeout = (fn, ms) => {
        armed++;
        if (!(ms >= 0 && ms < Infinity)) throw new Error(`timer armed with ${ms}`);
        if (armed > 500) throw new Error('timer loop');
        return setTimeoutImpl(fn, ms);
      };
      const t = engineTab(env);
      // Limits not given: the first status teaches them.
      t.engine.start(engineConfig(IDLE, TIMEOUT, { limitsGiven: false }), env.pageLoadedAt(), true);
      await t.env.browser.advance(60 * S);
      expect(t.host.errors.length, 'reported as an error').to.be.greaterThan(0);
      expect(calls, 'retries back off').to.be.below(12);
      expect(armed).to.be.below(60);
      expect(Number.isFinite(t.engine.deadlines.expireAt)).to.equal(true);
      expect(t.engine.limits).to.deep.equal({ idle: IDLE * S, timeout: TIMEOUT * S });
    });
  }
});

describe('session-engine: priorIdleTime (issue 11, item 5)', () => {
  it('counts an app request the server saw just before the element’s own keepalive as the person’s', async () => {
    const t = single();
    // The reference server sends priorIdleTime with every keepalive answer.
    sendPriorIdleTime(t);
    await at(t, 2 * S);
    t.tracker.report(); // local activity the server has not seen: a keepalive is due at 300 s
    await at(t, IDLE * S - 1_500);
    t.server.touch(); // the app's own request, 1.5 s before the keepalive
    await at(t, IDLE * S + 1);
    expect(t.server.count('keepalive')).to.equal(1);
    // The person's last activity the server saw is the app request (298.5 s), not 2 s.
    expect(t.engine.deadlines.personAt).to.be.at.least(START + IDLE * S - 1_500);
    await at(t, IDLE * S - 1_500 + IDLE * S - 1);
    expect(t.host.warns, 'never before the app request + idle').to.deep.equal([]);
    await at(t, IDLE * S - 1_500 + IDLE * S + 2 * S);
    expect(t.host.warns).to.have.length(1);
  });
});

describe('session-engine: one status call before the first warning (issue 11, item 6)', () => {
  it('counts from the first byte of the page’s answer (responseStart), not from navigation start', async () => {
    const stub = sinon.stub(performance, 'getEntriesByType').returns([{ responseStart: 800 } as unknown as PerformanceEntry]);
    try {
      const before = Date.now() - performance.now();
      const loadedAt = browserEnvironment().pageLoadedAt();
      const after = Date.now() - performance.now();
      expect(loadedAt).to.be.within(before + 800 - 1, after + 800 + 1);
    } finally {
      stub.restore();
    }
  });

  it('asks once when the server stamped the page load after navigation began and timers fire late', async () => {
    const env = singleTab();
    const server = new FakeServer(env.browser, IDLE, TIMEOUT);
    env.respond = server.respond;
    server.lastSeen = START + 400; // the request reached the server 400 ms after navigation start
    env.pageLoadedAt = () => START + 600; // and its answer's first byte came back at 600 ms
    const setTimeoutImpl = env.setTimeout;
    env.setTimeout = (fn, ms) => setTimeoutImpl(fn, ms + 3); // real timers fire a little late
    env.browser.jump(1_000); // parsing, scripts: the element connects after the answer came
    const t = engineTab(env);
    t.engine.start(engineConfig(IDLE, TIMEOUT), env.pageLoadedAt(), true);
    await env.browser.advance(IDLE * S + 2 * S);
    expect(t.engine.phase).to.equal('warning');
    expect(server.count('status')).to.equal(1);
  });
});

/**
 * The server answers keepalives with `priorIdleTime`, as the reference server
 * does. Until the client parses that field (its own change), the test hands
 * it to the engine from the answer; once it does, this adds nothing.
 */
function sendPriorIdleTime(t: EngineTab & { server: FakeServer }) {
  let prior: number | undefined;
  t.env.respond = (call) => {
    if (!call.url.startsWith('/session/keepalive')) return t.server.respond(call);
    const idle = t.server.idleTime();
    const response = t.server.respond(call) as Response;
    if (response.status !== 200) return response;
    prior = idle;
    return status(0, IDLE, TIMEOUT, { priorIdleTime: idle });
  };
  const keepalive = t.client.keepalive.bind(t.client);
  t.client.keepalive = async (idleFor, signal) => {
    prior = undefined;
    const result = await keepalive(idleFor, signal);
    return result.kind === 'ok' && result.priorIdleTime === undefined && prior !== undefined
      ? { ...result, priorIdleTime: prior }
      : result;
  };
}

describe('session-engine: a keepalive that keeps failing (issue 11, testers’ item 1)', () => {
  /** The person types until 150 s; the keepalive endpoint answers `keepalive` (403 by default). */
  async function failingKeepalive(keepalive: (call: Parameters<FakeServer['respond']>[0], n: number) => Response | Promise<Response>) {
    const t = single();
    let n = 0;
    t.env.respond = (call) => (call.url.startsWith('/session/keepalive') ? keepalive(call, ++n) : t.server.respond(call));
    await typeUntil(t, 150 * S);
    return t;
  }
  const forbidden = () => new Response('forbidden', { status: 403 });

  it('warns with the time the server’s session really has, and leaves at the server’s end, not at the person’s', async () => {
    const t = await failingKeepalive(forbidden);
    // The server last saw the page load: its session ends at 360 s, whatever
    // the person did at 150 s. Its keepalive at 300 s failed, and so did the
    // retries: the warning comes once they had their time, with what is left.
    await at(t, 306 * S - 1);
    expect(t.host.warns).to.deep.equal([]);
    await at(t, 306 * S);
    expect(t.host.warns).to.deep.equal([{ remaining: 54, at: START + 306 * S }]);
    await at(t, 330 * S);
    expect(t.engine.remainingSeconds).to.equal(30);
    await at(t, 360 * S - 1);
    expect(t.engine.phase).to.equal('warning');
    await at(t, 360 * S);
    expect(t.host.expires).to.deep.equal([START + 360 * S]);
  });

  it('keeps the person signed in, with no warning, when a retry gets through', async () => {
    const t = await failingKeepalive((call, n) => (n === 1 ? new Response('busy', { status: 503 }) : t.server.respond(call)));
    await at(t, 449 * S);
    expect(t.env.callsTo('/session/keepalive').map((c) => c.at - START)).to.deep.equal([300_000, 300_750]);
    expect(t.host.warns).to.deep.equal([]);
    expect(t.engine.phase).to.equal('active');
    // The person's own warning, one idle period after their last activity.
    await at(t, 450 * S);
    expect(t.host.warns.map((w) => w.at - START)).to.deep.equal([450_000]);
  });

  it('sends the keepalive it slept through before it warns (woken after the server’s warning point)', async () => {
    const t = single();
    await typeUntil(t, 150 * S);
    t.env.browser.jump(160 * S); // asleep from 150 s to 310 s: the keepalive due at 300 s never went out
    await t.env.browser.advance(0);
    expect(t.env.calls.map((c) => [c.url, c.at - START])).to.deep.equal([['/session/keepalive', 310_000]]);
    expect(t.host.warns).to.deep.equal([]);
    expect(t.engine.deadlines.expireAt).to.equal(START + 510 * S);
  });
});

describe('session-engine: keepalives planned from the server’s answers (issue 11, testers’ item 2)', () => {
  it('does not bring the next keepalive forward when a status reached the server slowly', async () => {
    const t = single();
    await typeUntil(t, 10 * S);
    // The keepalive at 300 s restarts the server's idle clock.
    await typeUntil(t, 310 * S);
    expect(t.server.calls.map((c) => c.at - START)).to.deep.equal([300_000]);
    // A status sent at 400 s reaches the server 3 s later: idleTime 103. Dated
    // from its sending, the server's last sight would be 297 s, before our
    // own keepalive went out.
    t.env.respond = async (call) => {
      if (call.url.startsWith('/session/status')) await new Promise<void>((resolve) => t.env.setTimeout(resolve, 3 * S));
      return t.server.respond(call);
    };
    await at(t, 400 * S);
    void t.engine.check();
    await typeUntil(t, 620 * S);
    expect(t.env.callsTo('/session/keepalive').map((c) => c.at - START)).to.deep.equal([300_000, 600_000]);
  });
});

describe('session-engine: what the second breaker found (issue 11)', () => {
  it('backs off failed keepalives by their own count: a status that gets through does not start it over', async () => {
    const t = single();
    t.env.respond = (call) => (call.url.startsWith('/session/keepalive') ? new Response('forbidden', { status: 403 }) : t.server.respond(call));
    await typeUntil(t, 400 * S);
    const sent = t.env.callsTo('/session/keepalive').map((c) => (c.at - START) / S);
    // 0.75 s, then twice as long each time (the fake's jitter is 0.5).
    expect(sent).to.deep.equal([300, 300.75, 302.25, 305.25, 311.25, 323.25, 347.25]);
    expect(t.server.count('status')).to.be.greaterThan(0);
  });

  it('tries the keepalive again after a sleep that took its call, even past the person’s own warning point', async () => {
    const t = single();
    await typeUntil(t, 10 * S);
    // The keepalive due at 300 s goes out; the laptop sleeps with it in
    // flight until 355 s, and the network loses it. The person's warning
    // point was 310 s, the server's end is 360 s (it last saw the page
    // load), the person's 370 s.
    let hung = true;
    t.env.respond = (call) =>
      hung && call.url.startsWith('/session/keepalive') ? ((hung = false), new Promise<Response>(() => {})) : t.server.respond(call);
    await at(t, 300 * S);
    expect(t.env.callsTo('/session/keepalive').map((c) => c.at - START)).to.deep.equal([300_000]);
    t.env.browser.jump(55 * S);
    await at(t, 358 * S);
    expect(t.server.count('keepalive')).to.equal(1);
    await at(t, 370 * S - 1);
    expect(t.host.expires).to.deep.equal([]);
    expect(t.engine.remainingSeconds).to.equal(1);
    await at(t, 370 * S);
    expect(t.host.expires).to.deep.equal([START + 370 * S]);
  });

  it('sends the keepalive it slept through even when woken past the person’s own warning point', async () => {
    const t = single();
    await typeUntil(t, 10 * S);
    // Asleep from 10 s to 355 s: the person's warning point was 310 s, the
    // server's end (it last saw the page load) is 360 s, the person's 370 s.
    t.env.browser.jump(345 * S);
    await t.env.browser.advance(0);
    expect(t.env.callsTo('/session/keepalive').map((c) => c.at - START)).to.deep.equal([355_000]);
    await t.env.browser.advance(0);
    expect(t.host.warns.map((w) => w.remaining)).to.deep.equal([15]);
    await at(t, 370 * S - 1);
    expect(t.host.expires).to.deep.equal([]);
    await at(t, 370 * S);
    expect(t.host.expires).to.deep.equal([START + 370 * S]);
  });
});
