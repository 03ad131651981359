#!/usr/bin/env node
// `npm test`                 server tests (node --test), the timing properties
//                            (fast-check, Node, scripts/properties.mjs), unit + component tests
//                            (web-test-runner, headless Chromium), end-to-end tests
//                            (Playwright, Chromium, against the reference server).
// `npm run test:firefox`     unit + component tests in Firefox (firefox-esr).
// `npm run test:webkit`      unit + component tests in WebKit (WebKitGTK MiniBrowser
//                            through WebKitWebDriver on a virtual X display).
// Options:  --browser chromium|firefox|webkit
//           --only server,property,unit,component,e2e   (repeatable; `wtr` = unit + component)
//
// The server tests run beside web-test-runner (their output is printed in one
// piece when they end), then the e2e tests run alone. Each part and the whole
// run have a cap against a hang (see PART_CAP_S below).
// Children's output streams as it comes. At the end: a table per part, then as
// the very last line `N passed, N failed` (`, N skipped` when there are some).
// Exit code 1 when a test failed, a part could not run, or no test ran at all.
// A part whose folder holds no test file yet is reported as "no tests" and is
// not a failure by itself.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findChrome } from './find-chrome.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(root, 'test-results');
const CDN_FILE = join(root, 'dist/cdn/session-timeout-dialog.js');
// Caps against a hung child, in seconds. They are sized from CI's real limit,
// not from a typical run: CI gives the whole .ci/run 5400 s, and in it this
// script runs three times (Chromium: every part; Firefox and WebKit: unit +
// component only) beside the system packages, npm ci, the build and the pack
// test. One run of this script stops at TOTAL_TIMEOUT_S = 1200 s, and each
// part at its own cap below, whichever comes first. The worst case, every run
// hung until cut, is 1200 + 600 + 600 = 2400 s, which leaves 3000 s of the 5400 s
// for everything else. Each cap is several times what the part takes on a quiet
// 2-core machine (the summary table shows it), so that a slow, busy machine
// does not trip it and only a hang does.
// TEST_PART_TIMEOUT=s sets every part's cap (and lifts the total, unless
// TEST_TOTAL_TIMEOUT=s sets that too).
const PART_CAP_S = { server: 480, property: 300, wtr: 600, e2e: 900 };
const PART_OVERRIDE_S = Number(process.env.TEST_PART_TIMEOUT) || 0;
const TOTAL_TIMEOUT_S = Number(process.env.TEST_TOTAL_TIMEOUT) || (PART_OVERRIDE_S ? Infinity : 1200);
/** Playwright stops itself this long before its cap, so that its report is still written. */
const E2E_REPORT_MARGIN_S = 30;

const WTR_BIN = join(root, 'node_modules/@web/test-runner/dist/bin.js');
const PLAYWRIGHT_BIN = join(root, 'node_modules/@playwright/test/cli.js');

const ENGINES = {
  chromium: { label: 'Chromium', config: 'web-test-runner.config.mjs' },
  firefox: { label: 'Firefox', config: 'web-test-runner.firefox.config.mjs' },
  webkit: { label: 'WebKit', config: 'web-test-runner.webkit.config.mjs' },
};

// Which files make up each part (kept in step with the wtr and Playwright configs).
const SUITES = {
  server: { dir: 'test/server', match: /\.test\.[cm]?js$/ },
  property: { dir: 'test/property', match: /\.property\.ts$/ },
  unit: { dir: 'test/unit', match: /\.test\.ts$/ },
  component: { dir: 'test/component', match: /\.test\.ts$/ },
  e2e: { dir: 'test/e2e', match: /\.spec\.ts$/ },
};

// ---------------------------------------------------------------- arguments
let args;
try {
  args = parseArgs({
    options: {
      browser: { type: 'string', default: 'chromium' },
      only: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  console.error(`test: ${error.message}`);
  process.exit(2);
}
if (args.help) {
  console.log('usage: node scripts/test.mjs [--browser chromium|firefox|webkit] [--only server|property|unit|component|wtr|e2e]');
  process.exit(0);
}
const browser = args.browser.toLowerCase() === 'chrome' ? 'chromium' : args.browser.toLowerCase();
if (!ENGINES[browser]) {
  console.error(`test: unknown --browser "${args.browser}" (chromium, firefox or webkit)`);
  process.exit(2);
}
const defaultParts = browser === 'chromium' ? ['server', 'property', 'unit', 'component', 'e2e'] : ['unit', 'component'];
let selected = defaultParts;
if (args.only) {
  selected = args.only
    .flatMap((value) => value.split(','))
    .map((value) => value.trim().toLowerCase())
    .flatMap((value) => (value === 'wtr' || value === 'browser' ? ['unit', 'component'] : [value]));
  const unknown = selected.filter((part) => !defaultParts.includes(part));
  if (unknown.length) {
    console.error(`test: --only ${unknown.join(',')} is not part of the ${browser} run (choose from ${defaultParts.join(', ')})`);
    process.exit(2);
  }
}

// ---------------------------------------------------------------- helpers
/** Test files of a suite, relative to the repo root, sorted. */
function testFiles(suite) {
  const { dir, match } = SUITES[suite];
  const found = [];
  const walk = (abs) => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(abs, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (match.test(entry.name)) found.push(relative(root, path));
    }
  };
  walk(join(root, dir));
  return found.sort();
}

const children = new Set();
let stopping = false;
function stopChildren(signal = 'SIGTERM') {
  for (const child of children) {
    try {
      // Children started with `detached` lead their own process group: end the
      // whole group (xvfb-run -> Xvfb, WebKitWebDriver -> MiniBrowser).
      if (child.groupLeader) process.kill(-child.pid, signal);
      else child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    stopChildren(signal);
    setTimeout(() => process.exit(130), 500).unref();
  });
}

const started = performance.now();

/** Seconds a part may run: its cap, and no more than what is left of the total. */
function partTimeout(part) {
  const cap = PART_OVERRIDE_S || PART_CAP_S[part];
  return Math.max(0, Math.min(cap, TOTAL_TIMEOUT_S - seconds(started)));
}

/**
 * Runs a command; resolves { code, signal, timedOut, timeoutS, error }.
 * Output streams as it comes, or, with `buffered` (a part that runs beside
 * another), is kept and printed in one piece when the command ends.
 */
function run(command, commandArgs, { env = {}, timeoutS, buffered = false }) {
  const shown = (arg) => (arg === process.execPath ? 'node' : arg.startsWith(root + '/') ? relative(root, arg) : arg);
  const heading = `\n$ ${[command, ...commandArgs].map(shown).join(' ')}`;
  if (buffered) console.log(`${heading}\n  (running beside the next part; its output follows when it ends)`);
  else console.log(heading);
  const chunks = [];
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd: root,
      stdio: ['ignore', buffered ? 'pipe' : 'inherit', buffered ? 'pipe' : 'inherit'],
      env: { ...process.env, ...env },
      detached: true,
    });
    if (buffered) {
      child.stdout.on('data', (chunk) => chunks.push(chunk));
      child.stderr.on('data', (chunk) => chunks.push(chunk));
    }
    child.groupLeader = true;
    children.add(child);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\ntest: ${[command, commandArgs[0] ?? ''].map(shown).join(' ')} ran past ${Math.round(timeoutS)} s; stopping it`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutS * 1000);
    const done = (result) => {
      clearTimeout(timer);
      children.delete(child);
      if (buffered) {
        console.log(`${heading}  (output of the part that ran beside)`);
        process.stdout.write(Buffer.concat(chunks));
      }
      resolve({ ...result, timedOut, timeoutS });
    };
    child.on('error', (error) => done({ code: null, signal: null, error }));
    // 'close', not 'exit': with piped output, all of it has been read by then.
    child.on(buffered ? 'close' : 'exit', (code, signal) => done({ code, signal }));
  });
}

function exitProblem(result) {
  if (result.error) return `could not start: ${result.error.message}`;
  if (result.timedOut) return `timed out after ${Math.round(result.timeoutS)} s`;
  if (result.signal) return `killed by ${result.signal}`;
  if (result.code !== 0) return `exited with code ${result.code}`;
  return null;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function which(command) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return null;
}

const seconds = (start) => (performance.now() - start) / 1000;

/**
 * One row of the closing table.
 * status: 'ran' | 'no tests' | 'could not run'. A part that could not run, or
 * whose runner failed although no test did, counts one failure, so that the
 * closing line can never read as green for a broken run.
 */
const rows = [];
function report(name, { status = 'ran', passed = 0, failed = 0, skipped = 0, time = 0, note = '' }) {
  if (status === 'could not run' && failed === 0) failed = 1;
  rows.push({ name, status, passed, failed, skipped, time, note });
}

// ---------------------------------------------------------------- parts
/** A part that cannot start because the whole run's time is used up. */
function noTimeLeft(name) {
  console.error(`\ntest: ${name}: no time left of the ${TOTAL_TIMEOUT_S} s for the whole run`);
  report(name, { status: 'could not run', note: 'no time left' });
}

/**
 * A Node test run (node --test, or the properties' runner, which passes its
 * arguments on to it), given its reporters by `commandArgs`, reported from
 * its TAP file: its summary closes with
 * "# pass N", "# fail N", "# cancelled N", "# skipped N", "# todo N".
 */
async function runNodeTests(name, part, commandArgs, { buffered = false, note = '' } = {}) {
  const timeoutS = partTimeout(part);
  if (!timeoutS) return noTimeLeft(name);
  const tap = join(RESULTS, `${part}.tap`);
  rmSync(tap, { force: true });
  const start = performance.now();
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${relative(root, tap)}`];
  const result = await run(process.execPath, commandArgs(reporters), { timeoutS, buffered });
  const time = seconds(start);
  const problem = exitProblem(result);
  let text = '';
  try {
    text = readFileSync(tap, 'utf8');
  } catch {
    return report(name, { status: 'could not run', time, note: problem ?? 'no TAP output' });
  }
  const count = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, 'm'))?.[1] ?? 0);
  let failed = count('fail') + count('cancelled');
  if (problem && failed === 0) failed = 1;
  report(name, { passed: count('pass'), failed, skipped: count('skipped') + count('todo'), time, note: [note, problem].filter(Boolean).join(', ') });
}

/** node --test on test/server; `buffered` when it runs beside web-test-runner. */
async function runServer({ buffered = false } = {}) {
  const name = 'server (node --test)';
  const files = testFiles('server');
  if (!files.length) return report(name, { status: 'no tests' });
  // node --test takes the files after its options.
  await runNodeTests(name, 'server', (reporters) => ['--test', ...reporters, ...files], { buffered, note: buffered ? 'beside wtr' : '' });
}

/**
 * The timing properties (test/property): generated schedules against the
 * real engine in Node, bundled by esbuild (scripts/properties.mjs).
 */
async function runProperty() {
  const name = 'property (Node, fast-check)';
  if (!testFiles('property').length) return report(name, { status: 'no tests' });
  await runNodeTests(name, 'property', (reporters) => [join(root, 'scripts/properties.mjs'), ...reporters]);
}

/** web-test-runner for the selected unit/component folders in one engine. */
async function runWtr() {
  const engine = ENGINES[browser];
  const wanted = ['unit', 'component'].filter((part) => selected.includes(part));
  const withFiles = wanted.filter((part) => testFiles(part).length > 0);
  for (const part of wanted) {
    if (!withFiles.includes(part)) report(`${part} (${engine.label})`, { status: 'no tests' });
  }
  if (!withFiles.length) return;

  const name = withFiles.map((part) => `${part} (${engine.label})`).join(' + ');
  const summaryFile = join(RESULTS, `wtr-${browser}.json`);
  rmSync(summaryFile, { force: true });
  const env = { WTR_SUMMARY_FILE: summaryFile };
  let driver = null;
  let start = performance.now();
  try {
    if (browser === 'chromium') {
      try {
        findChrome();
      } catch (error) {
        console.error(`\ntest: ${error.message}`);
        return report(name, { status: 'could not run', note: 'no Chrome/Chromium' });
      }
    }
    if (browser === 'firefox') {
      const firefox = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
      if (!isExecutable(firefox)) {
        console.error(
          `\ntest: Firefox not found at ${firefox}. Install it (Debian/Ubuntu: \`apt-get install firefox-esr\`) or set FIREFOX_PATH.`,
        );
        return report(name, { status: 'could not run', note: 'no firefox-esr' });
      }
    }
    if (browser === 'webkit') {
      try {
        driver = await startWebKitDriver();
      } catch (error) {
        console.error(`\ntest: ${error.message}`);
        return report(name, { status: 'could not run', note: 'no WebKitWebDriver' });
      }
      env.WEBDRIVER_PORT = String(driver.port);
    }

    const fileArgs =
      withFiles.length === 2 ? [] : ['--files', `${SUITES[withFiles[0]].dir}/**/*.test.ts`];
    const timeoutS = partTimeout('wtr');
    if (!timeoutS) return noTimeLeft(name);
    start = performance.now();
    const result = await run(process.execPath, [WTR_BIN, '--config', engine.config, ...fileArgs], { env, timeoutS });
    const time = seconds(start);
    const problem = exitProblem(result);
    const summary = readJson(summaryFile);
    if (!summary) return report(name, { status: 'could not run', time, note: problem ?? 'no summary written' });

    // One row per folder, from the per-file counts.
    let failureCounted = false;
    for (const part of withFiles) {
      const prefix = `${SUITES[part].dir}/`;
      const sessions = summary.sessions.filter((s) => s.testFile.startsWith(prefix));
      const sum = (key) => sessions.reduce((n, s) => n + s[key], 0);
      let failed = sum('failed');
      // wtr failed (e.g. 404s, a browser crash) yet no test did: count it once.
      if (problem && summary.failed === 0 && !failureCounted) {
        failed = 1;
        failureCounted = true;
      }
      report(`${part} (${engine.label})`, {
        passed: sum('passed'),
        failed,
        skipped: sum('skipped'),
        time,
        note: [withFiles.length > 1 ? 'one wtr run' : '', failed && problem ? problem : ''].filter(Boolean).join(', '),
      });
    }
  } finally {
    if (driver) await driver.stop();
  }
}

async function freePort(preferred) {
  const tryPort = (port) =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const { port: got } = server.address();
        server.close(() => resolve(got));
      });
    });
  return (await tryPort(preferred)) ?? (await tryPort(0));
}

function waitForPort(port, timeoutMs, isAlive) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (!isAlive()) return reject(new Error('WebKitWebDriver exited before it listened'));
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`WebKitWebDriver did not listen on port ${port}`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

/**
 * WebKitWebDriver starts MiniBrowser, which has no headless mode: run the
 * driver under `xvfb-run -a` so the browser gets a virtual display. The driver
 * leads its own process group, so stopping it also ends Xvfb and MiniBrowser.
 */
async function startWebKitDriver() {
  const driverBin = which('WebKitWebDriver');
  const xvfb = which('xvfb-run');
  if (!driverBin || !xvfb) {
    throw new Error(
      `${!driverBin ? 'WebKitWebDriver' : 'xvfb-run'} not found. Install them ` +
        '(Debian/Ubuntu: `apt-get install webkit2gtk-driver xvfb xauth`).',
    );
  }
  const port = await freePort(Number(process.env.WEBDRIVER_PORT) || 4444);
  console.log(`\n$ xvfb-run -a WebKitWebDriver --port=${port}`);
  const child = spawn(xvfb, ['-a', '-s', '-screen 0 1280x1024x24', driverBin, `--port=${port}`], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  child.groupLeader = true;
  children.add(child);
  let alive = true;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => {
    alive = false;
    children.delete(child);
  });
  child.once('error', () => (alive = false));
  const stop = async () => {
    if (!alive) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 3000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForPort(port, 20_000, () => alive);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, stop };
}

/** The CDN bundle the demo serves; build it when missing or older than a source. */
function buildIsStale() {
  if (!existsSync(CDN_FILE)) return 'missing';
  const built = statSync(CDN_FILE).mtimeMs;
  const newest = (dir) => {
    let latest = 0;
    let entries = [];
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true, recursive: true });
    } catch {
      return 0;
    }
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      latest = Math.max(latest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
    }
    return latest;
  };
  const sources = Math.max(newest('src'), statSync(join(root, 'vite.config.ts')).mtimeMs);
  return sources > built ? 'older than src/' : null;
}

async function runE2e() {
  const name = 'e2e (Playwright, Chromium)';
  if (!testFiles('e2e').length) return report(name, { status: 'no tests' });
  try {
    findChrome();
  } catch (error) {
    console.error(`\ntest: ${error.message}`);
    return report(name, { status: 'could not run', note: 'no Chrome/Chromium' });
  }
  const stale = buildIsStale();
  if (stale) {
    console.log(`\ntest: dist/cdn/session-timeout-dialog.js is ${stale}; building first (the e2e tests load it)`);
    const build = await run(process.execPath, [join(root, 'scripts/build.mjs')], { timeoutS: partTimeout('e2e') });
    const problem = exitProblem(build);
    if (problem) return report(name, { status: 'could not run', note: `npm run build ${problem}` });
  }
  const jsonFile = join(RESULTS, 'e2e.json');
  rmSync(jsonFile, { force: true });
  const timeoutS = partTimeout('e2e');
  if (timeoutS <= E2E_REPORT_MARGIN_S) return noTimeLeft(name);
  // Playwright's own global timeout ends the run a little before the cap, so
  // that it still reports which tests passed and which did not finish.
  const env = { PW_JSON: jsonFile, PW_GLOBAL_TIMEOUT_MS: String(Math.round((timeoutS - E2E_REPORT_MARGIN_S) * 1000)) };
  const start = performance.now();
  const result = await run(process.execPath, [PLAYWRIGHT_BIN, 'test'], { env, timeoutS });
  const time = seconds(start);
  const problem = exitProblem(result);
  const json = readJson(jsonFile);
  if (!json?.stats) return report(name, { status: 'could not run', time, note: problem ?? 'no JSON report' });
  const { expected = 0, unexpected = 0, flaky = 0, skipped = 0 } = json.stats;
  let failed = unexpected;
  // Errors outside any test (a spec that fails to import, a global setup that throws).
  if (failed === 0 && (json.errors?.length || problem)) failed = 1;
  report(name, { passed: expected + flaky, failed, skipped, time, note: flaky ? `${flaky} flaky` : (failed && problem) || '' });
}

// ---------------------------------------------------------------- main
mkdirSync(RESULTS, { recursive: true });
const wantsWtr = selected.includes('unit') || selected.includes('component');
if (selected.includes('server') && wantsWtr) {
  // The server tests mostly wait (child processes, sockets, their own fake
  // clocks) while web-test-runner keeps the browser busy: side by side they
  // take about as long as the longer of the two. Each keeps its own time.
  await Promise.all([runServer({ buffered: true }), runWtr()]);
} else {
  if (selected.includes('server')) await runServer();
  if (!stopping && wantsWtr) await runWtr();
}
if (!stopping && selected.includes('property')) await runProperty();
if (!stopping && selected.includes('e2e')) await runE2e();

const total = rows.reduce(
  (sum, row) => ({ passed: sum.passed + row.passed, failed: sum.failed + row.failed, skipped: sum.skipped + row.skipped }),
  { passed: 0, failed: 0, skipped: 0 },
);
const couldNotRun = rows.filter((row) => row.status === 'could not run');

// Table in the order the parts are listed, whatever order they finished in.
const ORDER = ['server', 'property', 'unit', 'component', 'e2e'];
rows.sort((a, b) => ORDER.findIndex((p) => a.name.startsWith(p)) - ORDER.findIndex((p) => b.name.startsWith(p)));
const pad = (value, width) => String(value).padStart(width);
console.log('\n' + '─'.repeat(86));
console.log(`${'part'.padEnd(34)}${pad('passed', 8)}${pad('failed', 8)}${pad('skipped', 9)}${pad('time', 8)}  status`);
for (const row of rows) {
  const status = row.status === 'ran' ? (row.failed ? 'FAILED' : 'ok') : row.status;
  console.log(
    `${row.name.padEnd(34)}${pad(row.passed, 8)}${pad(row.failed, 8)}${pad(row.skipped, 9)}` +
      `${pad(row.time ? `${row.time.toFixed(1)}s` : '-', 8)}  ${status}${row.note ? ` (${row.note})` : ''}`,
  );
}
console.log('─'.repeat(86));
const sideBySide = selected.includes('server') && wantsWtr ? ' (server and wtr side by side)' : '';
console.log(`total time ${seconds(started).toFixed(1)} s${sideBySide}`);
if (total.passed + total.failed === 0) console.log('test: no test ran; that is a failure, not a pass');
if (couldNotRun.length) console.log(`test: could not run: ${couldNotRun.map((row) => row.name).join(', ')}`);

console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exitCode = total.failed > 0 || total.passed + total.failed === 0 || couldNotRun.length ? 1 : 0;
