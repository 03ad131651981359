// Languages on demand from the CDN build: a plain page in German loads
// dist/cdn/session-timeout-dialog.js with <script type="module"> under the
// strict policy of the demo (no inline script or style, Trusted Types), and
// the element imports session-timeout-dialog.de.js from beside itself when it
// connects — not when the warning opens — with no violation. A language file
// that cannot be loaded leaves the page working, in English, with one warning.
import { test, expect, type Page } from '@playwright/test';
import { startCdnServer, STRICT_CSP, type CdnServer } from './helpers/cdn-server.js';
import { Clocks } from './helpers/clock.js';
import { element, recordEvents, signIn } from './helpers/session.js';
import { test as demoTest } from './fixtures.js';

const IDLE = 3;
const TIMEOUT = 7;
const DE_FILE = '/static/session-timeout-dialog.de.js';

let server: CdnServer;

test.beforeEach(async () => {
  server = await startCdnServer({ idleSeconds: IDLE, timeoutSeconds: TIMEOUT, lang: 'de', strictCsp: true });
});
test.afterEach(async () => {
  await server.close();
});

/** Records CSP and Trusted Types violations and console warnings of the page. */
async function watch(page: Page) {
  const warnings: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = ((window as unknown as { __violations: string[] }).__violations = []);
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`), true);
  });
  return {
    /** The element's warnings about a language file. */
    languageWarnings: () => warnings.filter((w) => w.startsWith('session-timeout-dialog: could not load')),
    violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
  };
}

async function openGermanPage(page: Page): Promise<Clocks> {
  await recordEvents(page);
  const clocks = await Clocks.install(page, { server: server.url, step: 500 });
  await signIn(page, server.url);
  const response = await page.goto(`${server.url}/`);
  expect(response?.headers()['content-security-policy']).toBe(STRICT_CSP);
  await expect(page.locator('session-timeout-dialog')).toHaveAttribute('state', 'active');
  await clocks.alignToPageLoad();
  return clocks;
}

const served = (path: string) => server.log.filter((e) => e.path === path);
const languageFiles = () => server.log.filter((e) => /^\/static\/session-timeout-dialog\.[a-z]+\.js$/.test(e.path));

test('a German page gets its texts from the module beside the CDN file, loaded on connect, under the strict CSP and Trusted Types', async ({ page }) => {
  const seen = await watch(page);
  const clocks = await openGermanPage(page);
  const el = element(page);

  // Loaded when the element connected, long before the warning; only German.
  await expect.poll(() => served(DE_FILE).map((e) => e.status)).toEqual([200]);
  expect(languageFiles().map((e) => e.path)).toEqual([DE_FILE]);
  await expect(el.dialog).toHaveAttribute('lang', 'de');

  await clocks.to(IDLE * 1000 + 600, { step: 100 });
  await expect(el.dialog).toBeVisible();
  await expect(el.dialog.locator('[part="heading"]')).toHaveText('Sie werden gleich abgemeldet');
  await expect(el.stay).toHaveText('Angemeldet bleiben');
  await expect(el.signout).toHaveText('Abmelden');
  await expect(el.message).toContainText('Zu Ihrer Sicherheit melden wir Sie in');
  await expect(el.countdown).toHaveText(/Sekunden/);
  expect(served(DE_FILE), 'not loaded again when the dialog opened').toHaveLength(1);

  expect(await seen.violations()).toEqual([]);
  expect(seen.languageWarnings()).toEqual([]);
});

test('a language file that cannot be loaded: the page works in English, with one console warning', async ({ page }) => {
  const seen = await watch(page);
  await page.route(`**${DE_FILE}`, (route) => route.abort('connectionrefused'));
  const clocks = await openGermanPage(page);
  const el = element(page);

  await expect.poll(() => seen.languageWarnings()).toHaveLength(1);
  expect(seen.languageWarnings()[0]).toContain('"de"');
  await clocks.to(IDLE * 1000 + 600, { step: 100 });
  await expect(el.dialog).toBeVisible();
  await expect(el.dialog).toHaveAttribute('lang', 'en');
  await expect(el.dialog.locator('[part="heading"]')).toHaveText('You’re about to be signed out');
  await expect(el.stay).toHaveText('Stay signed in');
  await el.stay.click();
  await clocks.settle();
  await expect(el.dialog).toBeHidden();
  expect(server.log.filter((e) => e.path === '/session/keepalive').map((e) => e.status)).toEqual([200]);
  expect(seen.languageWarnings()).toHaveLength(1);
  expect(await seen.violations()).toEqual([]);
});

demoTest('the demo serves the language modules beside the element under its strict CSP; a page switched to French gets French texts', async ({ page }) => {
  const seen = await watch(page);
  const requested: string[] = [];
  page.on('response', (r) => {
    if (/session-timeout-dialog\.[a-z]+\.js$/.test(r.url())) requested.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  await signIn(page);
  const response = await page.goto('/');
  expect(response?.headers()['content-security-policy']).toContain("require-trusted-types-for 'script'");
  const el = element(page);
  await expect(el.dialog).toHaveAttribute('lang', 'en');
  expect(requested, 'an English page loads no language module').toEqual([]);

  await el.host.evaluate((node) => node.setAttribute('lang', 'fr'));
  await expect(el.dialog).toHaveAttribute('lang', 'fr');
  await expect(el.dialog.locator('[part="heading"]')).toHaveText('Votre session va bientôt expirer');
  expect(requested).toEqual(['200 /static/session-timeout-dialog.fr.js']);
  expect(await seen.violations()).toEqual([]);
  expect(seen.languageWarnings()).toEqual([]);

  // Only files of the build: an unknown language is a plain 404, not "not built yet".
  expect((await page.request.get('/static/session-timeout-dialog.xx.js')).status()).toBe(404);
});
