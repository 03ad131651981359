// docs/design.md, server contract, the server contract, end to end against mimics of the two Django
// libraries (test/servers/) and, for the absolute lifetime, the reference
// server. One fake time for page and server (helpers/clock.ts).
import { test as base, type Page } from '@playwright/test';
import { test as referenceTest, expect } from './fixtures.js';
import { readCdnBuild } from './helpers/cdn-server.js';
import { Clocks, pageFetches, type FetchRecord } from './helpers/clock.js';
import { startDjangoSessionSecurity, startDjangoSessionTimeout, type Mimic } from './helpers/mimics.js';
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
  type LogEntry,
} from './helpers/session.js';

const IDLE = 20;
const TIMEOUT = 45;
const s = (seconds: number) => seconds * 1000;

/** Big steps up to a second before `deadline`, then quarter seconds to `deadline + after` (ms after the load). */
async function passThrough(clocks: Clocks, deadline: number, after = 500): Promise<void> {
  if (clocks.elapsed < deadline - 1000) await clocks.to(deadline - 1000, { step: 5000 });
  await clocks.to(deadline + after, { step: 250 });
}

/** Sign in on a mimic and open its page (`/`, attributes from the query) with both clocks paused at the load. */
async function openMimicPage(page: Page, mimic: Mimic, query = ''): Promise<Clocks> {
  await readCdnBuild(); // another `npm run build` may have emptied dist/ for a moment
  await recordEvents(page);
  const clocks = await Clocks.install(page, { server: mimic.url, step: 1000 });
  await signIn(page, mimic.url);
  await page.goto(`${mimic.url}/${query}`);
  await expect(page.locator('session-timeout-dialog')).toHaveAttribute('state', 'active');
  await clocks.alignToPageLoad();
  await clocks.settle();
  return clocks;
}

/** Type one character every `every` ms until `until` ms after the load. */
async function typeUntil(page: Page, clocks: Clocks, until: number, every = 4000): Promise<void> {
  await page.locator('#notes').focus();
  let i = 0;
  while (clocks.elapsed < until) {
    await page.keyboard.type('session'[i++ % 7]);
    await clocks.advance(every, { step: every });
  }
}

const timedOutUrl = (url: URL) => url.pathname === '/accounts/login/' && url.searchParams.get('timed-out') === '1';

// ---------------------------------------------------------------------------
const forkTest = base.extend<{ mimic: Mimic }>({
  // eslint-disable-next-line no-empty-pattern
  mimic: async ({}, use) => {
    const mimic = await startDjangoSessionTimeout({ idleSeconds: IDLE, timeoutSeconds: TIMEOUT });
    await use(mimic);
    await mimic.close();
  },
});

forkTest.describe('django-session-timeout (fork with status and keepalive views)', () => {
  forkTest('a person typing with no requests stays signed in past the server idle limit: keepalives, and the server idle time never reaches the timeout', async ({ page, mimic }) => {
    forkTest.slow(); // many small steps of fake time
    const clocks = await openMimicPage(page, mimic);
    await typeUntil(page, clocks, s(3 * TIMEOUT));

    const log = await serverLog(page, mimic.url);
    const keepalives = callsTo(log, '/session/keepalive');
    expect(keepalives.length).toBeGreaterThanOrEqual(Math.floor((3 * TIMEOUT) / IDLE) - 1);
    for (const call of keepalives) expect(call).toMatchObject({ method: 'POST', status: 200, counted: true });
    expect(callsTo(log, '/session/status'), 'one status on load (no limits in the page), none since').toHaveLength(1);
    // The server's idle clock restarts at each counted request: it never reached the timeout.
    const counted = log.filter((e) => e.counted).map((e) => e.t);
    counted.push(clocks.serverNow);
    for (let i = 1; i < counted.length; i++) expect(counted[i] - counted[i - 1]).toBeLessThan(s(TIMEOUT));
    expect(await serverStatus(page, mimic.url)).toMatchObject({ status: 'ACTIVE' });
    expect(await elementState(page)).toBe('active');
    expect(await recordedEvents(page, 'session-timeout-warn')).toHaveLength(0);
    expect(new URL(page.url()).pathname).toBe('/');
  });

  forkTest("expiry is detected from the keepalive's 302 (session flushed on the server): the page leaves for timeout-url, with no error event", async ({ page, mimic }) => {
    const clocks = await openMimicPage(page, mimic);
    await clocks.to(s(2));
    await page.locator('#notes').focus();
    await page.keyboard.type('x');
    // The server's clock runs past the timeout behind the page's back: its
    // next non-status request flushes the session and redirects to the login.
    await clocks.jumpServer(s(TIMEOUT + 5));
    await passThrough(clocks, s(IDLE));
    await page.waitForURL(timedOutUrl);

    const log = await serverLog(page, mimic.url);
    const keepalives = callsTo(log, '/session/keepalive');
    expect(keepalives).toHaveLength(1);
    expect(keepalives[0]).toMatchObject({ method: 'POST', status: 302 });
    expect(callsTo(log, '/accounts/logout/')).toHaveLength(1);
  });

  forkTest('the 302 keepalive fires session-timeout-expire and no session-timeout-error', async ({ page, mimic }) => {
    // Same as above, with the expire event canceled so the page stays to be asked.
    await recordEvents(page, ['session-timeout-expire']);
    const clocks = await openMimicPage(page, mimic);
    await clocks.to(s(2));
    await page.locator('#notes').focus();
    await page.keyboard.type('x');
    await clocks.jumpServer(s(TIMEOUT + 5));
    await passThrough(clocks, s(IDLE));
    await expect(page.locator('session-timeout-dialog')).toHaveAttribute('state', 'expired');
    const events = await recordedEvents(page);
    expect(events.filter((e) => e.type === 'session-timeout-error')).toEqual([]);
    expect(events.filter((e) => e.type === 'session-timeout-expire')).toHaveLength(1);
    expect(callsTo(await serverLog(page, mimic.url), '/session/keepalive')[0]).toMatchObject({ status: 302 });
  });

  forkTest('a missing CSRF token on "Stay signed in": 403 HTML page → session-timeout-error 403, the dialog stays open with the error, and the page still leaves at the local deadline', async ({ page, mimic }) => {
    const clocks = await openMimicPage(page, mimic);
    const el = element(page);
    await passThrough(clocks, s(IDLE));
    await expect(el.dialog).toBeVisible();

    await page.context().clearCookies({ name: 'csrftoken' });
    await el.stay.click();
    await clocks.settle();

    const keepalive = callsTo(await serverLog(page, mimic.url), '/session/keepalive');
    expect(keepalive).toHaveLength(1);
    expect(keepalive[0]).toMatchObject({ method: 'POST', status: 403 });
    const errors = await recordedEvents(page, 'session-timeout-error');
    expect(errors).toHaveLength(1);
    expect(errors[0].detail).toMatchObject({ operation: 'keepalive', status: 403 });
    expect(typeof (errors[0].detail as { message: unknown }).message).toBe('string');
    await expect(el.dialog).toBeVisible();
    expect(await dialogOpen(el.dialog)).toBe(true);
    await expect(el.error).toBeVisible();
    await expect(el.error).toContainText('We could not keep you signed in');
    expect(await elementState(page)).toBe('warning');

    // The local deadline holds: the rejected keepalive was the element's own request.
    await clocks.to(s(TIMEOUT) - 500, { step: 5000 });
    expect(new URL(page.url()).pathname).toBe('/');
    await passThrough(clocks, s(TIMEOUT));
    await expect(page, `left for timeout-url at the local deadline (${TIMEOUT} s after the load)`).toHaveURL(timedOutUrl);
  });

  forkTest('{"status": "EXPIRED"} (the session was flushed, the request is anonymous): the page leaves for timeout-url', async ({ page, mimic }) => {
    const clocks = await openMimicPage(page, mimic);
    await clocks.to(s(5));
    // Signed out elsewhere (another device): the server flushed the session.
    const out = await page.request.get(`${mimic.url}/accounts/logout/`);
    expect(out.ok()).toBe(true);
    expect(await serverStatus(page, mimic.url)).toEqual({ status: 'EXPIRED' });

    await passThrough(clocks, s(IDLE));
    await page.waitForURL(timedOutUrl);
    const log = await serverLog(page, mimic.url);
    // Load, the test's own look, the element's check at the idle limit.
    expect(callsTo(log, '/session/status')).toHaveLength(3);
    expect(callsTo(log, '/session/keepalive')).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------
const securityTest = base.extend<{ mimic: Mimic }>({
  // eslint-disable-next-line no-empty-pattern
  mimic: async ({}, use) => {
    const mimic = await startDjangoSessionSecurity({ warnAfter: IDLE, expireAfter: TIMEOUT });
    await use(mimic);
    await mimic.close();
  },
});

const PING = '/session_security/ping/';
const pings = (fetches: FetchRecord[]) => fetches.filter((f) => new URL(f.url).pathname === PING);
const idleForOf = (f: { url: string }) => new URL(f.url).searchParams.get('idleFor');

securityTest.describe('django-session-security', () => {
  securityTest('the page uses protocol="django-session-security" with the ping as status-url', async ({ page, mimic }) => {
    await openMimicPage(page, mimic);
    const host = page.locator('session-timeout-dialog');
    await expect(host).toHaveAttribute('protocol', 'django-session-security');
    await expect(host).toHaveAttribute('status-url', PING);
    expect(await serverLog(page, mimic.url).then((log) => callsTo(log, PING)), 'no ping on load: the limits are attributes').toEqual([]);
  });

  securityTest('pings carry idleFor=N, the whole seconds since the last local activity', async ({ page, mimic }) => {
    const clocks = await openMimicPage(page, mimic);
    await clocks.to(s(5));
    await page.locator('#notes').focus();
    await page.keyboard.type('a');
    const activityAt = clocks.now;

    // The server's idle clock reaches the limit with activity it has not seen: a ping tells it.
    await passThrough(clocks, s(IDLE));
    // Then nobody: the ping at the warning. (Whole seconds on the wire: the
    // server's merged idle time may put the activity up to a second later.)
    await passThrough(clocks, s(5 + IDLE), 1500);
    await expect(element(page).dialog).toBeVisible();

    const sent = pings(await pageFetches(page));
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const ping of sent) {
      expect(idleForOf(ping), `ping at ${ping.t - clocks.start} ms`).toBe(String(Math.floor((ping.t - activityAt) / 1000)));
    }
    // The first one told the server about the typing: its answer is the merged idle time.
    expect(Number(sent[0].body)).toBe(Number(idleForOf(sent[0])));
    const log = callsTo(await serverLog(page, mimic.url), PING);
    expect(log.map((e) => e.search)).toEqual(sent.map((f) => new URL(f.url).search));
  });

  securityTest('a person typing stays signed in: pings with a small idleFor, never "logout", no warning', async ({ page, mimic }) => {
    securityTest.slow(); // many small steps of fake time
    const clocks = await openMimicPage(page, mimic);
    await typeUntil(page, clocks, s(3 * TIMEOUT));
    const sent = pings(await pageFetches(page));
    expect(sent.length).toBeGreaterThanOrEqual(Math.floor((3 * TIMEOUT) / IDLE) - 1);
    for (const ping of sent) {
      expect(Number(idleForOf(ping))).toBeLessThanOrEqual(4);
      expect(ping.status).toBe(200);
      expect(ping.body).not.toBe('"logout"');
      expect(Number(ping.body)).toBeLessThan(TIMEOUT);
    }
    expect(await recordedEvents(page, 'session-timeout-warn')).toHaveLength(0);
    expect(await elementState(page)).toBe('active');
    expect(new URL(page.url()).pathname).toBe('/');
    // Still signed in on the server (a ping without idleFor does not merge anything).
    const answer = await page.request.get(`${mimic.url}${PING}`);
    expect(Number(await answer.text())).toBeLessThan(TIMEOUT);
  });

  securityTest('"logout" from the ping: the page leaves for timeout-url', async ({ page, mimic }) => {
    const clocks = await openMimicPage(page, mimic);
    await clocks.to(s(5));
    const out = await page.request.get(`${mimic.url}/accounts/logout/`);
    expect(out.ok()).toBe(true);
    await passThrough(clocks, s(IDLE));
    await page.waitForURL(timedOutUrl);
    const log = await serverLog(page, mimic.url);
    expect(callsTo(log, PING).length).toBeGreaterThanOrEqual(1);
  });

  securityTest('"Stay signed in" sends the ping with idleFor=0 and closes the dialog', async ({ page, mimic }) => {
    const clocks = await openMimicPage(page, mimic);
    const el = element(page);
    await passThrough(clocks, s(IDLE));
    await expect(el.dialog).toBeVisible();
    const before = pings(await pageFetches(page)).length;
    await el.stay.click();
    await clocks.settle();
    await expect(el.dialog).toBeHidden();
    const after = pings(await pageFetches(page)).slice(before);
    expect(after).toHaveLength(1);
    expect(idleForOf(after[0])).toBe('0');
    expect(after[0].body).toBe('0');
    const extend = await recordedEvents(page, 'session-timeout-extend');
    expect(extend.map((e) => e.detail), 'one session-timeout-extend, from the person').toEqual([{ source: 'user' }]);
  });
});

// ---------------------------------------------------------------------------
referenceTest.describe('absolute lifetime (reference server, SESSION_EXPIRE_SECONDS)', () => {
  const LIFETIME = 50;
  referenceTest.use({ sessionSettings: { idleSeconds: 30, timeoutSeconds: 60, expireSeconds: LIFETIME } });

  referenceTest('the dialog says the session will end regardless, offers no "Stay signed in", and the page leaves at the absolute end even with activity', async ({ page }) => {
    referenceTest.slow(); // many small steps of fake time
    await recordEvents(page);
    await readCdnBuild();
    const clocks = await Clocks.install(page, { step: 1000 });
    await signIn(page);
    await page.goto('/');
    await clocks.alignToPageLoad();
    const el = element(page);

    let i = 0;
    let leftAt: number | null = null;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && new URL(frame.url()).pathname === '/login' && leftAt === null) leftAt = clocks.elapsed;
    });
    // The person keeps moving the mouse, the whole time.
    while (leftAt === null && clocks.elapsed < s(LIFETIME + 5)) {
      if (new URL(page.url()).pathname === '/') {
        await page.mouse.move(50 + (i % 9) * 41, 60 + (i % 4) * 23).catch(() => undefined);
        i++;
      }
      if (clocks.elapsed >= s(LIFETIME - 10) && (await dialogOpen(el.dialog).catch(() => false))) break;
      await clocks.advance(2000, { step: 500 });
    }
    await expect(el.dialog).toBeVisible();
    await expect(el.message).toContainText('Your session will end in');
    await expect(el.stay).toHaveCount(0);
    await expect(el.signout).toBeVisible();

    const log: LogEntry[] = await serverLog(page);
    const firstWarnAt = (await recordedEvents(page, 'session-timeout-warn'))[0].t - clocks.start;
    expect(firstWarnAt).toBeLessThan(s(LIFETIME));

    while (leftAt === null && clocks.elapsed < s(LIFETIME + 5)) {
      await page.mouse.move(50 + (i % 9) * 41, 60 + (i % 4) * 23).catch(() => undefined);
      i++;
      await clocks.advance(500, { step: 250 });
    }
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('timed-out') === '1');
    expect(leftAt).not.toBeNull();
    // expiresIn is whole seconds, floored: the page leaves at most a second early, never late.
    expect(leftAt!).toBeGreaterThanOrEqual(s(LIFETIME - 1.5));
    expect(leftAt!).toBeLessThanOrEqual(s(LIFETIME) + 750);
    expect(callsTo(log, '/session/keepalive').every((e) => e.status === 200)).toBe(true);
    expect(await serverStatus(page)).toEqual({ status: 'EXPIRED' });
  });
});
