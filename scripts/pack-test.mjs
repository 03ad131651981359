#!/usr/bin/env node
// `npm run test:pack`: does the npm package install clean and work in a fresh app?
//
//   1. npm run build, then npm pack into a temporary folder;
//   2. the tarball's file list: no tests or demo, every `exports` target, source maps that resolve;
//   3. a fresh app outside the repository (test/pack/app) installs the tarball and vite
//      (npm install --prefer-offline: the npm cache, else the registry);
//   4. in that app: importing the package in Node (SSR) does not throw; tsc --noEmit
//      on typed uses (and on the React recipe, examples/react/src) passes; vite build;
//   5. the built app, served by a tiny HTTP server, in Chromium (playwright, page.clock,
//      /session/status answered by a page route): the registering entry defines and
//      upgrades the element and the warning opens after the idle limit; the class entry
//      alone defines nothing; the CDN file from the tarball works from a plain
//      <script type="module">; no console errors.
//
// Every step is bounded in time. The last line is `N passed, N failed`; the exit
// code is 1 when a check failed. The temporary folder is removed at the end
// (KEEP_PACK_TMP=1 keeps it for a look).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { CHROME_FLAGS, findChrome } from './find-chrome.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'test/pack');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const versionOf = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
/** The whole run may not take longer than this (a hung step must not hold CI). */
const TOTAL_TIMEOUT_S = Number(process.env.PACK_TEST_TIMEOUT) || 900;

// ------------------------------------------------------------------ results
const results = [];
const broken = new Set(); // prerequisites that failed: checks needing them fail without running

async function check(name, needs, fn) {
  const missing = needs.filter((need) => broken.has(need));
  if (missing.length) {
    results.push({ name, ok: false });
    console.log(`✘ ${name}: not run (${missing.join(', ')} failed)`);
    return false;
  }
  const started = performance.now();
  try {
    const note = await fn();
    results.push({ name, ok: true });
    const said = typeof note === 'string' && note ? ` - ${note}` : '';
    console.log(`✔ ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)${said}`);
    return true;
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`✘ ${name}: ${error?.message ?? error}`);
    return false;
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// ------------------------------------------------------------------ processes
const children = new Set();

/** Runs a command; resolves { code, out } (stdout + stderr); rejects on timeout or a non-zero exit. */
function run(command, args, { cwd = root, timeoutS = 120, env = {} } = {}) {
  const shown = `${command === process.execPath ? 'node' : command} ${args.join(' ')}`;
  console.log(`\n$ ${shown}    (in ${relative(root, cwd) || '.'})`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: a timeout ends npm and everything it started
    });
    children.add(child);
    let out = '';
    let stdout = '';
    child.stdout.on('data', (d) => ((out += d), (stdout += d)));
    child.stderr.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutS * 1000);
    child.on('error', (error) => {
      clearTimeout(timer);
      children.delete(child);
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (timedOut) return reject(new Error(`${shown} ran past ${timeoutS} s\n${tail(out)}`));
      if (code !== 0) return reject(new Error(`${shown} exited with ${code ?? signal}\n${tail(out)}`));
      resolvePromise({ code, out, stdout });
    });
  });
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

const tail = (text, lines = 25) =>
  text
    .split('\n')
    .filter((line) => !/Unknown (user|env) config/.test(line))
    .slice(-lines)
    .join('\n');

// ------------------------------------------------------------------ static server
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.map': 'application/json', '.css': 'text/css' };

/** Serves `mounts` ({ '/prefix/': dir }) on 127.0.0.1, nothing else (404). */
function serve(mounts) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (!path.startsWith(prefix)) continue;
      const file = resolve(dir, '.' + sep + path.slice(prefix.length));
      if (!file.startsWith(resolve(dir) + sep) || !existsSync(file) || !statSync(file).isFile()) break;
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      return res.end(readFileSync(file));
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  return new Promise((resolvePromise) =>
    server.listen(0, '127.0.0.1', () => resolvePromise({ server, url: `http://127.0.0.1:${server.address().port}` })),
  );
}

// ------------------------------------------------------------------ browser checks
const T0 = Date.UTC(2030, 0, 7, 9, 0, 0);
const IDLE_LIMIT = 20;
const TIMEOUT_LIMIT = 60;

/**
 * Opens `url` on a paused fake clock, with /session/status answered from that
 * clock (idle since the load), and collects console errors.
 */
async function openPage(browser, url) {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  const state = { now: T0 + 1000, loadedAt: T0 + 1000, pending: 0, statusCalls: 0 };
  const answer = (idleTime) => ({
    status: 200,
    contentType: 'application/json',
    headers: { 'Cache-Control': 'no-store' },
    body: JSON.stringify({
      status: idleTime >= TIMEOUT_LIMIT ? 'TIMEOUT' : idleTime >= IDLE_LIMIT ? 'IDLE' : 'ACTIVE',
      idleTime,
      idleLimit: IDLE_LIMIT,
      timeoutLimit: TIMEOUT_LIMIT,
    }),
  });
  await page.route('**/session/status', async (route) => {
    state.pending++;
    state.statusCalls++;
    try {
      await route.fulfill(answer(Math.floor((state.now - state.loadedAt) / 1000)));
    } finally {
      state.pending--;
    }
  });
  await page.route('**/session/keepalive', async (route) => {
    state.pending++;
    try {
      state.loadedAt = state.now;
      await route.fulfill(answer(0));
    } finally {
      state.pending--;
    }
  });
  await page.clock.install({ time: T0 });
  await page.clock.pauseAt(T0 + 1000);
  await page.goto(url);
  /** Advance the page's clock in small steps; after each, let routed requests be answered. */
  const advanceUntil = async (ms, done) => {
    const step = 250;
    for (let elapsed = 0; elapsed < ms; elapsed += step) {
      state.now += step;
      await page.clock.runFor(step);
      for (let i = 0; i < 200 && state.pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
      await page.evaluate(() => new Promise((r) => queueMicrotask(r)));
      if (await done()) return true;
    }
    return false;
  };
  return { context, page, errors, state, advanceUntil };
}

/** Polls in Node (page timers and rAF are fake here). */
async function until(fn, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const elementFacts = (page, tag = 'session-timeout-dialog') =>
  page.evaluate((name) => {
    const el = document.querySelector(name);
    const ctor = customElements.get(name);
    return {
      present: !!el,
      defined: ctor !== undefined,
      upgraded: !!ctor && el instanceof ctor,
      shadow: !!el?.shadowRoot,
      dialogPart: !!el?.shadowRoot?.querySelector('dialog[part~="dialog"]'),
      state: el?.state ?? null,
      open: !!el?.shadowRoot?.querySelector('dialog')?.open,
    };
  }, tag);

/** The element is defined, upgraded, rendered; the warning opens at the idle limit and not before. */
async function behaves(browser, url, { expectWarnEvents = false } = {}) {
  const { context, page, errors, state, advanceUntil } = await openPage(browser, url);
  try {
    const facts = await until(async () => {
      const f = await elementFacts(page);
      return f.dialogPart ? f : null;
    });
    const seen = facts ?? (await elementFacts(page));
    assert(seen.present, 'no <session-timeout-dialog> in the page');
    assert(seen.defined, 'the element is not defined');
    assert(seen.upgraded, 'the element did not upgrade');
    assert(seen.shadow && seen.dialogPart, 'no shadow root with <dialog part="dialog">');
    assert(seen.state === 'active' && !seen.open, `state ${seen.state}, dialog open ${seen.open} right after load`);

    const beforeIdle = await advanceUntil((IDLE_LIMIT - 1) * 1000, async () => (await elementFacts(page)).open);
    assert(!beforeIdle, `the warning opened before the idle limit (${IDLE_LIMIT} s)`);
    const opened = await advanceUntil(5000, async () => (await elementFacts(page)).open);
    const after = await elementFacts(page);
    assert(opened && after.state === 'warning', `no warning within 5 s after the idle limit (state ${after.state}, ${state.statusCalls} status calls)`);
    if (expectWarnEvents) {
      const warnings = await page.evaluate(() => window.__warnings);
      assert(Array.isArray(warnings) && warnings.length === 1, `session-timeout-warn heard ${JSON.stringify(warnings)} times`);
      assert(warnings[0] > 30 && warnings[0] <= TIMEOUT_LIMIT - IDLE_LIMIT, `remainingSeconds ${warnings[0]}`);
    }
    assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    return `warning at ${(state.now - state.loadedAt) / 1000} s, ${state.statusCalls} status calls`;
  } finally {
    await context.close();
  }
}

// ------------------------------------------------------------------ main
const tmp = mkdtempSync(join(tmpdir(), 'session-timeout-dialog-pack-'));
const app = join(tmp, 'app');
let browser;
let http;

async function cleanUp() {
  for (const child of children) killGroup(child);
  await browser?.close().catch(() => {});
  http?.server.closeAllConnections();
  http?.server.close();
  if (process.env.KEEP_PACK_TMP === '1') console.log(`\nkept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

function summary() {
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

const watchdog = setTimeout(async () => {
  console.log(`\npack test: ran past ${TOTAL_TIMEOUT_S} s; stopping`);
  results.push({ name: 'finished in time', ok: false });
  await cleanUp();
  process.exit(summary() || 1);
}, TOTAL_TIMEOUT_S * 1000);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await cleanUp();
    process.exit(130);
  });
}

try {
  console.log(`pack test in ${tmp}`);
  let tarball;
  let packed;

  if (!(await check('npm run build', [], () => run('npm', ['run', 'build'], { timeoutS: 240 })))) broken.add('build');

  const packedOk = await check('npm pack', ['build'], async () => {
    // prepack builds too; the build just ran, so skip it here.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { timeoutS: 60 });
    [packed] = JSON.parse(stdout.slice(stdout.indexOf('[')));
    tarball = join(tmp, packed.filename);
    assert(existsSync(tarball), `no ${tarball}`);
    return `${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked`;
  });
  if (!packedOk) broken.add('npm pack');

  await check('tarball: no tests, demo or tooling; every exports target present', ['npm pack'], () => {
    const files = new Set(packed.files.map((f) => f.path));
    const stray = [...files].filter((f) =>
      /^(test|tests|demo|scripts|examples|bench|docs|\.ci|node_modules|test-results)\//.test(f) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(f),
    );
    assert(!stray.length, `does not belong in the package: ${stray.join(', ')}`);
    const targets = [];
    const walk = (value) => {
      if (typeof value === 'string') targets.push(value.replace(/^\.\//, ''));
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(pkg.exports);
    const missing = targets.filter((t) => !files.has(t));
    assert(!missing.length, `exports point at files not in the tarball: ${missing.join(', ')}`);
    for (const side of pkg.sideEffects) assert(side.includes('*') || files.has(side.replace(/^\.\//, '')), `sideEffects names a missing ${side}`);
  });

  await check('tarball: every source map resolves (sources shipped or inlined)', ['npm pack'], () => {
    const files = new Set(packed.files.map((f) => f.path));
    return run('tar', ['-xzf', tarball, '-C', tmp], { timeoutS: 30 }).then(() => {
      const base = join(tmp, 'package');
      const problems = [];
      for (const file of files) {
        if (!file.endsWith('.map')) continue;
        const map = JSON.parse(readFileSync(join(base, file), 'utf8'));
        map.sources.forEach((source, i) => {
          if (map.sourcesContent?.[i] != null) return;
          const target = relative(base, resolve(dirname(join(base, file)), map.sourceRoot ?? '', source));
          if (!files.has(target)) problems.push(`${file} → ${source}`);
        });
      }
      rmSync(base, { recursive: true, force: true });
      assert(!problems.length, `maps point at missing sources: ${problems.slice(0, 5).join(', ')}`);
    });
  });

  const installed = await check('fresh app: npm install <tarball> vite', ['npm pack'], async () => {
    cpSync(join(fixtures, 'app'), app, { recursive: true });
    // The React recipe is type-checked against the packed typings too.
    cpSync(join(root, 'examples/react/src'), join(app, 'examples-react'), { recursive: true });
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        tarball,
        `vite@${versionOf('vite')}`,
        `@types/react@${versionOf('@types/react')}`,
        `@types/react-dom@${versionOf('@types/react-dom')}`,
      ],
      { cwd: app, timeoutS: 300 },
    );
    const got = JSON.parse(readFileSync(join(app, 'node_modules/session-timeout-dialog/package.json'), 'utf8'));
    assert(got.version === pkg.version, `installed ${got.version}`);
    assert(existsSync(join(app, 'node_modules/lit/package.json')), 'lit (a dependency) was not installed');
    return `lit ${JSON.parse(readFileSync(join(app, 'node_modules/lit/package.json'), 'utf8')).version}`;
  });
  if (!installed) broken.add('npm install');

  await check('Node (SSR): importing the package, the class entry and ./server does not throw', ['npm install'], async () => {
    const script = `
      const main = await import('session-timeout-dialog');
      const cls = await import('session-timeout-dialog/session-timeout-dialog.js');
      const server = await import('session-timeout-dialog/server');
      const manifest = await import('session-timeout-dialog/custom-elements.json', { with: { type: 'json' } });
      console.log(JSON.stringify({
        main: typeof main.SessionTimeoutDialog, same: main.SessionTimeoutDialog === cls.SessionTimeoutDialog,
        events: typeof main.SessionTimeoutWarnEvent, server: typeof server.sessionTimeout,
        manifest: Array.isArray(manifest.default.modules),
      }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, timeoutS: 30 });
    const got = JSON.parse(stdout.trim().split('\n').pop());
    assert(got.main === 'function' && got.same, `exports ${JSON.stringify(got)}`);
    assert(got.events === 'function' && got.server === 'function' && got.manifest, `exports ${JSON.stringify(got)}`);
  });

  await check('types: tsc --noEmit on typed uses, the React 19 JSX typings and examples/react', ['npm install'], () =>
    run(join(root, 'node_modules/.bin/tsc'), ['-p', join(app, 'tsconfig.json')], { cwd: app, timeoutS: 120 }),
  );

  const built = await check('fresh app: vite build', ['npm install'], async () => {
    const { out } = await run(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: app, timeoutS: 120 });
    assert(existsSync(join(app, 'dist/index.html')) && existsSync(join(app, 'dist/class-only.html')), 'no dist/*.html');
    const warnings = out.split('\n').filter((line) => /warn|sourcemap|missing/i.test(line) && !/Unknown (user|env) config/.test(line));
    assert(!warnings.length, `vite warned:\n${warnings.join('\n')}`);
  });
  if (!built) broken.add('vite build');

  const browserOk = await check('Chromium starts', ['vite build'], async () => {
    http = await serve({
      '/cdn/': join(app, 'node_modules/session-timeout-dialog/dist/cdn'),
      '/pages/': join(fixtures, 'static'),
      '/': join(app, 'dist'),
    });
    browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_FLAGS, timeout: 30_000 });
  });
  if (!browserOk) broken.add('Chromium');

  await check('browser, `import "session-timeout-dialog"` (vite build): defined, upgraded, shadow root; warns after idle', ['Chromium'], () =>
    behaves(browser, `${http.url}/index.html`, { expectWarnEvents: true }),
  );

  await check('browser, class entry alone: defines nothing (side-effect free)', ['Chromium'], async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await page.goto(`${http.url}/class-only.html`);
      const got = await until(() => page.evaluate(() => window.__classOnly));
      assert(got?.isClass, `the class entry exported ${JSON.stringify(got)}`);
      assert(got.definedAfterImport === false, 'importing the class entry defined <session-timeout-dialog>');
      const facts = await elementFacts(page);
      assert(!facts.defined && !facts.shadow, 'the element was defined or upgraded');
      const subclass = await page.evaluate(() => !!customElements.get('my-session-timeout'));
      assert(subclass, 'the app could not register the class under its own name');
      assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    } finally {
      await context.close();
    }
  });

  await check('browser, CDN file from the tarball with <script type="module">: defined, upgraded; warns after idle', ['Chromium'], () =>
    behaves(browser, `${http.url}/pages/cdn.html`),
  );
} catch (error) {
  results.push({ name: 'pack test ran to the end', ok: false });
  console.log(`✘ pack test crashed: ${error?.stack ?? error}`);
} finally {
  await cleanUp();
}
process.exitCode = summary();
