// What a newcomer sees on the demo's protected page: an iframe editor that
// shows it can be typed in (a name, a placeholder, a formatting toolbar that
// works under the strict CSP), and a timeline whose small labels stay clear
// of the warn and end marks, with a summary in correct English plurals; and
// the editor's text kept in a draft over a timeout (keep-drafts).
// Real Chromium against the real demo server; the drafts test runs on the
// fake clocks of helpers/tabs.ts, nothing else here depends on time.
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { signIn } from './helpers/session.js';
import { Harness } from './helpers/tabs.js';

/** Console errors and CSP reports of the page and its frames. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

async function openDemo(page: Page): Promise<void> {
  await signIn(page);
  await page.goto('/');
  await expect(page.locator('session-timeout-dialog')).toHaveAttribute('state', 'active');
}

const placeholder = (text: Locator) => text.evaluate((el) => getComputedStyle(el, '::before').content);

test.describe('the demo page', () => {
  test('the iframe editor has a name, a placeholder and a toolbar whose bold, italic and list format the text', async ({ page }) => {
    const problems = watchProblems(page);
    await openDemo(page);
    const frame = page.frameLocator('#editor');
    const text = frame.getByRole('textbox', { name: 'Notes' });
    await expect(frame.getByText('Notes', { exact: true })).toBeVisible();
    await expect.poll(() => placeholder(text)).toMatch(/^"Type here/);

    const bold = frame.getByRole('button', { name: 'Bold' });
    const italic = frame.getByRole('button', { name: 'Italic' });
    const list = frame.getByRole('button', { name: 'List' });
    await text.click();
    await page.keyboard.type('plain ');
    await bold.click();
    await expect(bold).toHaveAttribute('aria-pressed', 'true');
    await page.keyboard.type('strong');
    await bold.click();
    await italic.click();
    await page.keyboard.type(' slanted');
    await italic.click();
    await page.keyboard.press('Enter');
    await list.click();
    await page.keyboard.type('an item');
    await expect(list).toHaveAttribute('aria-pressed', 'true');

    await expect(text.locator('b')).toHaveText('strong');
    await expect(text.locator('i')).toHaveText(/slanted/);
    await expect(text.locator('li')).toHaveText('an item');
    await expect(text).toBeFocused();
    expect(await placeholder(text), 'no placeholder over the text').toBe('none');
    expect(problems).toEqual([]);
  });

  test('the timeline’s threshold labels keep clear of the warn and end marks at 1×; the summary says “1 page or app request”', async ({ page }) => {
    await page.setViewportSize({ width: 1100, height: 760 });
    await openDemo(page);
    const summary = page.locator('#timeline-summary');
    await expect(summary).toContainText('Server calls in view: 1 (0 status checks, 0 keepalives, 1 page or app request).');

    // The picture is redrawn as time flows: measure one drawing, in one go.
    const boxes = await page.evaluate(() => {
      const svg = document.querySelector('#timeline svg')!;
      const box = (el: Element) => {
        const r = el.getBoundingClientRect();
        return { text: el.textContent || el.getAttribute('class') || '', left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      };
      return {
        labels: [...svg.querySelectorAll('.threshold-label')].map(box),
        marks: [...svg.querySelectorAll('.vmark-warn, .vmark-end')].map(box),
      };
    });
    expect(boxes.labels.map((l) => l.text)).toEqual(['warns at 60 s idle', 'ends at 120 s idle']);
    expect(boxes.marks.length, 'the warn and end marks and their labels are drawn').toBeGreaterThanOrEqual(4);
    for (const b of [...boxes.labels, ...boxes.marks]) expect(b.bottom - b.top, `${b.text} is laid out`).toBeGreaterThan(0);
    for (const label of boxes.labels) {
      for (const mark of boxes.marks) {
        const apart = label.right + 4 <= mark.left || mark.right + 4 <= label.left || label.bottom <= mark.top || mark.bottom <= label.top;
        expect(apart, `"${label.text}" (${label.left}–${label.right}) clear of ${mark.text} (${mark.left}–${mark.right})`).toBe(true);
      }
    }
  });

  test('with keep-drafts, the iframe editor’s text survives a timeout: sealed without the toolbar, back in the editor after signing in again', async ({ context }) => {
    // A whole timeout, step by step, with the live panel running: more than the default 30 s on a busy machine.
    test.setTimeout(180_000);
    const h = await Harness.start(context, { user: 'alice', demoScript: true });
    const tab = await h.open('/', 'A');
    const frame = tab.page.frameLocator('#editor');
    const text = frame.getByRole('textbox', { name: 'Notes' });
    await text.click();
    await tab.page.keyboard.type('Minutes of the meeting');
    // What the demo adds to the draft, read once every listener had its turn.
    const sealed = tab.page.evaluate(
      () =>
        new Promise((resolve) => {
          const read = (event: Event) => queueMicrotask(() => resolve((event as CustomEvent).detail.data.editor));
          document.addEventListener('session-timeout-draft', read, { once: true });
        }),
    );
    const timedOut = /\/login\?timed-out=1$/;
    for (let t = 0; t < 400 && !timedOut.test(tab.page.url()); t += 10) await h.advance(10, { step: 10 });
    await expect(tab.page).toHaveURL(timedOut);
    expect(await sealed, 'the draft holds the editor’s text, not its toolbar').toEqual(['Minutes of the meeting']);

    const again = await h.api.post('/__test/login', { data: { user: 'alice' } });
    expect(again.ok()).toBe(true);
    h.csrfToken = (await again.json()).csrfToken;
    await tab.page.goto('/');
    await expect(text).toHaveText('Minutes of the meeting');
    await expect(frame.getByRole('toolbar', { name: 'Formatting' })).toBeVisible();
    await expect.poll(() => placeholder(text), 'no placeholder over the restored text').toBe('none');
    await expect(tab.page.locator('#event-log [data-kind="draft"]').first()).toContainText('draft restored');
  });
});
