// The demo's live panel across many tabs (demo/public/stream.js, connect()).
// Chromium allows 6 HTTP/1.1 connections per host, and an event stream holds
// one for the life of its page: with a stream per tab, 6 demo tabs took them
// all and every other request of the site stalled, the element's own calls
// included. Now one tab of the session (elected with a Web Lock) holds the
// stream and re-posts it on a BroadcastChannel; the others read
// /demo/snapshot once and follow. Real Chromium, real server, one context (the
// tabs share connections, BroadcastChannel and Web Locks), demo.js included.
import type { BrowserContext } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { Harness, type Tab } from './helpers/tabs.js';
import { callsTo, serverLog } from './helpers/session.js';

test.use({
  sessionSettings: { idleSeconds: 60, timeoutSeconds: 120 },
  // A page that cannot get a connection never loads: fail on it, not on the test's timeout.
  navigationTimeout: 20_000,
});
// Eight pages with their own fake timers are real work for a busy shared machine.
test.describe.configure({ timeout: 180_000 });

const EVENTS_PATH = '/demo/events';
const LEADS = /^Live: /;
const FOLLOWS = /^Live, shared with another tab of this session/;

async function openTabs(h: Harness, n: number): Promise<Tab[]> {
  const tabs: Tab[] = [];
  for (let i = 0; i < n; i++) tabs.push(await h.open('/', String.fromCharCode(65 + i)));
  return tabs;
}

/** Event streams the pages of this context open (reconnections included). Call before any page opens. */
function countStreams(context: BrowserContext): { opened: number } {
  const count = { opened: 0 };
  context.on('request', (r) => {
    if (new URL(r.url()).pathname === EVENTS_PATH) count.opened++;
  });
  return count;
}

const streamState = (tab: Tab) => tab.page.locator('#stream-state');

/** Rows of the panel's request log for one path. */
const rows = (tab: Tab, path: string) =>
  tab.page.locator('#request-log li').filter({ has: tab.page.locator('.path', { hasText: new RegExp(`^${path}$`) }) });

async function appRequest(tab: Tab): Promise<void> {
  await tab.page.locator('#app-request').click();
  await expect(tab.page.locator('#app-result')).toHaveText(/answered 200/);
}

/** `work`, or a failure that names it after `seconds` of real time (the pages' own clocks are paused). */
async function within<T>(seconds: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${seconds} s`)), seconds * 1000);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** "Server calls in view: N" from the timeline's text summary. */
async function callsInTimeline(tab: Tab): Promise<number> {
  const text = (await tab.page.locator('#timeline-summary').textContent()) ?? '';
  const m = /Server calls in view: (\d+)/.exec(text);
  if (!m) throw new Error(`${tab.name}: no call count in the summary: ${JSON.stringify(text)}`);
  return Number(m[1]);
}

test.describe('the demo page in many tabs', () => {
  test('eight tabs hold one event stream, and the eighth tab’s calls still complete', async ({ context }) => {
    const streams = countStreams(context);
    const h = await Harness.start(context, { demoScript: true });
    // open() waits until each page has loaded and its element runs: with a
    // stream per tab, the seventh page never got a connection.
    const tabs = await openTabs(h, 8);
    await expect(streamState(tabs[0]!)).toHaveText(LEADS);
    for (const tab of tabs.slice(1)) await expect(streamState(tab), tab.name).toHaveText(FOLLOWS);
    expect(streams.opened, 'event streams the pages opened').toBe(1);
    expect(callsTo(await serverLog(tabs[0]!.page), EVENTS_PATH), 'event streams the server served').toHaveLength(1);

    const last = tabs[7]!;
    const before = callsTo(await serverLog(last.page), '/session/keepalive', 'POST').length;
    const extended = await within(
      10,
      'el.extend() in the eighth tab',
      last.page.evaluate(() => (document.querySelector('session-timeout-dialog') as unknown as { extend(): Promise<boolean> }).extend()),
    );
    expect(extended, 'the server confirmed the keepalive').toBe(true);
    const keepalives = callsTo(await serverLog(last.page), '/session/keepalive', 'POST');
    expect(keepalives).toHaveLength(before + 1);
    expect(keepalives.at(-1)).toMatchObject({ counted: true, status: 200 });

    const echo = await within(
      10,
      'an app request from the eighth tab',
      last.page.evaluate(async (token) => {
        const res = await fetch('/api/echo', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
          body: '{"message":"tab 8"}',
        });
        return res.status;
      }, h.csrfToken),
    );
    expect(echo).toBe(200);
    // …and the tab that holds the stream saw both.
    await expect(rows(tabs[0]!, '/api/echo')).toHaveCount(1);
    await expect(rows(last, '/api/echo')).toHaveCount(1);
    // The sharing itself stays inside the strict CSP and Trusted Types.
    for (const tab of tabs) expect(tab.of('csp-violation'), tab.name).toEqual([]);
  });

  test('a request made in either tab shows in the other tab’s request log', async ({ context }) => {
    const h = await Harness.start(context, { demoScript: true });
    const [a, b] = (await openTabs(h, 2)) as [Tab, Tab];
    await expect(streamState(a)).toHaveText(LEADS);
    await expect(streamState(b)).toHaveText(FOLLOWS);
    await expect(rows(a, '/api/echo')).toHaveCount(0);

    // Follower to leader: the server pushed it on A's stream.
    await appRequest(b);
    await expect(rows(a, '/api/echo')).toHaveCount(1);
    // …and back: B has no stream of its own, so A passed it on.
    await expect(rows(b, '/api/echo')).toHaveCount(1);

    // Leader to follower.
    await appRequest(a);
    await expect(rows(b, '/api/echo')).toHaveCount(2);
    await expect(rows(a, '/api/echo')).toHaveCount(2);
  });

  test('when the leader tab closes, another tab opens the stream and the rows keep coming, none twice', async ({ context }) => {
    const streams = countStreams(context);
    const h = await Harness.start(context, { demoScript: true });
    const [a, b, c] = (await openTabs(h, 3)) as [Tab, Tab, Tab];
    await expect(streamState(a)).toHaveText(LEADS);
    await appRequest(b);
    for (const tab of [b, c]) await expect(rows(tab, '/api/echo'), tab.name).toHaveCount(1);
    expect(streams.opened).toBe(1);
    const firstAt = (await rows(b, '/api/echo').locator('.time').textContent()) ?? '';

    await h.close(a);
    await expect.poll(() => streams.opened, { message: 'a new event stream' }).toBe(2);
    await expect
      .poll(async () => (await Promise.all([b, c].map((t) => streamState(t).textContent()))).map((s) => (LEADS.test(s ?? '') ? 'leads' : FOLLOWS.test(s ?? '') ? 'follows' : s)).sort())
      .toEqual(['follows', 'leads']);
    const server = await serverLog(b.page);
    expect(callsTo(server, EVENTS_PATH), 'event streams the server served').toHaveLength(2);

    // A later request, at another second, so that its row can be told apart.
    await h.advance(5);
    await appRequest(c);
    for (const tab of [b, c]) {
      const echo = rows(tab, '/api/echo');
      await expect(echo.filter({ hasNot: tab.page.locator('.time', { hasText: firstAt }) }), `${tab.name}: the later row`).toHaveCount(1);
      // The new leader's hello rebuilt the log from the server's history
      // before this row came (one stream, in order): the first row is not doubled.
      await expect(echo, tab.name).toHaveCount(2);
    }

    // The timeline took each call once too: as many calls as logged rows
    // (all in view, fewer than the 20 a hello carries). The summary is
    // rewritten once a second of the page's clock.
    await h.advance(1);
    for (const tab of [b, c]) {
      expect(await callsInTimeline(tab), `${tab.name}: calls in the timeline`).toBe(await tab.page.locator('#request-log li').count());
    }
  });

  test('without Web Locks each tab opens its own stream, as before', async ({ context }) => {
    const streams = countStreams(context);
    // Web Locks exist only in secure contexts: a plain http:// address on the network has none.
    await context.addInitScript(() => {
      delete (Navigator.prototype as { locks?: unknown }).locks;
    });
    const h = await Harness.start(context, { demoScript: true });
    const [a, b] = (await openTabs(h, 2)) as [Tab, Tab];
    for (const tab of [a, b]) await expect(streamState(tab), tab.name).toHaveText(LEADS);
    expect(streams.opened).toBe(2);
    await appRequest(b);
    for (const tab of [a, b]) await expect(rows(tab, '/api/echo'), tab.name).toHaveCount(1);
  });
});
