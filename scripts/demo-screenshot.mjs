#!/usr/bin/env node
/**
 * docs/demo.png for the README: the demo page with the warning open and the
 * server's log beside it. Runs the demo in-process with the test hooks (a
 * frozen server clock), drives Debian Chromium with a fake browser clock.
 */
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CHROME_FLAGS, findChrome } from './find-chrome.mjs';
import { createApp } from '../demo/server.js';

const out = fileURLToPath(new URL('../docs/demo.png', import.meta.url));
const app = createApp({ idleSeconds: 20, timeoutSeconds: 50, testHooks: true, logger: { error: console.error } });
await app.ready;
const server = createServer(app);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_FLAGS });
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, baseURL: base });
  const page = await context.newPage();
  await page.request.post('/__test/clock', { data: { freeze: true } });
  await page.request.post('/__test/login', { data: { user: 'Ada' } });
  await page.clock.install();
  await page.goto('/');
  await page.locator('textarea').first().fill('Notes for the quarterly report…');
  // The app's own request, then a quiet spell until the warning.
  await page.getByRole('button', { name: /app request/i }).click();
  for (let s = 0; s < 21; s++) {
    await page.request.post('/__test/clock', { data: { advance: 1 } });
    await page.clock.runFor(1000);
  }
  await page.clock.runFor(4000);
  await page.request.post('/__test/clock', { data: { advance: 4 } });
  await page.locator('session-timeout-dialog').evaluate((el) => el.updateComplete);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await app.close?.();
  server.closeAllConnections();
  server.close();
}
