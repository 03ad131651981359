#!/usr/bin/env node
// `node scripts/screenshots.mjs`: pictures of the open dialog for the README,
// written to docs/:
//   dialog-light.png, dialog-dark.png, dialog-forced-colors.png, dialog-ar.png, dialog-320.png
//
// The element is bundled from src/ with esbuild (Lit inside) and served, with a
// small page around it, from a made-up origin through Playwright's request
// routing: nothing is written but the PNGs, and no server is started. The
// page's clock is Playwright's fake clock, paused, so the dialog is open at
// exactly "2 minutes" in every picture. Uses the system Chromium (scripts/find-chrome.mjs).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { CHROME_FLAGS, findChrome } from './find-chrome.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'docs');
const ORIGIN = 'http://screenshots.invalid';

const bundle = await build({
  absWorkingDir: root,
  entryPoints: ['src/index.ts'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  write: false,
  logLevel: 'error',
});
const script = bundle.outputFiles[0].text;

/** A plain page that supports light and dark, with the element in it (idle 60 s, timeout 180 s). */
const page = (lang) => `<!doctype html>
<html lang="${lang}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>session-timeout-dialog</title>
<style>
  body { margin: 0; padding: 1.5rem; font: 16px/1.5 system-ui, sans-serif; }
  h1 { margin: 0 0 0.5rem; font-size: 1.5rem; }
  p { margin: 0 0 1rem; max-width: 40rem; }
</style>
<script type="module" src="/session-timeout-dialog.js"></script>
<h1>Tax return 2026</h1>
<p>Fill in each section. Your answers are saved when you press “Save and continue”.</p>
<session-timeout-dialog notice no-tab-sync keepalive-url="/session/keepalive" signout-url="/logout"
  idle-seconds="60" timeout-seconds="180"></session-timeout-dialog>
<p>Section 1 of 6: income from employment, pensions and benefits.</p>
</html>`;

const shots = [
  { file: 'dialog-light.png', lang: 'en', viewport: { width: 640, height: 420 }, colorScheme: 'light' },
  { file: 'dialog-dark.png', lang: 'en', viewport: { width: 640, height: 420 }, colorScheme: 'dark' },
  { file: 'dialog-forced-colors.png', lang: 'en', viewport: { width: 640, height: 420 }, forcedColors: 'active' },
  { file: 'dialog-ar.png', lang: 'ar', viewport: { width: 640, height: 420 }, colorScheme: 'light' },
  { file: 'dialog-320.png', lang: 'cy', viewport: { width: 320, height: 480 }, colorScheme: 'light' },
];

mkdirSync(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_FLAGS, headless: true });
try {
  for (const shot of shots) {
    const context = await browser.newContext({
      viewport: shot.viewport,
      deviceScaleFactor: 1,
      colorScheme: shot.colorScheme ?? 'light',
      forcedColors: shot.forcedColors ?? 'none',
      reducedMotion: 'reduce',
    });
    const tab = await context.newPage();
    const errors = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    tab.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await tab.route(`${ORIGIN}/**`, (route) => {
      const { pathname } = new URL(route.request().url());
      if (pathname === '/session-timeout-dialog.js') {
        return route.fulfill({ contentType: 'text/javascript', body: script });
      }
      if (pathname === '/') return route.fulfill({ contentType: 'text/html', body: page(shot.lang) });
      return route.fulfill({ status: 404, body: '' });
    });
    // A paused fake clock: time moves only by runFor(), so every picture says "2 minutes".
    const start = Date.parse('2026-11-23T09:00:00Z');
    await tab.clock.install({ time: start });
    await tab.clock.pauseAt(start + 1_000);
    await tab.goto(`${ORIGIN}/`);
    await tab.waitForFunction(() => customElements.get('session-timeout-dialog'));
    await tab.clock.runFor(60_000);
    await tab.waitForFunction(() =>
      document.querySelector('session-timeout-dialog')?.shadowRoot?.querySelector('dialog')?.open,
    );
    if (errors.length) throw new Error(`${shot.file}: the page reported errors:\n${errors.join('\n')}`);
    const path = join(outDir, shot.file);
    await tab.screenshot({ path });
    console.log(`wrote ${path.replace(root + '/', '')}`);
    await context.close();
  }
} finally {
  await browser.close();
}
