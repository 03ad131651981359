// End-to-end tests: a real Chromium against the real reference server.
// Each spec starts the server in-process (see test/e2e/fixtures.ts), so there
// is no `webServer` here. Debian's Chromium is driven directly: nothing is
// downloaded (`npx playwright install` is neither needed nor possible).
import { defineConfig } from '@playwright/test';
import { CHROME_FLAGS, findChrome, PLAYWRIGHT_DISABLE_FEATURES } from './scripts/find-chrome.mjs';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  // Two workers, tests spread over both one by one. Each test has its own
  // reference server, browser context and fake clocks, so tests share
  // nothing. On 2 cores two at a time took 326 s against 379 s for one (the
  // CPU is then saturated: more workers would only contend). PW_WORKERS=1
  // for one.
  workers: Number(process.env.PW_WORKERS) || 2,
  fullyParallel: true,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  // scripts/test.mjs sets this a little under its cap for the e2e part, so
  // that a run cut short still reports; 0 (none) when run directly.
  globalTimeout: Number(process.env.PW_GLOBAL_TIMEOUT_MS) || 0,
  expect: { timeout: 5_000 },
  reporter: [['list'], ['json', { outputFile: process.env.PW_JSON || 'test-results/e2e.json' }]],
  // Playwright empties its outputDir at start: keep it apart from the other
  // reports scripts/test.mjs writes into test-results/.
  outputDir: 'test-results/e2e-artifacts',
  use: {
    // One browser context per worker, reset by Playwright between tests
    // (cookies, cache, storage of the origins visited, routes, bindings, init
    // scripts, the clock, extra pages) instead of a new one per test: a new
    // context costs Chromium a second of CPU or more on a busy 2-core machine.
    // What the reset leaves is harmless here: every test has its own server
    // on its own port, so storage, BroadcastChannel and Web Locks are another
    // origin's, and fixtures.ts puts the network back online after each test.
    reuseContext: true,
    // Recording a trace of every test (to keep those that fail) costs about a
    // quarter of the run: PW_TRACE=1 when a failure needs one.
    trace: process.env.PW_TRACE ? 'retain-on-failure' : 'off',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: findChrome(),
          args: [...CHROME_FLAGS, PLAYWRIGHT_DISABLE_FEATURES],
        },
      },
    },
  ],
});
