// docs/design.md, when it talks to the server: all deadlines are wall-clock instants. A timer that fires late
// (sleep, a throttled background tab), a page that becomes visible again, a
// `pageshow` from the back/forward cache or `online` after offline re-derive
// the phase from now; a deadline already past is never shown as a dialog.
//
// Sleep is simulated with the fake clock: `jump()` moves the wall clock
// (and the server's) without firing any timer, `fastForward()` moves it and
// then fires the late timers once (see helpers/tabs.ts). Limits: warning
// after 60 s, signed out after 120 s.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { Harness, type Tab } from './helpers/tabs.js';

test.use({ sessionSettings: { idleSeconds: 60, timeoutSeconds: 120 } });
// Time is fake_ but every step of it is real work for a shared_ busy machine.
test.describe.configure({ timeout: 120_000 });

const TIMED_OUT = /\/login\?timed-out=1$/;

/** The page becomes visible again (it was visible before: the event is what a wake sends). */
async function becomeVisible(page: Page): Promise<void> {
  await page.evaluate(() => {
    // Undo hide() if it ran: the document's own getters say 'visible' again.
    delete (document as { visibilityState?: string }).visibilityState;
    delete (document as { hidden?: boolean }).hidden;
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

/** The tab goes to the background. */
async function hide(page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

/** The time left the dialog should show at `now` seconds (session ends at `end`), rounded down: never more than is left. */
const left = (end: number, now: number) => Math.floor(end - now);

/**
 * After a status answer the element knows the server's last activity only to
 * the whole second (`idleTime` is floored; docs/design.md, server contract: activity = sent −
 * idleTime), so its estimate of the end may be up to 1 s later than `end`.
 * It may also be a fraction of a second earlier (the page load counts from
 * the navigation's start), and what it shows is rounded down: one less.
 */
function expectLeft(shown: number, end: number, now: number): void {
  expect(shown, `time left at ${now} s for an end at ${end} s`).toBeGreaterThanOrEqual(left(end, now) - 1);
  expect(shown, `time left at ${now} s for an end at ${end} s`).toBeLessThanOrEqual(left(end, now) + 1);
}

async function expectLeftAtOnce(h: Harness, tab: Tab, wokeAt: number): Promise<void> {
  // The leader asks the other tabs (a 250 ms round) and the server before it
  // leaves: a second of fake time at most, never the warning's two minutes.
  await h.advance(1, { step: 0.25 });
  await tab.page.waitForURL(TIMED_OUT);
  const expire = tab.of('expire');
  expect(expire).toHaveLength(1);
  expect(expire[0]!.at).toBeGreaterThanOrEqual(wokeAt);
  expect(expire[0]!.at).toBeLessThanOrEqual(wokeAt + 1);
  expect(tab.of('warn'), 'no warn event').toHaveLength(0);
  expect(tab.of('dialog-open'), 'the dialog never opened, not even for a moment').toHaveLength(0);
}

test.describe('sleep, hidden tabs and wake-ups re-derive the phase from the wall clock', () => {
  test('a sleep past the deadline, woken by visibilitychange: leaves at once, no warning flashes', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.advanceTo(10);
    await h.jump(190); // the lid closes at 10 s and opens at 200 s; no timer fired meanwhile
    expect(tab.page.url()).toMatch(/\/$/);
    await becomeVisible(tab.page);
    await expectLeftAtOnce(h, tab, 200);
    // It asked the server before leaving, once.
    const calls = await h.serverCalls();
    expect(calls.map((c) => c.op)).toEqual(['status']);
    expect(calls[0]!.at).toBeGreaterThanOrEqual(200);
    expect(calls[0]!.at).toBeLessThanOrEqual(201);
  });

  test('a sleep past the deadline, woken by the late timer: leaves at once, no warning flashes', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.advanceTo(10);
    await h.fastForward(190); // the warning's timer fires once, 140 s late
    await expectLeftAtOnce(h, tab, 200);
  });

  test('a sleep past the local deadline while another device kept the session alive: re-plans, does not leave', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.advanceTo(10);
    await h.jump(100);
    await h.appRequest(); // at 110 s the same session is used elsewhere (before the server's end at 120 s)
    await h.jump(90);
    // Woken at 200 s: past this page's own deadline (120 s), but the server
    // saw activity at 110 s, so the session ends at 230 s: a warning with
    // about 30 s left, not a departure.
    await becomeVisible(tab.page);
    await h.advance(1, { step: 0.25 });
    expect(tab.page.url()).toMatch(/\/$/);
    expect(tab.of('expire')).toHaveLength(0);
    await expect(tab.dialog).toBeVisible();
    expectLeft(await tab.countdownSeconds(), 230, h.now);
    await h.advanceTo(229);
    expect(tab.page.url()).toMatch(/\/$/);
    await h.advanceTo(232);
    await tab.page.waitForURL(TIMED_OUT);
    expect(tab.of('expire')).toHaveLength(1);
    expect(tab.of('expire')[0]!.at).toBeGreaterThanOrEqual(230);
  });

  for (const wake of ['visibilitychange', 'late timer'] as const) {
    test(`a jump into the warning window (${wake}) shows the time really left`, async ({ context }) => {
      const h = await Harness.start(context);
      const tab = await h.open();
      await h.advanceTo(10);
      if (wake === 'visibilitychange') {
        await h.jump(80);
        await becomeVisible(tab.page);
      } else {
        await h.fastForward(80);
      }
      await h.advance(1, { step: 0.25 }); // the tabs' round and the status call
      await expect(tab.dialog).toBeVisible();
      const warn = tab.of('warn');
      expect(warn).toHaveLength(1);
      // Not the full 60 s of a warning: what is left of the 120 s since the page load.
      expectLeft(warn[0]!.detail.remainingSeconds, 120, warn[0]!.at);
      expectLeft(await tab.countdownSeconds(), 120, h.now);
      expect(await tab.element.evaluate((el: HTMLElement & { remainingSeconds: number }) => el.remainingSeconds)).toBe(await tab.countdownSeconds());
      await h.advance(10);
      expectLeft(await tab.countdownSeconds(), 120, h.now);
    });
  }

  test("a hidden tab's countdown catches up when the tab is shown again", async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.advanceTo(62);
    await expect(tab.dialog).toBeVisible();
    const shown = await tab.countdownSeconds();
    expectLeft(shown, 120, h.now);
    await hide(tab.page);
    await h.jump(30); // a throttled background tab: no timer ran for 30 s
    expect(await tab.countdownSeconds(), 'precondition: nothing ran while hidden').toBe(shown);
    await becomeVisible(tab.page);
    await h.settle();
    // At once, with no timer run: the time really left, not where it stopped.
    await expect.poll(() => tab.countdownSeconds()).toBeLessThanOrEqual(left(120, h.now) + 1);
    expectLeft(await tab.countdownSeconds(), 120, h.now);
    expectLeft(await tab.element.evaluate((el: HTMLElement & { remainingSeconds: number }) => el.remainingSeconds), 120, h.now);
    await h.advance(5);
    expectLeft(await tab.countdownSeconds(), 120, h.now);
    // And the end is still at 120 s.
    await h.advanceTo(119);
    expect(tab.page.url()).toMatch(/\/$/);
    await h.advanceTo(121);
    await tab.page.waitForURL(TIMED_OUT);
  });

  test('pageshow from the back/forward cache checks at once and re-derives the phase', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.advanceTo(10);
    const persisted = (p: Page) => p.evaluate(() => window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
    // Restored while the session is active: one status call at once, still active.
    await h.jump(20);
    await persisted(tab.page);
    await h.settle();
    expect((await h.serverCalls()).map((c) => [c.op, c.at])).toEqual([['status', 30]]);
    await expect(tab.element).toHaveAttribute('state', 'active');
    // Restored inside the warning window: the warning, with the time really left.
    await h.jump(60);
    await persisted(tab.page);
    await h.settle();
    await expect(tab.dialog).toBeVisible();
    expect((await h.serverCalls()).filter((c) => c.at === 90).map((c) => c.op)).toEqual(['status']);
    expectLeft(await tab.countdownSeconds(), 120, h.now);
    // Restored after the end: leaves at once, no dialog flashes.
    await h.jump(100);
    tab.events.length = 0;
    await persisted(tab.page);
    await h.settle();
    await tab.page.waitForURL(TIMED_OUT);
    expect(tab.of('expire')).toHaveLength(1);
    expect(tab.of('dialog-open')).toHaveLength(0);
  });

  test('online after offline re-derives the phase', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.advanceTo(10);
    await context.setOffline(true);
    await h.jump(80); // offline, and no timer ran (a suspended laptop on a train)
    await context.setOffline(false);
    await h.advance(1, { step: 0.25 });
    await expect(tab.dialog).toBeVisible();
    expect(tab.of('error'), 'nothing was sent while offline').toHaveLength(0);
    expectLeft(await tab.countdownSeconds(), 120, h.now);
    expect((await h.serverCalls()).map((c) => c.op)).toEqual(['status']);
    // Offline again past the end, then online: leaves at once.
    await context.setOffline(true);
    await h.jump(60);
    await context.setOffline(false);
    await h.advance(1, { step: 0.25 });
    await tab.page.waitForURL(TIMED_OUT);
    expect(tab.of('expire')).toHaveLength(1);
  });
});
