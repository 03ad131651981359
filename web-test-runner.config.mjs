// web-test-runner: unit and component tests in headless Chromium.
// `npm test` runs it through scripts/test.mjs; `npx wtr` works on its own too.
// Firefox and WebKit configs reuse everything here except the browser.
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { CHROME_FLAGS, findChrome } from './scripts/find-chrome.mjs';
import { summaryReporter } from './scripts/wtr-summary-reporter.mjs';

export const testFiles = ['test/unit/**/*.test.ts', 'test/component/**/*.test.ts'];

/**
 * Pages of one browser run side by side (concurrency 2), and only one of them
 * can hold the real focus: `document.hasFocus()`, focus events and
 * `:focus-visible` then depend on which file happened to start last. Focus
 * emulation (what Playwright does for every page) makes each page behave as
 * the focused one.
 */
async function createFocusedPage({ context }) {
  const page = await context.newPage();
  const cdp = await page.createCDPSession();
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: true });
  return page;
}

/** Everything but the browsers; shared by the Firefox and WebKit configs. */
export const baseConfig = {
  files: testFiles,
  nodeResolve: true,
  plugins: [
    // Without the tsconfig, esbuild ignores experimentalDecorators and
    // useDefineForClassFields:false, and every file with a Lit element fails to import.
    esbuildPlugin({ ts: true, tsconfig: './tsconfig.json' }),
  ],
  testFramework: {
    config: { ui: 'bdd', timeout: 5000 },
  },
  // Each test file gets its own page; two at a time suits a 2-core machine.
  concurrency: Number(process.env.WTR_CONCURRENCY) || 2,
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 180_000,
  // Lit says so once per test file; keep every other browser log.
  filterBrowserLogs: ({ args }) => !(typeof args[0] === 'string' && args[0].startsWith('Lit is in dev mode')),
  reporters: [defaultReporter(), summaryReporter()],
};

export default {
  ...baseConfig,
  // A getter, so that the Firefox and WebKit configs, which import baseConfig
  // from this file, do not need a Chromium to be installed.
  get browsers() {
    return [
      chromeLauncher({
        launchOptions: {
          // CHROME_PATH overrides; a clear "install chromium" error otherwise.
          executablePath: findChrome(),
          headless: true,
          args: CHROME_FLAGS,
        },
        createPage: createFocusedPage,
      }),
    ];
  },
};
