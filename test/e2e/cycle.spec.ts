// docs/design.md, timing model, one tab, against the demo's reference server: the whole warning
// cycle in a real browser, on one fake time shared by the page and the server
// (helpers/clock.ts). Nothing here waits real seconds for a timeout.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { Clocks } from './helpers/clock.js';
import {
  callsTo,
  dialogOpen,
  element,
  elementState,
  recordEvents,
  recordedEvents,
  serverLog,
  serverStatus,
  signIn,
} from './helpers/session.js';
import { readCdnBuild } from './helpers/cdn-server.js';
import { startDjangoSessionTimeout } from './helpers/mimics.js';

const IDLE = 30;
const TIMEOUT = 60;
const s = (seconds: number) => seconds * 1000;

test.use({ sessionSettings: { idleSeconds: IDLE, timeoutSeconds: TIMEOUT } });

/** Sign in and open the demo's protected page with both clocks paused at the load. */
async function openSignedIn(page: Page): Promise<Clocks> {
  await readCdnBuild(); // another `npm run build` may have emptied dist/ for a moment
  const clocks = await Clocks.install(page, { step: 1000 });
  await signIn(page);
  await page.goto('/');
  await expect(page.locator('session-timeout-dialog')).toHaveAttribute('state', 'active');
  await clocks.alignToPageLoad();
  return clocks;
}

/**
 * Run both clocks to `deadline + after` ms after the load: in big steps up to
 * a second before it, then in quarter seconds (the element asks the server
 * 250 ms after a deadline, once it has heard from other tabs).
 */
async function passThrough(clocks: Clocks, deadline: number, after = 500): Promise<void> {
  if (clocks.elapsed < deadline - 1000) await clocks.to(deadline - 1000, { step: 5000 });
  await clocks.to(deadline + after, { step: 250 });
}

async function sessionCalls(page: Page) {
  const log = await serverLog(page);
  return { status: callsTo(log, '/session/status'), keepalive: callsTo(log, '/session/keepalive'), log };
}

test.describe('one warning cycle', () => {
  test('the warning appears after idle, confirmed by exactly one status call, with a live countdown', async ({ page }) => {
    await recordEvents(page);
    const clocks = await openSignedIn(page);
    const el = element(page);

    await clocks.to(s(IDLE) - 500, { step: 5000 });
    expect((await sessionCalls(page)).status, 'no status call before the idle limit').toHaveLength(0);
    expect(await dialogOpen(el.dialog)).toBe(false);
    expect(await elementState(page)).toBe('active');

    // The status is asked at warnAt (after a 250 ms look at other tabs).
    await passThrough(clocks, s(IDLE));
    const { status, keepalive } = await sessionCalls(page);
    expect(status, 'exactly one status call').toHaveLength(1);
    expect(status[0].t - clocks.start, 'the status call came at the idle limit').toBeGreaterThanOrEqual(s(IDLE));
    expect(keepalive).toHaveLength(0);
    await expect(el.dialog).toBeVisible();
    expect(await dialogOpen(el.dialog)).toBe(true);
    expect(await elementState(page)).toBe('warning');
    const warns = await recordedEvents(page, 'session-timeout-warn');
    expect(warns).toHaveLength(1);
    expect(warns[0].t - clocks.start).toBeGreaterThanOrEqual(s(IDLE));

    // A live countdown: the text follows the clock, second by second.
    const first = await el.countdown.textContent();
    const remaining = await el.host.evaluate((e) => (e as unknown as { remainingSeconds: number }).remainingSeconds);
    expect(remaining).toBeGreaterThan(TIMEOUT - IDLE - 2);
    expect(remaining).toBeLessThanOrEqual(TIMEOUT - IDLE);
    await clocks.advance(2000, { step: 1000 });
    const second = await el.countdown.textContent();
    expect(second).not.toBe(first);
    expect(await el.host.evaluate((e) => (e as unknown as { remainingSeconds: number }).remainingSeconds)).toBe(remaining - 2);
    await clocks.advance(1000);
    expect(await el.countdown.textContent()).not.toBe(second);
    expect((await sessionCalls(page)).status, 'nothing is asked while the countdown runs').toHaveLength(1);
  });

  test('"Stay signed in" sends one POST keepalive with the CSRF header and closes the dialog; the server idle time is back to 0', async ({ page }) => {
    const keepalives: { method: string; headers: Record<string, string> }[] = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/session/keepalive') keepalives.push({ method: req.method(), headers: req.headers() });
    });
    await recordEvents(page);
    const clocks = await openSignedIn(page);
    const el = element(page);
    await passThrough(clocks, s(IDLE));
    await expect(el.dialog).toBeVisible();

    await el.stay.click();
    await clocks.settle();
    await expect(el.dialog).toBeHidden();
    expect(await dialogOpen(el.dialog)).toBe(false);
    await expect(el.host).toHaveAttribute('state', 'active');

    expect(keepalives).toHaveLength(1);
    expect(keepalives[0].method).toBe('POST');
    const csrfCookie = (await page.context().cookies()).find((c) => c.name === 'csrftoken');
    expect(csrfCookie?.value, 'the server set a csrftoken cookie').toBeTruthy();
    expect(keepalives[0].headers['x-csrftoken']).toBe(csrfCookie!.value);
    const { keepalive } = await sessionCalls(page);
    expect(keepalive).toHaveLength(1);
    expect(keepalive[0]).toMatchObject({ method: 'POST', status: 200, counted: true });
    const extend = await recordedEvents(page, 'session-timeout-extend');
    expect(extend.map((e) => e.detail)).toEqual([{ source: 'user' }]);

    expect(await serverStatus(page)).toMatchObject({ status: 'ACTIVE', idleTime: 0 });
  });

  test('the page leaves for timeout-url at the timeout, and the session is over on the server', async ({ page }) => {
    const clocks = await openSignedIn(page);
    const el = element(page);
    await passThrough(clocks, s(IDLE));
    await expect(el.dialog).toBeVisible();

    await clocks.to(s(TIMEOUT) - 500, { step: 5000 });
    expect(new URL(page.url()).pathname, 'still on the page just before the timeout').toBe('/');
    expect(await elementState(page)).toBe('warning');

    await passThrough(clocks, s(TIMEOUT));
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('timed-out') === '1');
    await expect(page.locator('.notice-timeout')).toBeVisible();
    const { status, keepalive } = await sessionCalls(page);
    expect(status, 'one status at the warning, one at the timeout').toHaveLength(2);
    expect(keepalive).toHaveLength(0);
    expect(await serverStatus(page)).toEqual({ status: 'EXPIRED' });
  });
});

test.describe('activity', () => {
  const PERIODS = 5;

  async function workFor(clocks: Clocks, act: (i: number) => Promise<void>) {
    test.slow(); // many small steps of fake time
    let i = 0;
    while (clocks.elapsed < s(IDLE * PERIODS)) {
      await act(i++);
      // One step per move: a request sent in it meets the server at most 4 s ahead.
      await clocks.advance(4000, { step: 4000 });
    }
  }

  async function expectKeptAlive(page: Page, clocks: Clocks) {
    const { status, keepalive, log } = await sessionCalls(page);
    expect(status, 'no status call: the person never was idle long enough').toHaveLength(0);
    // One keepalive each time the server's idle clock reaches the idle limit.
    expect(keepalive.length).toBeGreaterThanOrEqual(PERIODS - 1);
    expect(keepalive.length).toBeLessThanOrEqual(PERIODS + 1);
    for (const call of keepalive) expect(call).toMatchObject({ method: 'POST', status: 200, counted: true });
    // No request at all counted for the person except the page load and the keepalives.
    expect(log.filter((e) => e.counted).length).toBe(keepalive.length + 1);
    expect(await recordedEvents(page, 'session-timeout-warn')).toHaveLength(0);
    expect(await dialogOpen(element(page).dialog)).toBe(false);
    expect(await elementState(page)).toBe('active');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(clocks.elapsed).toBeGreaterThanOrEqual(s(IDLE * PERIODS));
    // The server's idle clock never came near the timeout.
    const answer = await serverStatus(page);
    expect(answer.status).toBe('ACTIVE');
    expect(answer.idleTime as number).toBeLessThan(IDLE);
  }

  test('mouse movement alone keeps the session alive past several idle periods, about one keepalive per idle period', async ({ page }) => {
    await recordEvents(page);
    const clocks = await openSignedIn(page);
    await workFor(clocks, (i) => page.mouse.move(100 + (i % 7) * 37, 80 + (i % 5) * 29));
    await expectKeptAlive(page, clocks);
    const extends_ = await recordedEvents(page, 'session-timeout-extend');
    expect(extends_.length).toBeGreaterThan(0);
    expect(extends_.every((e) => (e.detail as { source: string }).source === 'activity')).toBe(true);
  });

  test('typing in the textarea keeps the session alive the same way', async ({ page }) => {
    await recordEvents(page);
    const clocks = await openSignedIn(page);
    await page.locator('#notes').focus();
    await workFor(clocks, (i) => page.keyboard.type('abcdefgh'[i % 8]));
    await expect(page.locator('#notes')).not.toHaveValue('');
    await expectKeptAlive(page, clocks);
  });

  test('typing in a rich-text editor in a same-origin iframe keeps the session alive the same way', async ({ page }) => {
    await recordEvents(page);
    const clocks = await openSignedIn(page);
    // The page's own listeners hear nothing from inside an iframe.
    const editor = page.frameLocator('#editor').locator('body');
    await editor.click();
    await workFor(clocks, (i) => page.keyboard.type('abcdefgh'[i % 8]));
    await expect(editor).toContainText('abcdefgh');
    await expectKeptAlive(page, clocks);
  });

  test("the app's own requests keep the warning away: the status at the idle limit shows the server activity", async ({ page }) => {
    await recordEvents(page);
    const clocks = await openSignedIn(page);
    const el = element(page);
    await clocks.to(s(10));
    // A script-made click: the app's request, with no local activity.
    await page.locator('#app-request').dispatchEvent('click');
    await clocks.settle();
    await expect(page.locator('#app-result')).toContainText('200');
    const echo = callsTo(await serverLog(page), '/api/echo');
    expect(echo).toHaveLength(1);
    expect(echo[0]).toMatchObject({ method: 'POST', status: 200, counted: true });

    await passThrough(clocks, s(IDLE), 1000);
    expect((await sessionCalls(page)).status, 'the status was asked at the idle limit').toHaveLength(1);
    expect(await dialogOpen(el.dialog)).toBe(false);
    expect(await elementState(page)).toBe('active');
    expect(await recordedEvents(page, 'session-timeout-warn')).toHaveLength(0);

    // Nobody did anything since that request: the warning comes idle seconds after it.
    await clocks.to(s(10 + IDLE) - 500, { step: 5000 });
    expect(await dialogOpen(el.dialog)).toBe(false);
    await passThrough(clocks, s(10 + IDLE), 1000);
    await expect(el.dialog).toBeVisible();
    expect((await sessionCalls(page)).status).toHaveLength(2);
    expect((await sessionCalls(page)).keepalive).toHaveLength(0);
  });
});

test.describe('sign out', () => {
  test('"Sign out" in the dialog leaves for signout-url and the session is over', async ({ page }) => {
    await recordEvents(page);
    const clocks = await openSignedIn(page);
    const el = element(page);
    await passThrough(clocks, s(IDLE));
    await expect(el.dialog).toBeVisible();
    await el.signout.click();
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('signed-out') === '1');
    expect(await serverStatus(page)).toEqual({ status: 'EXPIRED' });
  });

  test('el.signOut() leaves for signout-url and the session is over', async ({ page }) => {
    const clocks = await openSignedIn(page);
    await clocks.to(s(5));
    await page.locator('session-timeout-dialog').evaluate((e) => (e as unknown as { signOut(): void }).signOut());
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('signed-out') === '1');
    expect(await serverStatus(page)).toEqual({ status: 'EXPIRED' });
  });
});

test.describe('canceled events', () => {
  test('session-timeout-warn canceled: no dialog opens, but the state is "warning" and the expiry still happens', async ({ page }) => {
    await recordEvents(page, ['session-timeout-warn']);
    const clocks = await openSignedIn(page);
    const el = element(page);
    await passThrough(clocks, s(IDLE));
    const warns = await recordedEvents(page, 'session-timeout-warn');
    expect(warns).toHaveLength(1);
    expect(warns[0].defaultPrevented).toBe(true);
    expect((warns[0].detail as { remainingSeconds: number }).remainingSeconds).toBeGreaterThan(TIMEOUT - IDLE - 2);
    await expect(el.host).toHaveAttribute('state', 'warning');
    expect(await dialogOpen(el.dialog)).toBe(false);
    await expect(el.dialog).toBeHidden();

    await clocks.to(s(TIMEOUT) - 500, { step: 5000 });
    expect(new URL(page.url()).pathname).toBe('/');
    await passThrough(clocks, s(TIMEOUT));
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('timed-out') === '1');
  });

  test('session-timeout-expire canceled: the page stays (URL unchanged) and the state is "expired"', async ({ page }) => {
    await recordEvents(page, ['session-timeout-expire']);
    const clocks = await openSignedIn(page);
    const url = page.url();
    await passThrough(clocks, s(TIMEOUT));
    await expect(page.locator('session-timeout-dialog')).toHaveAttribute('state', 'expired');
    const expires = await recordedEvents(page, 'session-timeout-expire');
    expect(expires).toHaveLength(1);
    expect(expires[0].defaultPrevented).toBe(true);
    expect(await dialogOpen(element(page).dialog)).toBe(false);
    // Time goes on: the page still stays, and the element asks nothing more.
    const before = await sessionCalls(page);
    await clocks.advance(s(30), { step: 5000 });
    expect(page.url()).toBe(url);
    expect(await elementState(page)).toBe('expired');
    const after = await sessionCalls(page);
    expect(after.status.length + after.keepalive.length).toBe(before.status.length + before.keepalive.length);
  });
});

test.describe('requests on load', () => {
  test('no request on load when the limits are attributes', async ({ page }) => {
    const clocks = await openSignedIn(page);
    await clocks.settle();
    await clocks.to(s(IDLE) - 1000, { step: 5000 });
    const { status, keepalive } = await sessionCalls(page);
    expect(status).toHaveLength(0);
    expect(keepalive).toHaveLength(0);
  });

  test('one status request on load when the limits are not attributes (it learns them from the server)', async ({ page }) => {
    const mimic = await startDjangoSessionTimeout({ idleSeconds: 25, timeoutSeconds: 55 });
    try {
      await readCdnBuild();
      const clocks = await Clocks.install(page, { server: mimic.url, step: 1000 });
      await signIn(page, mimic.url);
      const query = new URLSearchParams({
        defaults: '0',
        'status-url': '/session/status',
        'keepalive-url': '/session/keepalive',
        'timeout-url': '/accounts/logout/?reason=timeout',
      });
      await page.goto(`${mimic.url}/?${query}`);
      await expect(page.locator('session-timeout-dialog')).toHaveAttribute('state', 'active');
      expect(await page.locator('session-timeout-dialog').getAttribute('idle-seconds')).toBeNull();
      await clocks.alignToPageLoad();
      await clocks.settle();
      await expect.poll(async () => callsTo(await serverLog(page, mimic.url), '/session/status').length).toBe(1);

      await clocks.to(s(20), { step: 5000 });
      const log = await serverLog(page, mimic.url);
      expect(callsTo(log, '/session/status'), 'one status call on load, none since').toHaveLength(1);
      expect(callsTo(log, '/session/status')[0].t).toBe(clocks.start);
      expect(callsTo(log, '/session/keepalive')).toHaveLength(0);

      // The limits it learnt (25 s, not the default 780 s) drive the warning.
      await clocks.to(s(25) + 1000, { step: 250 });
      await expect(element(page).dialog).toBeVisible();
    } finally {
      await mimic.close();
    }
  });
});
