// End-to-end tests: a real Chromium against the real reference server.
// Each spec starts the server in-process (see test/e2e/fixtures.ts), so there
// is no `webServer` here. Debian's Chromium is driven directly: nothing is
// downloaded (`npx playwright install` is neither needed nor possible).
import { defineConfig } from '@playwright/test';
import { CHROME_FLAGS, findChrome } from './scripts/find-chrome.mjs';

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  // 2 cores: one worker, one browser; tests in a file run in order.
  // PW_WORKERS=2 tries two (each test has its own server and fake clocks).
  workers: Number(process.env.PW_WORKERS) || 1,
  fullyParallel: false,
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
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: findChrome(),
          args: CHROME_FLAGS,
        },
      },
    },
  ],
});
