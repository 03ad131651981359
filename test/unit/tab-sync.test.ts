import { expect } from '@open-wc/testing';
import { TabSync, channelName, type TabMessage } from '../../src/core/tab-sync.js';
import {
  FakeBrowser,
  FakeServer,
  START,
  engineConfig,
  engineTab,
  status,
  type EngineTab,
} from '../helpers/fake-env.js';

const S = 1000;
const IDLE = 300;
const TIMEOUT = 360;
const CHANNEL = 'sess';

interface Session {
  browser: FakeBrowser;
  server: FakeServer;
  tabs: EngineTab[];
}

/** `n` tabs of one session in one browser, all loaded at START, sharing one server. */
async function session(n: number, over: Parameters<typeof engineConfig>[2] = {}): Promise<Session> {
  const browser = new FakeBrowser();
  const server = new FakeServer(browser, IDLE, TIMEOUT);
  const tabs: EngineTab[] = [];
  for (let i = 0; i < n; i++) tabs.push(openTab(browser, server, over));
  await browser.advance(0);
  return { browser, server, tabs };
}

function openTab(browser: FakeBrowser, server: FakeServer, over: Parameters<typeof engineConfig>[2] = {}, channel = CHANNEL) {
  const env = browser.tab();
  env.respond = server.respond;
  const t = engineTab(env, { channel });
  t.engine.start(engineConfig(IDLE, TIMEOUT, over), env.pageLoadedAt(), true);
  return t;
}

async function at(browser: FakeBrowser, msAfterStart: number) {
  await browser.advance(START + msAfterStart - browser.now);
}

const leaders = (tabs: EngineTab[]) => tabs.filter((t) => t.tabs!.leader);
const lockHolders = (tabs: EngineTab[]) => tabs.filter((t) => t.env.heldLocks.has(`${CHANNEL}:leader`));

/** The person acts in `tab` every `every` ms until `until` (ms after START). */
async function typeIn(s: Session, tab: EngineTab, until: number, every = 5 * S) {
  while (s.browser.now + every <= START + until) {
    await s.browser.advance(every);
    tab.tracker.report();
  }
  await at(s.browser, until);
}

describe('tab-sync: leader election', () => {
  it('elects exactly one leader among 5 tabs', async () => {
    const s = await session(5);
    expect(leaders(s.tabs)).to.have.length(1);
    expect(lockHolders(s.tabs)).to.deep.equal(leaders(s.tabs));
    expect(s.tabs.filter((t) => t.engine.leads)).to.have.length(1);
  });

  it('hands the lead to a waiting tab when the leader stops', async () => {
    const s = await session(3);
    const [first] = leaders(s.tabs);
    first.engine.stop();
    await s.browser.advance(0);
    expect(first.tabs!.leader).to.equal(false);
    expect(leaders(s.tabs)).to.have.length(1);
    expect(leaders(s.tabs)[0]).to.not.equal(first);
  });

  it('leads alone when the browser has no Web Locks', async () => {
    const browser = new FakeBrowser();
    const env = browser.tab();
    env.locks = null;
    const sync = new TabSync(env, CHANNEL);
    sync.start(() => {}, () => {});
    expect(sync.leader).to.equal(true);
    sync.stop();
  });

  it('names the default channel after the origin and the status URL', () => {
    expect(channelName('https://a.example', '/s')).to.not.equal(channelName('https://a.example', '/other'));
    expect(channelName('https://a.example', '/s')).to.not.equal(channelName('https://b.example', '/s'));
  });
});

describe('tab-sync: one session in many tabs', () => {
  it('keeps A and C from warning while the person works in B', async function () {
    this.timeout(20_000);
    const s = await session(3);
    const [a, b, c] = s.tabs;
    await typeIn(s, b, 900 * S);
    for (const t of [a, b, c]) {
      expect(t.host.warns).to.have.length(0);
      expect(t.engine.phase).to.equal('active');
    }
    expect(s.server.over).to.equal(false);
    expect(s.server.count('status')).to.equal(0);
    expect(s.server.count('keepalive')).to.equal(3);
  });

  it('opens the warning in every tab together, with one status call', async () => {
    const s = await session(3);
    await at(s.browser, IDLE * S + 1 * S);
    expect(s.server.count('status')).to.equal(1);
    for (const t of s.tabs) {
      expect(t.engine.phase).to.equal('warning');
      expect(t.host.warns).to.have.length(1);
      expect(t.host.warns[0].remaining).to.equal(60);
      expect(t.host.warns[0].at - START).to.be.within(IDLE * S, IDLE * S + 500);
    }
  });

  it('closes the warning in A and C when B extends (source tab)', async () => {
    const s = await session(3);
    const [a, b, c] = s.tabs;
    await at(s.browser, 320 * S);
    expect(await b.engine.extend()).to.equal(true);
    await s.browser.advance(0);
    expect(s.server.count('keepalive')).to.equal(1);
    expect(b.host.extends.map((e) => e.source)).to.deep.equal(['user']);
    for (const t of [a, c]) {
      expect(t.engine.phase).to.equal('active');
      expect(t.host.extends.map((e) => e.source)).to.deep.equal(['tab']);
      expect(t.engine.deadlines.expireAt).to.equal(START + 680_000);
    }
  });

  it('expires every tab at the end', async () => {
    const s = await session(3);
    await at(s.browser, TIMEOUT * S - 1);
    expect(s.tabs.every((t) => t.host.expires.length === 0)).to.equal(true);
    await at(s.browser, TIMEOUT * S + 1 * S);
    for (const t of s.tabs) {
      expect(t.engine.phase).to.equal('expired');
      expect(t.host.expires).to.have.length(1);
      expect(t.host.expires[0] - START).to.be.within(TIMEOUT * S, TIMEOUT * S + 500);
    }
    expect(s.server.count('status')).to.equal(2);
  });

  it('signs out every tab when one signs out', async () => {
    const s = await session(3);
    const [a, b, c] = s.tabs;
    await at(s.browser, 100 * S);
    b.engine.signedOut();
    await s.browser.advance(0);
    expect(b.engine.phase).to.equal('expired');
    for (const t of [a, c]) {
      expect(t.host.signedOut).to.deep.equal([START + 100_000]);
      expect(t.engine.phase).to.equal('expired');
    }
    await at(s.browser, 3600 * S);
    expect(s.server.calls).to.have.length(0);
  });

  it('asks the status once for all tabs when the limits are not given', async () => {
    const s = await session(3, { limitsGiven: false, limits: { idle: 780_000, timeout: 900_000 } });
    expect(s.server.count('status')).to.equal(1);
    for (const t of s.tabs) expect(t.engine.limits).to.deep.equal({ idle: IDLE * S, timeout: TIMEOUT * S });
  });

  it('gives a new tab the state (limits, activity) without a server call, and counts its load as activity', async () => {
    const s = await session(2, { limitsGiven: false, limits: { idle: 780_000, timeout: 900_000 } });
    await at(s.browser, 100 * S);
    const calls = s.server.calls.length;
    const d = openTab(s.browser, s.server, { limitsGiven: false, limits: { idle: 780_000, timeout: 900_000 } });
    await s.browser.advance(0);
    expect(s.server.calls.length).to.equal(calls);
    expect(d.engine.limits).to.deep.equal({ idle: IDLE * S, timeout: TIMEOUT * S });
    for (const t of s.tabs) expect(t.engine.deadlines.warnAt).to.equal(START + 400_000);
    // The page load reached the server: the warning waits for it in every tab.
    await at(s.browser, 399 * S);
    expect([...s.tabs, d].every((t) => t.host.warns.length === 0)).to.equal(true);
  });

  it('moves the lead to another tab when the leader crashes, and that tab makes the calls', async () => {
    const s = await session(3);
    const [a, b, c] = s.tabs;
    expect(a.tabs!.leader).to.equal(true);
    await at(s.browser, 100 * S);
    s.browser.crash(a.env);
    await s.browser.advance(0);
    expect(leaders([b, c])).to.have.length(1);
    const next = leaders([b, c])[0];
    await at(s.browser, TIMEOUT * S + 1 * S);
    expect(a.env.calls).to.have.length(0);
    expect(next.env.calls.map((x) => x.url)).to.deep.equal(['/session/status', '/session/status']);
    for (const t of [b, c]) {
      expect(t.host.warns).to.have.length(1);
      expect(t.host.expires).to.have.length(1);
    }
  });

  it('still expires everyone at the right time when the leader crashes mid-warning', async () => {
    const s = await session(3);
    const [a, b, c] = s.tabs;
    await at(s.browser, 320 * S);
    expect(s.tabs.every((t) => t.engine.phase === 'warning')).to.equal(true);
    s.browser.crash(a.env);
    await at(s.browser, TIMEOUT * S - 1);
    expect([b, c].every((t) => t.host.expires.length === 0)).to.equal(true);
    await at(s.browser, TIMEOUT * S + 1 * S);
    for (const t of [b, c]) {
      expect(t.engine.phase).to.equal('expired');
      expect(t.host.expires).to.have.length(1);
      expect(t.host.expires[0] - START).to.be.within(TIMEOUT * S, TIMEOUT * S + 500);
    }
    expect(a.host.expires).to.have.length(0);
  });

  it('lets a follower decide alone when the leader is frozen, after its jittered fallback', async () => {
    const s = await session(3);
    const [a, b, c] = s.tabs;
    b.env.random = () => 0.1;
    c.env.random = () => 0.9;
    await at(s.browser, 100 * S);
    a.env.frozen = true; // a frozen page keeps its lock
    const fallback = b.tabs!.fallbackMs + b.tabs!.fallbackJitterMs * 0.1;
    await at(s.browser, IDLE * S + fallback - 1);
    expect([b, c].every((t) => t.host.warns.length === 0)).to.equal(true);
    await at(s.browser, IDLE * S + fallback + 1 * S);
    for (const t of [b, c]) {
      expect(t.engine.phase).to.equal('warning');
      expect(t.host.warns).to.have.length(1);
    }
    // b decided; c heard b's poll and waited for it instead of asking too.
    expect(b.env.callsTo('/session/status')).to.have.length(1);
    expect(c.env.calls).to.have.length(0);
    await at(s.browser, TIMEOUT * S + 2 * fallback);
    for (const t of [b, c]) expect(t.host.expires).to.have.length(1);
    expect(Math.min(b.host.expires[0], c.host.expires[0]) - START).to.be.at.least(TIMEOUT * S);
  });

  it('keeps a warning cycle within 2 status calls when the leader of 5 tabs is frozen (README, size and cost)', async () => {
    const s = await session(5);
    const [a, ...followers] = s.tabs;
    // Nearly the same draw: their fallbacks fire within one grace period of
    // each other, so only hearing the first one's poll keeps the rest quiet.
    followers.forEach((t, i) => (t.env.random = () => 0.5 + i * 0.01));
    await at(s.browser, 100 * S);
    a.env.frozen = true;
    await at(s.browser, TIMEOUT * S + 20 * S);
    const status = followers.reduce((n, t) => n + t.env.callsTo('/session/status').length, 0);
    const keepalive = followers.reduce((n, t) => n + t.env.callsTo('/session/keepalive').length, 0);
    expect(status).to.be.at.most(2);
    expect(keepalive).to.equal(0);
    for (const t of followers) expect(t.host.expires).to.have.length(1);
  });

  it('waits as the leader does after cached status answers: 5 tabs ask no more than 1 (property seed 15)', async () => {
    const counts: number[] = [];
    for (const n of [1, 5]) {
      const s = await session(n);
      let statuses = 0;
      s.server.respond = ((respond) => (call: Parameters<typeof respond>[0]) => {
        if (!call.url.startsWith('/session/status')) return respond(call);
        statuses++;
        return status(IDLE - 2, IDLE, TIMEOUT); // a cache: the same answer every time
      })(s.server.respond);
      for (const t of s.tabs) t.env.respond = s.server.respond;
      await at(s.browser, IDLE * S + 240 * S);
      counts.push(statuses);
    }
    // Without the shared wait each follower takes the leader's silence for a
    // frozen leader and asks on its own.
    expect(counts[1]).to.be.at.most(counts[0]);
  });

  it('does not hear tabs of another channel', async () => {
    const s = await session(2);
    // Another app's session (its own server) in the same browser.
    const other = openTab(s.browser, new FakeServer(s.browser, IDLE, TIMEOUT), {}, 'another-session');
    await s.browser.advance(0);
    expect(other.tabs!.leader).to.equal(true); // its own election
    for (let t = 5; t < 400; t += 5) {
      await at(s.browser, t * S);
      other.tracker.report();
    }
    for (const t of s.tabs) expect(t.host.warns).to.have.length(1);
    expect(other.host.warns).to.have.length(0);
  });

  it('ignores junk on the channel', async () => {
    const s = await session(2);
    const [a, b] = s.tabs;
    const errors: unknown[] = [];
    const onError = (e: ErrorEvent) => {
      errors.push(e.error);
      e.preventDefault();
    };
    window.addEventListener('error', onError);
    try {
      const raw = s.browser.tab().openChannel(CHANNEL);
      const far = START + 10 * 3600 * S;
      const junk: unknown[] = [
        null,
        42,
        'warn',
        [],
        {},
        { type: 'nope' },
        { type: 'warn' },
        { type: 'activity' },
        { type: 'activity', at: '12' },
        { type: 'activity', at: far },
        { type: 'facts', facts: { localActivityAt: 'x' } },
        { type: 'facts', facts: { localActivityAt: far, serverActivityAt: far, serverSeenAt: far, absoluteEndAt: Infinity }, limits: null },
        { type: 'state', facts: null, phase: 'warning' },
        { type: 'extend', facts: 5 },
        { type: 'hello', facts: [] },
        { type: 'facts', facts: { localActivityAt: START, serverActivityAt: START, serverSeenAt: START, absoluteEndAt: Infinity }, limits: { idle: 'x' } },
      ];
      await at(s.browser, 100 * S);
      for (const message of junk) raw.postMessage(message);
      await s.browser.advance(0);
      expect(errors).to.deep.equal([]);
      for (const t of [a, b]) {
        expect(t.engine.phase).to.equal('active');
        expect(t.engine.deadlines.warnAt).to.equal(START + IDLE * S);
        expect(t.engine.limits).to.deep.equal({ idle: IDLE * S, timeout: TIMEOUT * S });
      }
      await at(s.browser, TIMEOUT * S + 1 * S);
      expect([a, b].every((t) => t.host.expires.length === 1)).to.equal(true);
    } finally {
      window.removeEventListener('error', onError);
    }
  });

  it('hears well-formed messages of its own kinds only', async () => {
    const browser = new FakeBrowser();
    const env = browser.tab();
    const heard: TabMessage[] = [];
    const sync = new TabSync(env, CHANNEL);
    sync.start((m) => heard.push(m), () => {});
    const raw = browser.tab().openChannel(CHANNEL);
    raw.postMessage({ type: 'activity', at: START });
    raw.postMessage({ type: 'expire' });
    raw.postMessage({ type: 'nonsense' });
    await browser.advance(0);
    expect(heard).to.deep.equal([{ type: 'activity', at: START }, { type: 'expire' }]);
    sync.stop();
  });
});

describe('tab-sync: server calls do not grow with tabs (README, size and cost)', () => {
  const measured: Record<number, number> = {};

  async function hourOfWork(n: number) {
    const s = await session(n);
    // The person works in the last opened tab (a follower when there are several).
    await typeIn(s, s.tabs[n - 1], 3600 * S);
    expect(s.tabs.every((t) => t.host.warns.length === 0)).to.equal(true);
    expect(s.server.over).to.equal(false);
    return s.server.calls.length;
  }

  for (const n of [1, 3, 5]) {
    it(`${n} tab(s): one person working 1 h (idle 300 s) costs at most 13 requests`, async function () {
      this.timeout(60_000);
      measured[n] = await hourOfWork(n);
      expect(measured[n]).to.be.at.most(13);
    });
  }

  it('is the same count for 1, 3 and 5 tabs', () => {
    // eslint-disable-next-line no-console
    console.log(`server calls for 1 h of work: 1 tab ${measured[1]}, 3 tabs ${measured[3]}, 5 tabs ${measured[5]}`);
    expect(measured[3]).to.equal(measured[1]);
    expect(measured[5]).to.equal(measured[1]);
  });
});

describe('tab-sync: a tab opened during a warning (issue 11, item 1)', () => {
  for (const n of [1, 3]) {
    it(`opens active and closes the warning in the ${n} other tab(s): its page load is activity`, async () => {
      const s = await session(n);
      await at(s.browser, IDLE * S + 10 * S);
      expect(s.tabs.map((t) => t.engine.phase)).to.deep.equal(s.tabs.map(() => 'warning'));
      // The new page's request reached the server: that is activity, there too.
      s.server.touch();
      const d = openTab(s.browser, s.server);
      await s.browser.advance(1 * S);
      expect(d.host.warns, 'the new tab does not warn on its own').to.deep.equal([]);
      expect([...s.tabs, d].map((t) => t.engine.phase)).to.deep.equal([...s.tabs, d].map(() => 'active'));
      for (const t of s.tabs) expect(t.host.extends.map((e) => e.source)).to.deep.equal(['tab']);
      // And they go on as one: the next warning is one idle period after the new page load.
      const loadedAt = d.env.pageLoadedAt();
      await s.browser.advance(loadedAt + IDLE * S - s.browser.now - 1);
      expect([...s.tabs, d].every((t) => t.engine.phase === 'active')).to.equal(true);
      await s.browser.advance(2 * S);
      expect([...s.tabs, d].map((t) => t.engine.phase)).to.deep.equal([...s.tabs, d].map(() => 'warning'));
    });
  }

});

describe('tab-sync: a tab that leaves', () => {
  it('shares its last activity when it stops, so the other tabs do not warn early', async () => {
    const s = await session(2);
    const [a, b] = s.tabs;
    await at(s.browser, 100 * S);
    a.tracker.report(); // the person types in tab a, then closes it before any look
    a.engine.stop();
    await s.browser.advance(0);
    expect(b.engine.deadlines.personAt).to.equal(START + 100 * S);
  });
});

describe('tab-sync: script of the same origin on the channel (issue 11, testers’ item 3)', () => {
  const facts = { localActivityAt: START, serverActivityAt: START, serverSeenAt: START, absoluteEndAt: Infinity };

  it('does not end the session for an expire the server denies: each tab asks once', async () => {
    const s = await session(3);
    await at(s.browser, 100 * S);
    s.browser.tab().openChannel(CHANNEL).postMessage({ type: 'expire' });
    await s.browser.advance(1 * S);
    expect(s.server.count('status')).to.equal(3);
    for (const t of s.tabs) {
      expect(t.engine.phase).to.equal('active');
      expect(t.host.expires).to.deep.equal([]);
    }
  });

  it('takes the word of a tab that saw the end, when the server cannot be asked', async () => {
    const s = await session(2);
    await at(s.browser, 100 * S);
    for (const t of s.tabs) t.env.respond = () => Promise.reject(new TypeError('Failed to fetch'));
    s.browser.tab().openChannel(CHANNEL).postMessage({ type: 'expire' });
    await s.browser.advance(1 * S);
    for (const t of s.tabs) expect(t.host.expires).to.deep.equal([START + 100 * S]);
  });

  it('follows within a round trip a tab the server told the session is over (signed out on another device)', async () => {
    const s = await session(3);
    await at(s.browser, 100 * S);
    s.server.over = true;
    const [leader] = leaders(s.tabs);
    await leader.engine.check();
    await s.browser.advance(0);
    for (const t of s.tabs) expect(t.host.expires).to.deep.equal([START + 100 * S]);
    // The leader's status, and one from each other tab to confirm it.
    expect(s.server.count('status')).to.equal(3);
  });

  it('takes no longer limits from another tab than its own (a year would silence every tab)', async () => {
    const s = await session(2);
    const raw = s.browser.tab().openChannel(CHANNEL);
    const year = 365 * 24 * 3600 * S;
    raw.postMessage({ type: 'facts', facts, limits: { idle: year - 60 * S, timeout: year } });
    await s.browser.advance(0);
    for (const t of s.tabs) expect(t.engine.limits).to.deep.equal({ idle: IDLE * S, timeout: TIMEOUT * S });
    await at(s.browser, IDLE * S + 1 * S);
    for (const t of s.tabs) expect(t.engine.phase).to.equal('warning');
  });
});

describe('tab-sync: script of the same origin on the channel, again and again (issue 11, second breaker)', () => {
  const facts = (over = {}) => ({ localActivityAt: START, serverActivityAt: START, serverSeenAt: START, absoluteEndAt: Infinity, ...over });

  for (const end of [1, 5e-324, START + 101 * S]) {
    it(`ends nothing for a forged absolute end (${end}) the server does not confirm`, async () => {
      const s = await session(2);
      await at(s.browser, 100 * S);
      s.browser.tab().openChannel(CHANNEL).postMessage({ type: 'facts', facts: facts({ absoluteEndAt: end }), limits: null });
      await at(s.browser, 200 * S);
      for (const t of s.tabs) {
        expect(t.host.expires).to.deep.equal([]);
        expect(t.host.warns).to.deep.equal([]);
        expect(t.engine.phase).to.equal('active');
      }
      expect(s.server.count('status')).to.be.at.most(2);
    });
  }

  it('backs off from forged expires sent again and again, and still leaves when the session did end', async () => {
    const s = await session(2);
    await at(s.browser, 100 * S);
    const raw = s.browser.tab().openChannel(CHANNEL);
    for (let i = 0; i < 40; i++) {
      raw.postMessage({ type: 'expire' });
      await s.browser.advance(125);
    }
    for (const t of s.tabs) expect(t.host.expires).to.deep.equal([]);
    expect(s.server.count('status')).to.be.at.most(8);
    s.server.over = true;
    raw.postMessage({ type: 'expire' });
    await at(s.browser, 170 * S);
    for (const t of s.tabs) expect(t.host.expires).to.have.length(1);
  });

  it('backs off from forged short limits sent again and again', async () => {
    const s = await session(2);
    await at(s.browser, 100 * S);
    const raw = s.browser.tab().openChannel(CHANNEL);
    for (let i = 0; i < 20; i++) {
      raw.postMessage({ type: 'facts', facts: facts(), limits: { idle: 1 * S, timeout: 2 * S } });
      await s.browser.advance(500);
    }
    expect(s.server.count('status')).to.be.at.most(8);
    for (const t of s.tabs) expect(t.host.expires).to.deep.equal([]);
  });
});

describe('tab-sync: a warning another tab closes (issue 11, second breaker)', () => {
  it('asks the server before it acts on an absolute end another tab passed on', async () => {
    const s = await session(2);
    const [leader] = leaders(s.tabs);
    const follower = s.tabs.find((t) => t !== leader)!;
    await at(s.browser, IDLE * S + 1 * S);
    for (const t of s.tabs) expect(t.engine.phase).to.equal('warning');
    // Script posts an end long past; the follower (the server never told it
    // its own) takes it. Then the person presses "Stay signed in" in the
    // leader's tab: the follower's warning closes on the leader's word.
    s.browser.tab().openChannel(CHANNEL).postMessage({
      type: 'facts',
      facts: { localActivityAt: START, serverActivityAt: START, serverSeenAt: START, absoluteEndAt: 1 },
      limits: null,
    });
    await s.browser.advance(100);
    expect(await leader.engine.extend()).to.equal(true);
    await s.browser.advance(2 * S);
    expect(follower.host.expires).to.deep.equal([]);
    expect(follower.engine.phase).to.equal('active');
    expect(follower.engine.facts.absoluteEndAt).to.equal(Infinity);
  });
});

describe('tab-sync: a warning posted on the channel (issue 11, third breaker)', () => {
  const facts = { localActivityAt: START, serverActivityAt: START, serverSeenAt: START, absoluteEndAt: Infinity };

  for (const type of ['state', 'warn'] as const) {
    it(`does not join a warning that only limits posted with it (${type}) make due: it asks the server`, async () => {
      const s = await session(2);
      await at(s.browser, 100 * S);
      const raw = s.browser.tab().openChannel(CHANNEL);
      const limits = { idle: 1 * S, timeout: 2 * S };
      raw.postMessage({ type: 'facts', facts, limits });
      raw.postMessage(type === 'state' ? { type, facts, limits, phase: 'warning' } : { type, facts });
      await s.browser.advance(2 * S);
      for (const t of s.tabs) {
        expect(t.host.warns).to.deep.equal([]);
        expect(t.engine.phase).to.equal('active');
        expect(t.engine.limits).to.deep.equal({ idle: IDLE * S, timeout: TIMEOUT * S });
      }
      expect(s.server.count('status')).to.be.at.most(2);
    });
  }
});

describe('tab-sync: limits or an end posted on the channel, and a server that cannot be asked (issue 11, third breaker)', () => {
  const facts = (over = {}) => ({ localActivityAt: START, serverActivityAt: START, serverSeenAt: START, absoluteEndAt: Infinity, ...over });

  for (const [what, message] of [
    ['limits of 1 and 2 s', { type: 'facts', facts: facts(), limits: { idle: 1 * S, timeout: 2 * S } }],
    ['an end long past', { type: 'facts', facts: facts({ absoluteEndAt: 1 }), limits: null }],
    ['a warning with limits of 1 and 2 s', { type: 'state', facts: facts(), limits: { idle: 1 * S, timeout: 2 * S }, phase: 'warning' }],
  ] as const) {
    it(`does not leave on ${what} when the status that would confirm them fails`, async () => {
      const s = await session(3);
      await at(s.browser, 100 * S);
      for (const t of s.tabs) t.env.respond = () => new Response('busy', { status: 503 });
      s.browser.tab().openChannel(CHANNEL).postMessage(message);
      await s.browser.advance(10 * S);
      for (const t of s.tabs) {
        t.env.respond = s.server.respond;
        expect(t.host.expires).to.deep.equal([]);
        expect(t.host.warns).to.deep.equal([]);
        expect(t.engine.limits).to.deep.equal({ idle: IDLE * S, timeout: TIMEOUT * S });
        expect(t.engine.facts.absoluteEndAt).to.equal(Infinity);
      }
      // The person's own warning still comes on time.
      await at(s.browser, IDLE * S + 1 * S);
      for (const t of s.tabs) expect(t.engine.phase).to.equal('warning');
    });
  }
});

describe('tab-sync: a page that gives no limits (issue 11, fourth breaker)', () => {
  it('keeps the limits the leader passed on when script posts shorter ones, and nobody leaves when the status fails', async () => {
    const s = await session(3, { limitsGiven: false });
    await at(s.browser, 100 * S);
    for (const t of s.tabs) expect(t.engine.limits).to.deep.equal({ idle: IDLE * S, timeout: TIMEOUT * S });
    for (const t of s.tabs) t.env.respond = () => new Response('busy', { status: 503 });
    const facts = { localActivityAt: START, serverActivityAt: START, serverSeenAt: START, absoluteEndAt: Infinity };
    s.browser.tab().openChannel(CHANNEL).postMessage({ type: 'facts', facts, limits: { idle: 1 * S, timeout: 2 * S } });
    await s.browser.advance(15 * S);
    for (const t of s.tabs) {
      expect(t.engine.limits).to.deep.equal({ idle: IDLE * S, timeout: TIMEOUT * S });
      expect(t.host.expires).to.deep.equal([]);
      expect(t.host.warns).to.deep.equal([]);
    }
  });
});

describe('tab-sync: a wait posted on the channel (issue 11, fourth breaker)', () => {
  it('does not hold off the warning: the deciding tab takes no wait from the channel', async () => {
    const s = await session(2);
    const raw = s.browser.tab().openChannel(CHANNEL);
    const facts = { localActivityAt: START, serverActivityAt: START, serverSeenAt: START, absoluteEndAt: Infinity };
    await at(s.browser, 250 * S);
    while (s.browser.now < START + 305 * S) {
      raw.postMessage({ type: 'facts', facts, limits: null, notBefore: s.browser.now + 60 * S });
      await s.browser.advance(1 * S);
    }
    for (const t of s.tabs) expect(t.host.warns.map((w) => w.at - START)).to.deep.equal([IDLE * S]);
  });
});

describe('tab-sync: an extend posted during a warning (issue 11, fifth breaker)', () => {
  it('keeps the warning open and asks nothing when the extend shows no newer activity', async () => {
    const s = await session(2);
    await at(s.browser, IDLE * S + 1 * S);
    for (const t of s.tabs) expect(t.engine.phase).to.equal('warning');
    const calls = s.server.calls.length;
    const raw = s.browser.tab().openChannel(CHANNEL);
    const facts = { localActivityAt: START, serverActivityAt: START, serverSeenAt: START, absoluteEndAt: Infinity };
    for (let i = 0; i < 40; i++) {
      raw.postMessage({ type: 'extend', facts, source: 'user' });
      await s.browser.advance(250);
    }
    expect(s.server.calls.length).to.equal(calls);
    for (const t of s.tabs) {
      expect(t.engine.phase).to.equal('warning');
      expect(t.host.extends).to.deep.equal([]);
    }
  });
});
