// The unit and component tests in WebKit (WebKitGTK's MiniBrowser) over WebDriver.
// Needs `WebKitWebDriver --port=4444` running on an X display; `npm run test:webkit`
// (scripts/test.mjs --browser webkit) starts both (xvfb-run -a) and stops them after.
import { webdriverLauncher } from '@web/test-runner-webdriver';
import { baseConfig } from './web-test-runner.config.mjs';

const MINIBROWSER =
  process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

export default {
  ...baseConfig,
  // With concurrency 1 the launcher runs each file in the top-level window
  // (SessionManager); above 1 it runs files in iframes, where a modal
  // <dialog> and focus behave differently from a real page.
  concurrency: 1,
  browsers: [
    webdriverLauncher({
      automationProtocol: 'webdriver',
      hostname: 'localhost',
      port: Number(process.env.WEBDRIVER_PORT) || 4444,
      logLevel: 'error',
      capabilities: {
        browserName: 'MiniBrowser',
        'wdio:enforceWebDriverClassic': true,
        'webkitgtk:browserOptions': {
          binary: MINIBROWSER,
          args: ['--automation'],
        },
      },
    }),
  ],
};
