// keep-drafts end to end (WCAG 2.2 SC 2.2.5), against the reference server,
// which sends the person's draftKey in its status and keepalive answers.
// A plain form page is served from the server's origin by a route (with the
// demo's CSP); the session calls, /login and the on-demand drafts module reach
// the real server. Time is fake on both sides (helpers/tabs.ts): a timeout
// costs no real seconds.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { Harness, type Tab } from './helpers/tabs.js';
// @ts-ignore -- plain JS, no types: the policy the demo pages are served with.
import { CSP } from '../../demo/server.js';

const IDLE = 20;
const TIMEOUT = 40;
test.use({ sessionSettings: { idleSeconds: IDLE, timeoutSeconds: TIMEOUT } });
test.describe.configure({ timeout: 120_000 });

const PATH = '/drafts/';
const TIMED_OUT = /\/login\?timed-out=1$/;
const PREFIX = 'session-timeout-draft:';

/** The form page; `token()` is the session's CSRF token for the keepalive. */
function formPage(token: () => string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drafts</title>
<meta name="csrf-token" content="${token()}">
<script type="module" src="/static/session-timeout-dialog.js"></script>
</head><body><main>
<form id="post" method="post" action="/nowhere">
<label>Title <input name="title"></label>
<label>Body <textarea name="body"></textarea></label>
<label>Password <input name="password" type="password"></label>
<label>Card <input name="card" autocomplete="cc-number"></label>
<fieldset data-session-draft="off"><label>Private note <input name="private"></label></fieldset>
<label><input type="checkbox" name="urgent"> Urgent</label>
</form>
</main>
<session-timeout-dialog keep-drafts status-url="/session/status" keepalive-url="/session/keepalive"
  signout-url="/logout" timeout-url="/login?timed-out=1" idle-seconds="${IDLE}" timeout-seconds="${TIMEOUT}"></session-timeout-dialog>
</body></html>`;
}

async function start(context: Parameters<typeof Harness.start>[0], user = 'alice') {
  const h = await Harness.start(context, { user });
  await context.route(`**${PATH}`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: { 'Content-Security-Policy': CSP as string, 'Cache-Control': 'no-store' },
      body: formPage(() => h.csrfToken),
    }),
  );
  // Restore events, per page load.
  await context.addInitScript(() => {
    const w = window as unknown as { __restores: unknown[] };
    w.__restores = [];
    document.addEventListener('session-timeout-restore', (e) => w.__restores.push((e as CustomEvent).detail));
  });
  return h;
}

async function open(h: Harness, name: string): Promise<Tab> {
  const tab = await h.open(PATH, name);
  await expect(tab.element).toHaveAttribute('state', 'active');
  return tab;
}

const field = (page: Page, name: string) => page.locator(`[name="${name}"]`);

interface Typed {
  title: string;
  body: string;
}
const SECRETS = { password: 'hunter2-pw', card: '4111111111111111', private: 'my-private-note' };

async function typeInto(tab: Tab, typed: Typed): Promise<void> {
  const { page } = tab;
  await field(page, 'title').fill(typed.title);
  await field(page, 'body').fill(typed.body);
  await field(page, 'password').fill(SECRETS.password);
  await field(page, 'card').fill(SECRETS.card);
  await field(page, 'private').fill(SECRETS.private);
  await field(page, 'urgent').check();
}

/** Let time run until every tab has left for timeout-url. */
async function timeOut(h: Harness, tabs: Tab[]): Promise<void> {
  for (let t = 0; t < 3 * TIMEOUT && tabs.some((tab) => !TIMED_OUT.test(tab.page.url())); t += 10) {
    await h.advance(10, { step: 10 });
  }
  for (const tab of tabs) await expect(tab.page).toHaveURL(TIMED_OUT);
}

/** Sign in again through the test hook (the context's cookies), as `user`. */
async function signInAgain(h: Harness, user: string): Promise<void> {
  const res = await h.api.post('/__test/login', { data: { user } });
  expect(res.ok()).toBe(true);
  h.csrfToken = (await res.json()).csrfToken;
}

/** Everything this origin keeps in the tab's storage (Web Storage and IndexedDB), as text. */
async function storedText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const parts: string[] = [];
    for (const store of [localStorage, sessionStorage]) {
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i)!;
        parts.push(key, store.getItem(key) ?? '');
      }
    }
    const text = (v: unknown): string => {
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
        const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
        return new TextDecoder('latin1').decode(bytes);
      }
      try {
        return JSON.stringify(v) ?? String(v);
      } catch {
        return String(v);
      }
    };
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(info.name!);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      for (const name of db.objectStoreNames) {
        const all = await new Promise<unknown[]>((resolve, reject) => {
          const req = db.transaction(name).objectStore(name).getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        parts.push(info.name!, name, ...all.map(text));
      }
      db.close();
    }
    return parts.join('\n');
  });
}

const drafts = (page: Page) =>
  page.evaluate((prefix) => Object.keys(sessionStorage).filter((k) => k.startsWith(prefix)), PREFIX);
const announcement = (page: Page) => page.locator('session-timeout-dialog [role="status"]');
const restores = (page: Page) => page.evaluate(() => (window as unknown as { __restores: unknown[] }).__restores.length);

/** Give the page time to open a draft if it were going to (real time: WebCrypto is not on the fake clock). */
async function letItTry(h: Harness, page: Page): Promise<void> {
  await h.settle();
  await page.waitForTimeout(300);
}

test.describe('keep-drafts: work survives the timeout, sealed with the person’s own key', () => {
  test('timeout, then the same person signs in: restored once (never the secrets), announced, then gone', async ({ context }) => {
    const h = await start(context);
    const tab = await open(h, 'A');
    await typeInto(tab, { title: 'Grant proposal', body: 'Three years of field work in Gwynedd' });
    await timeOut(h, [tab]);

    // On the login page: nothing typed anywhere in the tab's storage.
    const stored = await storedText(tab.page);
    expect(stored).toContain(PREFIX);
    for (const typed of ['Grant proposal', 'Gwynedd', SECRETS.password, SECRETS.card, SECRETS.private]) {
      expect(stored, `"${typed}" stored in clear`).not.toContain(typed);
    }

    await signInAgain(h, 'alice');
    await h.clearLog();
    await tab.page.goto(PATH);
    await expect(field(tab.page, 'title')).toHaveValue('Grant proposal');
    await expect(field(tab.page, 'body')).toHaveValue('Three years of field work in Gwynedd');
    await expect(field(tab.page, 'urgent')).toBeChecked();
    for (const name of ['password', 'card', 'private']) await expect(field(tab.page, name)).toHaveValue('');
    await expect(announcement(tab.page)).toHaveText('Your unsaved changes were restored.');
    expect(await restores(tab.page)).toBe(1);
    expect(await drafts(tab.page)).toEqual([]);
    await h.settle();
    expect((await h.serverCalls()).filter((c) => c.op === 'status'), 'one status call on load').toHaveLength(1);

    // Restored once: the next load starts empty, and asks no status on load.
    await h.clearLog();
    await tab.page.reload();
    await letItTry(h, tab.page);
    await expect(field(tab.page, 'title')).toHaveValue('');
    expect(await restores(tab.page)).toBe(0);
    expect((await h.serverCalls()).filter((c) => c.op === 'status'), 'no status call on load').toEqual([]);
  });

  test('another person signs in on that tab: nothing restored, the draft stays sealed; its owner gets it back later', async ({ context }) => {
    const h = await start(context);
    const tab = await open(h, 'A');
    await typeInto(tab, { title: 'Alice’s title', body: 'Alice’s body' });
    await timeOut(h, [tab]);
    const [key] = await drafts(tab.page);
    const sealed = await tab.page.evaluate((k) => sessionStorage.getItem(k), key!);

    await signInAgain(h, 'bob');
    await tab.page.goto(PATH);
    await letItTry(h, tab.page);
    await expect(field(tab.page, 'title')).toHaveValue('');
    await expect(field(tab.page, 'body')).toHaveValue('');
    expect(await restores(tab.page)).toBe(0);
    await expect(announcement(tab.page)).toHaveText('');
    expect(await tab.page.evaluate((k) => sessionStorage.getItem(k), key!)).toBe(sealed);

    await signInAgain(h, 'alice');
    await tab.page.goto(PATH);
    await expect(field(tab.page, 'title')).toHaveValue('Alice’s title');
  });

  test('several tabs: each seals its own page and gets its own draft back', async ({ context }) => {
    const h = await start(context);
    const a = await open(h, 'A');
    const b = await open(h, 'B');
    await typeInto(a, { title: 'Tab A title', body: 'Tab A body' });
    await typeInto(b, { title: 'Tab B title', body: 'Tab B body' });
    await timeOut(h, [a, b]);
    for (const tab of [a, b]) expect(await drafts(tab.page)).toHaveLength(1);

    await signInAgain(h, 'alice');
    await b.page.goto(PATH);
    await expect(field(b.page, 'title')).toHaveValue('Tab B title');
    await a.page.goto(PATH);
    await expect(field(a.page, 'title')).toHaveValue('Tab A title');
    await expect(field(a.page, 'body')).toHaveValue('Tab A body');
    await expect(field(b.page, 'body')).toHaveValue('Tab B body');
  });

  test('a deliberate sign-out keeps nothing', async ({ context }) => {
    const h = await start(context);
    const tab = await open(h, 'A');
    await typeInto(tab, { title: 'Not to be kept', body: 'Signed out on purpose' });
    // Long enough for the server to have handed out the key.
    await h.advance(IDLE + 2, { step: 2 });
    await tab.page.locator('session-timeout-dialog').evaluate((el) => (el as HTMLElement & { signOut(): void }).signOut());
    await expect(tab.page).not.toHaveURL(/\/drafts\//);
    expect(await drafts(tab.page)).toEqual([]);
    expect(await storedText(tab.page)).not.toContain('Not to be kept');
  });
});
