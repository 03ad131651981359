// The unit and component tests in Firefox (Debian's firefox-esr).
// There is no geckodriver here and Playwright cannot drive Debian's Firefox, so
// puppeteer-core (inside @web/test-runner-chrome) drives it over WebDriver BiDi.
import { chromeLauncher } from '@web/test-runner-chrome';
import { baseConfig } from './web-test-runner.config.mjs';

const firefox = chromeLauncher({
  launchOptions: {
    browser: 'firefox',
    executablePath: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr',
    headless: true,
  },
});
// chromeLauncher names itself "Chrome"; say which browser really ran.
firefox.name = 'Firefox';

export default {
  ...baseConfig,
  // One page at a time: Firefox over BiDi is the slowest to start pages, and
  // focus-dependent tests (the dialog) are steadier alone.
  concurrency: Number(process.env.WTR_CONCURRENCY) || 1,
  browsers: [firefox],
};
