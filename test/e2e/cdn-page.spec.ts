// The "Done when": a plain HTML page with no framework, served by a
// tiny node:http server of our own (helpers/cdn-server.ts) that speaks the
// session-timeout protocol, loads dist/cdn/session-timeout-dialog.js with
// <script type="module"> and gets the whole cycle with idle-seconds="3"
// timeout-seconds="7". Instants are asserted on the fake clock shared by the
// page and the server (helpers/clock.ts).
import { test, expect, type Page } from '@playwright/test';
import { startCdnServer, type CdnServer } from './helpers/cdn-server.js';
import { Clocks } from './helpers/clock.js';
import { dialogOpen, element, elementState, recordEvents, recordedEvents, signIn } from './helpers/session.js';

const IDLE = 3;
const TIMEOUT = 7;
/** The element looks at other tabs for 250 ms before it asks the server at a deadline. */
const DECISION_SLACK_MS = 600;

let server: CdnServer;

test.beforeEach(async () => {
  server = await startCdnServer({ idleSeconds: IDLE, timeoutSeconds: TIMEOUT });
});
test.afterEach(async () => {
  await server.close();
});

async function openPlainPage(page: Page): Promise<Clocks> {
  await recordEvents(page);
  const clocks = await Clocks.install(page, { server: server.url, step: 500 });
  await signIn(page, server.url);
  await page.goto(`${server.url}/`);
  await expect(page.locator('session-timeout-dialog')).toHaveAttribute('state', 'active');
  await clocks.alignToPageLoad();
  return clocks;
}

const sessionCalls = () => server.log.filter((e) => e.path.startsWith('/session/'));

test('the plain page loads the CDN build with <script type="module"> and defines the element', async ({ page }) => {
  await openPlainPage(page);
  const script = page.locator('script[type="module"][src="/static/session-timeout-dialog.js"]');
  await expect(script).toHaveCount(1);
  expect(await page.evaluate(() => customElements.get('session-timeout-dialog') !== undefined)).toBe(true);
  // No framework on the page: the one script is the element.
  expect(await page.locator('script').count()).toBe(1);
  expect(server.log.find((e) => e.path === '/static/session-timeout-dialog.js')?.status).toBe(200);
});

test('no server call after load; the warning ~3 s after it, once the status confirmed it; "Stay signed in" sends a POST keepalive with the CSRF header', async ({ page }) => {
  const clocks = await openPlainPage(page);
  const el = element(page);

  await clocks.to(2900, { step: 500 });
  expect(sessionCalls(), 'no server call in the first seconds after load').toEqual([]);
  expect(await dialogOpen(el.dialog)).toBe(false);
  expect(await elementState(page)).toBe('active');

  await clocks.to(IDLE * 1000 + DECISION_SLACK_MS, { step: 100 });
  const status = sessionCalls();
  expect(status.map((e) => `${e.method} ${e.path}`)).toEqual(['GET /session/status']);
  expect(clocks.sinceStart(status[0].t)).toBeGreaterThanOrEqual(IDLE * 1000);
  await expect(el.dialog).toBeVisible();
  const [warn] = await recordedEvents(page, 'session-timeout-warn');
  expect(warn.t - clocks.start, 'the warning opened at 3 s, after the status answer').toBeGreaterThanOrEqual(IDLE * 1000);
  expect(warn.t - clocks.start).toBeLessThanOrEqual(IDLE * 1000 + DECISION_SLACK_MS);
  expect(clocks.sinceStart(status[0].t)).toBeLessThanOrEqual(warn.t - clocks.start);
  test.info().annotations.push({ type: 'warning opened', description: `${warn.t - clocks.start} ms after the load` });

  const stayAt = clocks.elapsed;
  await el.stay.click();
  await clocks.settle();
  await expect(el.dialog).toBeHidden();
  const keepalive = sessionCalls().filter((e) => e.path === '/session/keepalive');
  expect(keepalive).toHaveLength(1);
  const csrf = (await page.context().cookies(server.url)).find((c) => c.name === 'csrftoken')?.value;
  expect(csrf).toBeTruthy();
  expect(keepalive[0]).toMatchObject({ method: 'POST', status: 200, counted: true, csrf });

  // The next cycle counts from the keepalive: warned again, and gone 7 s after it.
  await clocks.to(stayAt + TIMEOUT * 1000 - 100, { step: 500 });
  expect(new URL(page.url()).pathname, 'still on the page at 6.9 s after the last activity').toBe('/');
  expect(await recordedEvents(page, 'session-timeout-warn')).toHaveLength(2);
  await clocks.to(stayAt + TIMEOUT * 1000 + DECISION_SLACK_MS, { step: 100 });
  await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('timed-out') === '1');
  const left = server.log.find((e) => e.path === '/login');
  expect(clocks.sinceStart(left!.t) - stayAt, 'left 7 s after the last activity').toBeGreaterThanOrEqual(TIMEOUT * 1000);
  expect(clocks.sinceStart(left!.t) - stayAt).toBeLessThanOrEqual(TIMEOUT * 1000 + DECISION_SLACK_MS);
  test.info().annotations.push({ type: 'left', description: `${clocks.sinceStart(left!.t) - stayAt} ms after "Stay signed in"` });
});

test('with nobody there, the page is at timeout-url 7 s after the load, and the session is over', async ({ page }) => {
  const clocks = await openPlainPage(page);
  await clocks.to(TIMEOUT * 1000 - 100, { step: 500 });
  expect(new URL(page.url()).pathname, 'still on the page at 6.9 s').toBe('/');
  expect(await elementState(page)).toBe('warning');
  await clocks.to(TIMEOUT * 1000 + DECISION_SLACK_MS, { step: 100 });
  await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('timed-out') === '1');
  await expect(page.locator('#timed-out')).toBeVisible();
  const left = server.log.find((e) => e.path === '/login');
  expect(clocks.sinceStart(left!.t)).toBeGreaterThanOrEqual(TIMEOUT * 1000);
  expect(clocks.sinceStart(left!.t)).toBeLessThanOrEqual(TIMEOUT * 1000 + DECISION_SLACK_MS);
  test.info().annotations.push({ type: 'left', description: `${clocks.sinceStart(left!.t)} ms after the load` });
  const calls = sessionCalls();
  expect(calls.map((e) => `${e.method} ${e.path}`)).toEqual(['GET /session/status', 'GET /session/status']);
  const answer = await page.request.get(`${server.url}/session/status`);
  expect(await answer.json()).toEqual({ status: 'EXPIRED' });
});
