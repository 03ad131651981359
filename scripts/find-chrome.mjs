// Finds a Chrome/Chromium binary for web-test-runner and Playwright.
// Nothing is ever downloaded: the tests drive the browser the system provides.
import { accessSync, constants, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Where Debian, Ubuntu and Google's packages put the binary. */
export const CHROME_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/**
 * Flags for running Chromium in CI and containers. `--no-sandbox` because CI
 * runs as root; the background-networking family because otherwise Chromium
 * keeps dialling Google services that cannot be reached here and floods the
 * log with refused connections.
 */
export const CHROME_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * For Playwright's Chromium only: its own `--disable-features` list (as in
 * the Playwright version the lockfile pins) plus the address bar's popup,
 * which Chromium's new headless mode builds as a WebUI page (a renderer
 * process of its own) in every browser context. The end-to-end tests open a
 * context per test and never show an address bar: without the popup a new
 * context and page costs about 30% less CPU. Chromium keeps only the last
 * `--disable-features` it is given, hence Playwright's list repeated here.
 */
export const PLAYWRIGHT_DISABLE_FEATURES =
  '--disable-features=' +
  [
    'AimEnabled', 'AvoidCorsURLLoaderRestartOnRedirect', 'AvoidUnnecessaryBeforeUnloadCheckSync',
    'DestroyProfileOnBrowserClose', 'HttpsFirstBalancedModeAutoEnable', 'HttpsUpgrades', 'LensOverlay',
    'MediaRouter', 'NetworkTimeServiceQuerying', 'OptimizationHints', 'PaintHolding', 'PreconnectToSearch',
    'TcpPortRandomizationWin', 'ThirdPartyStoragePartitioning',
    'WebUIOmniboxPopup', 'WebUIOmniboxFullPopup', 'WebUIOmniboxAimPopup',
  ].join(',');

function isExecutableFile(path) {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * @returns {string} the path of a Chrome/Chromium executable:
 *   `CHROME_PATH` when it names an executable, else the first of CHROME_CANDIDATES that exists.
 * @throws {Error} saying what to install when there is none.
 */
export function findChrome() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (isExecutableFile(fromEnv)) return fromEnv;
    console.warn(
      `find-chrome: CHROME_PATH="${fromEnv}" is not an executable file; looking for a system Chromium instead.`,
    );
  }
  const found = CHROME_CANDIDATES.find(isExecutableFile);
  if (found) return found;
  throw new Error(
    'No Chrome or Chromium found (looked at ' +
      CHROME_CANDIDATES.join(', ') +
      '). Install Chromium - on Debian/Ubuntu: `sudo apt-get install chromium` - ' +
      'or set CHROME_PATH to the path of a Chrome/Chromium binary.',
  );
}

// `node scripts/find-chrome.mjs` prints the path (handy in shell scripts).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    console.log(findChrome());
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
