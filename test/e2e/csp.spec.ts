// Strict CSP: inline scripts and innerHTML are blocked by a strict CSP and
// Trusted Types. The demo serves every page under
//   default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'
// and the element must work there with no violation at all, through a whole
// cycle: load, warning, "Stay signed in", expiry.
import { test, expect } from './fixtures.js';
import { Harness, type Recorded } from './helpers/tabs.js';

test.use({ sessionSettings: { idleSeconds: 60, timeoutSeconds: 120 } });
// Time is fake_ but every step of it is real work for a shared_ busy machine.
test.describe.configure({ timeout: 240_000 });

const REQUIRED: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'require-trusted-types-for': ["'script'"],
};

function directives(header: string | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values);
  }
  return map;
}

function expectStrictPolicy(header: string | undefined, what: string): void {
  const policy = directives(header);
  for (const [name, values] of Object.entries(REQUIRED)) {
    expect(policy.get(name), `${what}: ${name}`).toEqual(values);
  }
}

const violations = (events: Recorded[]) => events.filter((e) => e.type === 'csp-violation');

test.describe('strict CSP and Trusted Types', () => {
  test('every demo page is served under the strict policy, with no inline script, style or handler', async ({ context, request, server }) => {
    const h = await Harness.start(context, { demoScript: true });
    const pages = [
      { path: '/', what: 'the protected page', api: h.api },
      // Without Sec-Fetch-Site (another site's link), GET /logout asks to confirm.
      { path: '/logout', what: 'the sign-out confirmation', api: h.api },
      { path: '/login', what: 'the sign-in page', api: request },
      { path: '/login?timed-out=1', what: 'the timed-out page', api: request },
      { path: '/login?signed-out=1', what: 'the signed-out page', api: request },
      { path: '/no-such-page', what: 'the 404 page', api: request },
    ];
    for (const { path, what, api } of pages) {
      const res = await api.get(path, { maxRedirects: 0 });
      expect(res.headers()['content-type'], what).toMatch(/text\/html/);
      expectStrictPolicy(res.headers()['content-security-policy'], what);
      const body = await res.text();
      expect(body, `${what}: the body is a page`).toMatch(/<html/i);
      expect(body.match(/<script\b(?![^>]*\bsrc=)[^>]*>/gi), `${what}: inline <script>`).toBeNull();
      expect(body.match(/<style\b/gi), `${what}: <style>`).toBeNull();
      expect(body.match(/\sstyle\s*=/gi), `${what}: style attributes`).toBeNull();
      expect(body.match(/\son[a-z]+\s*=/gi), `${what}: inline event handlers`).toBeNull();
      expect(body.match(/(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:/gi), `${what}: javascript: URLs`).toBeNull();
    }
    // The element's own file is served from the same origin (script-src 'self').
    const element = await h.api.get('/static/session-timeout-dialog.js');
    expect(element.status()).toBe(200);
    expect(element.headers()['content-type']).toMatch(/javascript/);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  test('a whole cycle (load, warning, "Stay signed in", expiry) raises no CSP or Trusted Types violation', async ({ context }) => {
    // The whole demo, live panel included: it runs under the same policy.
    const h = await Harness.start(context, { demoScript: true });
    const tab = await h.open();
    const doc = await tab.page.request.get(tab.page.url());
    expectStrictPolicy(doc.headers()['content-security-policy'], 'the protected page');

    // The element runs: its shadow root holds no <style> or style attribute
    // (constructable style sheets only), and the light DOM none either.
    const inline = () =>
      tab.page.evaluate(() => {
        const root = document.querySelector('session-timeout-dialog')!.shadowRoot!;
        return {
          lightScripts: document.querySelectorAll('script:not([src])').length,
          lightStyles: document.querySelectorAll('style, [style]').length,
          shadowStyles: root.querySelectorAll('style, [style]').length,
          adopted: root.adoptedStyleSheets.length,
        };
      });
    expect(await inline()).toMatchObject({ lightScripts: 0, lightStyles: 0, shadowStyles: 0 });
    expect((await inline()).adopted).toBeGreaterThan(0);

    await h.advanceTo(62);
    await expect(tab.dialog).toBeVisible();
    expect(await inline()).toMatchObject({ lightScripts: 0, shadowStyles: 0 });
    await tab.stayButton.click();
    await h.settle();
    await expect(tab.dialog).toBeHidden();
    expect(tab.of('extend')).toHaveLength(1);
    await h.advanceTo(62 + 62);
    await expect(tab.dialog).toBeVisible();
    await h.advanceTo(62 + 121, { step: 2 });
    await tab.page.waitForURL(/\/login\?timed-out=1$/);
    await expect(tab.page.getByText(/signed out because you were inactive/i)).toBeVisible();
    expect(tab.of('expire')).toHaveLength(1);

    expect(violations(tab.events), JSON.stringify(violations(tab.events))).toEqual([]);

    // The listener does hear violations: an inline style and an HTML string
    // are refused on this page and reported.
    await tab.page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'p { color: red }';
      document.head.append(style);
      try {
        document.body.insertAdjacentHTML('beforeend', '<b>x</b>');
      } catch {
        // Trusted Types refuses the string.
      }
    });
    await expect.poll(() => violations(tab.events).map((v) => v.detail.effective).sort()).toEqual([
      'require-trusted-types-for',
      'style-src-elem',
    ]);
  });
});
