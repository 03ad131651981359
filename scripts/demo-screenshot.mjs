#!/usr/bin/env node
/**
 * docs/demo.png for the README: the demo page with its live timeline and the
 * warning open. Also docs/demo-timeline.png (the timeline just after signing
 * in, when the end mark is near the right edge) and docs/demo-editor.png (the
 * iframe editor with its toolbar, after some typing). Runs the demo in-process with the test hooks (a frozen server
 * clock moved in step with the page's), drives Debian Chromium with a fake
 * browser clock, and plays a short session: typing, a keepalive, more typing,
 * an app request, then a quiet spell until the warning.
 *
 *   node scripts/demo-screenshot.mjs   (after npm run build)
 */
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CHROME_FLAGS, findChrome } from './find-chrome.mjs';
import { createApp } from '../demo/server.js';

const out = fileURLToPath(new URL('../docs/demo.png', import.meta.url));
const timelineOut = fileURLToPath(new URL('../docs/demo-timeline.png', import.meta.url));
const editorOut = fileURLToPath(new URL('../docs/demo-editor.png', import.meta.url));
const app = createApp({ idleSeconds: 20, timeoutSeconds: 50, testHooks: true, logger: { error: console.error } });
await app.ready;
const server = createServer(app);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_FLAGS });
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, baseURL: base, colorScheme: 'light' });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`[page] ${m.text()}`);
  });
  // One time for both: the server's clock stopped, the page's installed at
  // the same instant and paused, then moved only together (seconds() below).
  const { now: t0 } = await (await page.request.post('/__test/clock', { data: { freeze: true } })).json();
  await page.request.post('/__test/login', { data: { user: 'Ada' } });
  await page.clock.install({ time: t0 });
  await page.clock.pauseAt(t0 + 1000);
  await page.request.post('/__test/clock', { data: { set: t0 + 1000 } });
  await page.goto('/');
  await page.locator('#timeline svg').waitFor();
  await page.clock.runFor(250);
  await page.locator('.timeline-card').screenshot({ path: timelineOut });
  console.log(`wrote ${timelineOut}`);

  /** Both clocks move together, one second at a time (so timers and requests interleave). */
  const seconds = async (n, each) => {
    for (let s = 0; s < n; s++) {
      await each?.(s);
      await page.request.post('/__test/clock', { data: { advance: 1 } });
      await page.clock.runFor(1000);
    }
  };
  const words = 'Notes for the quarterly report: revenue up, costs flat, hiring on track. '.split(/(?<= )/);
  const notes = page.locator('#notes');
  await notes.click();
  // Type for 10 s (local activity; the server sees nothing of it)…
  await seconds(10, (s) => page.keyboard.type(words[s % words.length]));
  // …the element's keepalive comes when the server's idle clock reaches 20 s.
  await seconds(18);
  // Type again, then an app request of the page's own.
  await seconds(8, (s) => page.keyboard.type(words[(s + 10) % words.length]));
  await seconds(6);
  await page.locator('#app-request').click();
  // Quiet until the warning, and a few seconds into it.
  await seconds(25);
  await page.locator('session-timeout-dialog').evaluate((el) => el.updateComplete);
  // Let the panel catch the last pushes, then one redraw at the top of the page.
  await page.waitForTimeout(300);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.clock.runFor(250);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);

  // The iframe editor, in a session of its own: a line, a bold word, a list.
  const other = await browser.newContext({ viewport: { width: 1100, height: 900 }, baseURL: base, colorScheme: 'light' });
  await other.request.post('/__test/login', { data: { user: 'Grace' } });
  const editorPage = await other.newPage();
  await editorPage.goto('/');
  const frame = editorPage.frameLocator('#editor');
  await frame.locator('#notes').click();
  await editorPage.keyboard.type('Agenda for Monday: ');
  await frame.getByRole('button', { name: 'Bold' }).click();
  await editorPage.keyboard.type('budget');
  await frame.getByRole('button', { name: 'Bold' }).click();
  await editorPage.keyboard.press('Enter');
  await frame.getByRole('button', { name: 'List' }).click();
  await editorPage.keyboard.type('hiring plan');
  await editorPage.keyboard.press('Enter');
  await editorPage.keyboard.type('office move');
  const label = await editorPage.locator('#editor').evaluate((el) => {
    const from = el.previousElementSibling.getBoundingClientRect();
    const to = document.getElementById('editor-hint').getBoundingClientRect();
    return { x: from.left - 12, y: from.top - 8 + window.scrollY, width: from.width + 24, height: to.bottom - from.top + 16 };
  });
  await editorPage.screenshot({ path: editorOut, clip: label, fullPage: true });
  console.log(`wrote ${editorOut}`);
  await other.close();
} finally {
  await browser.close();
  await app.close?.();
  server.closeAllConnections();
  server.close();
}
