// What a newcomer sees on the demo's protected page: an iframe editor that
// shows it can be typed in (a name, a placeholder, a formatting toolbar that
// works under the strict CSP), and a timeline whose small labels stay clear
// of the warn and end marks, with a summary in correct English plurals.
// Real Chromium against the real demo server; nothing here depends on time.
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { signIn } from './helpers/session.js';

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
});
