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
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
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
