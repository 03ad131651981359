// docs/design.md, tabs: tabs of one session act as one. Several pages in ONE browser
// context (they share BroadcastChannel and Web Locks), one fake clock for all
// of them, kept in step with the reference server's test clock (see
// helpers/tabs.ts). Limits: warning after 60 s, signed out after 120 s.
import type { Browser } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { Harness, type Tab } from './helpers/tabs.js';

test.use({ sessionSettings: { idleSeconds: 60, timeoutSeconds: 120 } });
// Time is fake_ but every step of it is real work for a shared_ busy machine.
test.describe.configure({ timeout: 240_000 });

const TIMED_OUT = /\/login\?timed-out=1$/;
const SIGNED_OUT = /\/login\?signed-out=1$/;

async function openTabs(h: Harness, n: number): Promise<Tab[]> {
  const tabs: Tab[] = [];
  for (let i = 0; i < n; i++) tabs.push(await h.open('/', String.fromCharCode(65 + i)));
  return tabs;
}

async function expectDialogs(tabs: Tab[], open: boolean): Promise<void> {
  for (const tab of tabs) {
    if (open) await expect(tab.dialog, `${tab.name}: dialog open`).toBeVisible();
    else await expect(tab.dialog, `${tab.name}: dialog closed`).toBeHidden();
  }
}

test.describe('tabs of one session act as one', () => {
  for (const { where, how } of [
    { where: 'first', how: 'mouse moves' },
    { where: 'last', how: 'typing' },
  ] as const) {
    test(`${how} in the ${where} tab keep the other tabs from warning`, async ({ context }) => {
      const h = await Harness.start(context);
      const tabs = await openTabs(h, 3);
      const worker = where === 'first' ? tabs[0]! : tabs[2]!;
      // Five minutes of work in one tab: more than twice the whole timeout.
      for (let t = 10; t <= 300; t += 10) {
        await h.advanceTo(t);
        if (how === 'mouse moves') await worker.moveMouse();
        else await worker.type('a');
      }
      for (const tab of tabs) {
        expect(tab.warned, `${tab.name} never warned`).toBe(false);
        expect(tab.page.url(), `${tab.name} still on the page`).toMatch(/\/$/);
        await expect(tab.element).toHaveAttribute('state', 'active');
      }
      // The server heard of the work through keepalives (it sees no typing).
      const calls = await h.serverCalls();
      // …one keepalive per minute at most (idle 60 s), however many tabs are open.
      const keepalives = calls.filter((c) => c.op === 'keepalive').length;
      expect(keepalives).toBeGreaterThanOrEqual(4);
      expect(keepalives, 'no tab but the leader sends keepalives').toBeLessThanOrEqual(6);
      expect(calls.every((c) => c.status === 200)).toBe(true);

      // The work stops at 300 s: now the warning comes, in every tab, 60 s later.
      await h.advanceTo(359);
      for (const tab of tabs) expect(tab.warned, `${tab.name}: no warning before 360 s`).toBe(false);
      await h.advanceTo(362);
      await expectDialogs(tabs, true);
    });
  }

  test('the warning opens in every tab together, after one status call', async ({ context }) => {
    const h = await Harness.start(context);
    const tabs = await openTabs(h, 3);
    await h.advanceTo(59);
    await expectDialogs(tabs, false);
    await h.advanceTo(62);
    await expectDialogs(tabs, true);
    const warns = tabs.map((t) => t.of('warn'));
    for (const [i, w] of warns.entries()) expect(w, `${tabs[i]!.name}: one warn event`).toHaveLength(1);
    // Together: the same instant and the same time left everywhere.
    const at = warns.map((w) => w[0]!.at);
    expect(Math.max(...at) - Math.min(...at)).toBe(0);
    const left = warns.map((w) => w[0]!.detail.remainingSeconds);
    expect(new Set(left).size).toBe(1);
    expect(left[0]).toBeGreaterThanOrEqual(58);
    expect(left[0]).toBeLessThanOrEqual(60);
    const shown = await Promise.all(tabs.map((t) => t.countdownSeconds()));
    expect(new Set(shown).size).toBe(1);
    // One tab asked, for all of them.
    const calls = await h.serverCalls();
    expect(calls.map((c) => c.op)).toEqual(['status']);
    expect(tabs.filter((t) => t.calls.length > 0)).toHaveLength(1);
  });

  test('"Stay signed in" in one tab closes the warning in every tab', async ({ context }) => {
    const h = await Harness.start(context);
    const [a, b, c] = await openTabs(h, 3);
    await h.advanceTo(62);
    await expectDialogs([a!, b!, c!], true);
    await b!.stayButton.click();
    await h.settle();
    await expectDialogs([a!, b!, c!], false);
    expect(b!.of('extend').map((e) => e.detail.source)).toEqual(['user']);
    expect(a!.of('extend').map((e) => e.detail.source)).toEqual(['tab']);
    expect(c!.of('extend').map((e) => e.detail.source)).toEqual(['tab']);
    for (const t of [a!, b!, c!]) await expect(t.element).toHaveAttribute('state', 'active');
    // The tab where the person pressed it made the one keepalive.
    expect(b!.calls.map((x) => x.op)).toContain('keepalive');
    expect((await h.serverCalls()).filter((x) => x.op === 'keepalive')).toHaveLength(1);
    // The old deadline (120 s) is gone in every tab: the next warning is 60 s after "stay".
    await h.advanceTo(62 + 58);
    for (const t of [a!, b!, c!]) {
      expect(t.of('dialog-open'), `${t.name}: no new warning yet`).toHaveLength(1);
      expect(t.page.url()).toMatch(/\/$/);
    }
    await h.advanceTo(62 + 62);
    await expectDialogs([a!, b!, c!], true);
  });

  test('expiry reaches every tab: all leave for timeout-url, within one warning cycle of calls', async ({ context }) => {
    const h = await Harness.start(context);
    const tabs = await openTabs(h, 3);
    await h.advanceTo(119);
    for (const t of tabs) expect(t.page.url(), `${t.name}: not before the deadline`).toMatch(/\/$/);
    await h.advanceTo(121);
    for (const t of tabs) {
      await t.page.waitForURL(TIMED_OUT);
      const expire = t.of('expire');
      expect(expire, `${t.name}: one expire event`).toHaveLength(1);
      expect(expire[0]!.at).toBeGreaterThanOrEqual(120);
    }
    // README, size and cost: per warning cycle, any number of tabs: ≤ 2 status + 1 keepalive.
    const calls = await h.serverCalls();
    expect(calls.filter((c) => c.op === 'status').length).toBeLessThanOrEqual(2);
    expect(calls.filter((c) => c.op === 'keepalive')).toHaveLength(0);
    expect((await h.serverStatus()).status).toBe('EXPIRED');
  });

  test('"Sign out" in one tab makes every tab leave', async ({ context }) => {
    const h = await Harness.start(context);
    const [a, b, c] = await openTabs(h, 3);
    await h.advanceTo(62);
    await b!.signoutButton.click();
    for (const t of [a!, b!, c!]) {
      await t.page.waitForURL(SIGNED_OUT);
      expect(t.of('signout'), `${t.name}: signout event`).toHaveLength(1);
      expect(t.of('expire')).toHaveLength(0);
    }
    // No tab waited for its own deadline (the clock did not move).
    expect(h.now).toBe(62);
    expect((await h.serverStatus()).status).toBe('EXPIRED');
  });

  test('signOut() in a tab that shows no warning signs every tab out', async ({ context }) => {
    const h = await Harness.start(context);
    const [a, b, c] = await openTabs(h, 3);
    await h.advanceTo(20);
    await c!.element.evaluate((el: HTMLElement & { signOut(): void }) => el.signOut());
    for (const t of [a!, b!, c!]) await t.page.waitForURL(SIGNED_OUT);
    for (const t of [a!, b!, c!]) expect(t.warned).toBe(false);
    expect((await h.serverStatus()).status).toBe('EXPIRED');
  });

  test('closing the leader tab hands the timed calls over, and expiry still works', async ({ context }) => {
    const h = await Harness.start(context);
    const tabs = await openTabs(h, 3);
    // The leader is the one tab that makes the timed call (the status at the warning).
    await h.advanceTo(62);
    await expectDialogs(tabs, true);
    const leaders = tabs.filter((t) => t.calls.some((c) => c.op === 'status'));
    expect(leaders, 'exactly one tab asked the server').toHaveLength(1);
    const leader = leaders[0]!;
    const others = tabs.filter((t) => t !== leader);
    // "Stay" in a follower (its own keepalive: the person's action, not a timed call).
    await others[0]!.stayButton.click();
    await h.settle();
    await expectDialogs(tabs, false);
    await h.close(leader);
    const before = others.map((t) => t.calls.length);

    // Next warning (stay at 62 → warn at 122): one of the remaining tabs asks, once.
    await h.advanceTo(62 + 62);
    await expectDialogs(others, true);
    const asked = others.filter((t, i) => t.calls.slice(before[i]).some((c) => c.op === 'status'));
    expect(asked, 'exactly one remaining tab took over the timed calls').toHaveLength(1);
    // Expiry (182 s) still reaches every remaining tab, on time.
    await h.advanceTo(62 + 119);
    for (const t of others) expect(t.page.url()).toMatch(/\/$/);
    await h.advanceTo(62 + 121);
    for (const t of others) await t.page.waitForURL(TIMED_OUT);
    const statusAfterClose = (await h.serverCalls()).filter((c) => c.op === 'status' && c.at > 62);
    expect(statusAfterClose.length, 'status calls after the hand-over (warn + expire)').toBeLessThanOrEqual(2);
  });

  test('a broken server: one tab retries for all, every tab warns and leaves on the local deadline', async ({ context }) => {
    const h = await Harness.start(context);
    const tabs = await openTabs(h, 3);
    await h.fault('status', '500', { count: 10_000 });
    await h.advanceTo(62);
    await expectDialogs(tabs, true);
    await h.advanceTo(119);
    for (const t of tabs) expect(t.of('expire'), `${t.name}: an error is never an expiry`).toHaveLength(0);
    await h.advanceTo(122);
    for (const t of tabs) await t.page.waitForURL(TIMED_OUT);
    // The same backed-off retries as with one tab (≤ 10 up to the deadline), from one tab.
    const calls = await h.serverCalls();
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.length).toBeLessThanOrEqual(10);
    expect(tabs.filter((t) => t.calls.length > 0), 'one tab made the calls').toHaveLength(1);
  });

  test('a new tab joining makes no server call', async ({ context }) => {
    const h = await Harness.start(context);
    await h.open();
    await h.advanceTo(30);
    await h.clearLog();
    const joined = await h.open();
    await h.advanceTo(31);
    expect(await h.serverCalls()).toEqual([]);
    expect(joined.calls).toEqual([]);
    // …and it knows the session: it warns with the others, without asking.
    await h.advanceTo(30 + 62);
    for (const t of h.tabs) await expect(t.dialog).toBeVisible();
  });
});

/**
 * The same scripted person — 20 minutes of work at idle 300 s, a mouse move
 * every 30 s in one tab (the last opened, so a follower when there are
 * several) — with 1, 3 and 5 tabs open. docs/design.md, tabs: requests do not grow with
 * the number of tabs.
 */
async function scriptedPerson(browser: Browser, baseURL: string, tabCount: number) {
  const context = await browser.newContext({ baseURL });
  try {
    const h = await Harness.start(context);
    await h.clearLog(); // one server for the three runs
    for (let i = 0; i < tabCount; i++) await h.open('/', `tab ${i + 1}`);
    const worker = h.tabs[h.tabs.length - 1]!;
    for (let t = 30; t <= 1200; t += 30) {
      // Steps of 5 s: every deadline of this script falls on a multiple of 5 s.
      await h.advanceTo(t, { step: 5 });
      await worker.moveMouse();
    }
    // Half a minute more, so a call due right at the end is counted in every run.
    await h.advanceTo(1230, { step: 5 });
    const calls = await h.serverCalls();
    const warned = h.tabs.some((t) => t.warned);
    // Shown when the counts differ: which call came when.
    test.info().annotations.push({ type: `calls with ${tabCount} tabs`, description: JSON.stringify(calls.map((c) => `${c.op}@${c.at}`)) });
    return {
      status: calls.filter((c) => c.op === 'status').length,
      keepalive: calls.filter((c) => c.op === 'keepalive').length,
      warned,
    };
  } finally {
    await context.close();
  }
}

test.describe('server calls do not grow with tabs', () => {
  test.use({ sessionSettings: { idleSeconds: 300, timeoutSeconds: 600 } });

  test('20 minutes of work in one tab cost the same calls with 1, 3 and 5 tabs', async ({ browser, server }) => {
    test.setTimeout(900_000);
    const counts: Record<number, Awaited<ReturnType<typeof scriptedPerson>>> = {};
    for (const n of [1, 3, 5]) counts[n] = await scriptedPerson(browser, server.url, n);
    test.info().annotations.push({ type: 'server calls (20 min, idle 300 s)', description: JSON.stringify(counts) });
    console.log('server calls for 20 minutes of work at idle 300 s:', JSON.stringify(counts));
    for (const n of [1, 3, 5]) expect(counts[n]!.warned, `${n} tabs: nobody was warned`).toBe(false);
    // One keepalive each time the server's idle clock reaches 300 s (at 300, 600, 900, 1200).
    const when = test.info().annotations.filter((a) => a.type.startsWith('calls with')).map((a) => `${a.type}: ${a.description}`).join('; ');
    expect(counts[1], when).toEqual({ status: 0, keepalive: 4, warned: false });
    expect(counts[3], when).toEqual(counts[1]);
    expect(counts[5], when).toEqual(counts[1]);
  });
});
