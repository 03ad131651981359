// The framework recipes in examples/, each run end to end in Chromium against
// the reference server: plain HTML (script tag), Django template, React 19 and
// Vue 3. The recipe's files are served unchanged from the server's origin by
// page routes (with the demo's strict CSP), so /session/status, /session/keepalive,
// /login and /logout reach the real server. React and Vue are bundled with
// esbuild in memory, importing `session-timeout-dialog` through the package's
// `exports` (dist/, as an app would get it; `npm test` builds it first).
// Time is fake on both sides (helpers/clock.ts): nothing waits real seconds.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { build, type Plugin } from 'esbuild';
import { parse, compileScript } from 'vue/compiler-sfc';
import { test, expect } from './fixtures.js';
import { Clocks } from './helpers/clock.js';
import { callsTo, serverLog, signIn } from './helpers/session.js';
// @ts-ignore -- plain JS, no types: the policy the demo pages are served with.
import { CSP } from '../../demo/server.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const examples = join(root, 'examples');
const IDLE = 30;
const TIMEOUT = 60;
const s = (seconds: number) => seconds * 1000;

test.use({ sessionSettings: { idleSeconds: IDLE, timeoutSeconds: TIMEOUT } });

// ------------------------------------------------------------------ bundling
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { default?: string }>;
};

/** `session-timeout-dialog[/sub]` → the file its `exports` names (as a bundler resolves the installed package). */
const thePackage: Plugin = {
  name: 'session-timeout-dialog',
  setup(b) {
    b.onResolve({ filter: /^session-timeout-dialog(\/.*)?$/ }, (args) => {
      const entry = pkg.exports[`.${args.path.slice('session-timeout-dialog'.length)}`];
      const target = typeof entry === 'string' ? entry : entry?.default;
      if (!target) return { errors: [{ text: `package.json exports has no runtime entry for ${args.path}` }] };
      const file = join(root, target);
      if (!existsSync(file)) return { errors: [{ text: `${target} is missing: run npm run build` }] };
      return { path: file };
    });
  },
};

/** What examples/vue/vite.config.js gives @vitejs/plugin-vue (checked below to stay the same). */
const VUE_COMPILER_OPTIONS = { isCustomElement: (tag: string) => tag === 'session-timeout-dialog' };

/** Single-file components, compiled the way @vitejs/plugin-vue does (script setup, inline template). */
const vueSfc: Plugin = {
  name: 'vue-sfc',
  setup(b) {
    b.onLoad({ filter: /\.vue$/ }, (args) => {
      // The template is parsed here already: the element/component decision needs the options too.
      const { descriptor, errors } = parse(readFileSync(args.path, 'utf8'), {
        filename: args.path,
        templateParseOptions: VUE_COMPILER_OPTIONS,
      });
      if (errors.length) return { errors: errors.map((e) => ({ text: String(e) })) };
      const script = compileScript(descriptor, {
        id: 'recipe',
        inlineTemplate: true,
        templateOptions: { compilerOptions: VUE_COMPILER_OPTIONS },
      });
      return { contents: script.content, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

async function bundle(entry: string, plugins: Plugin[]): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    // Development builds: React and Vue then report misuse on the console.
    define: {
      'process.env.NODE_ENV': '"development"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    plugins,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

// ------------------------------------------------------------------ serving
const html = (body: string) => ({
  status: 200,
  contentType: 'text/html; charset=utf-8',
  headers: { 'Content-Security-Policy': CSP as string, 'Cache-Control': 'no-store' },
  body,
});

/** Serve a recipe page at `path` (and its bundle at `scripts`) from the server's origin. */
async function serveRecipe(page: Page, baseURL: string, path: string, body: string, scripts: Record<string, string> = {}) {
  await page.route(`${baseURL}${path}`, (route) => route.fulfill(html(body)));
  for (const [scriptPath, code] of Object.entries(scripts)) {
    await page.route(`${baseURL}${scriptPath}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', headers: { 'Cache-Control': 'no-store' }, body: code }),
    );
  }
}

/** Console errors, uncaught exceptions and Vue warnings of the page. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || (msg.type() === 'warning' && msg.text().includes('[Vue warn]'))) problems.push(msg.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

// ------------------------------------------------------------------ steps
const host = (page: Page) => page.locator('session-timeout-dialog');
/** The app's own status line (the element's shadow root has a live region of its own). */
const appStatus = (page: Page) => page.locator('css:light=main > p[role="status"]');
const dialog = (page: Page) => page.locator('session-timeout-dialog dialog[part~="dialog"]');

/** Sign in, open the recipe on paused clocks, wait until the element is up. */
async function open(page: Page, path: string): Promise<Clocks> {
  const clocks = await Clocks.install(page, { step: 1000 });
  await signIn(page);
  await page.goto(path);
  await expect(host(page)).toHaveAttribute('state', 'active');
  await expect(dialog(page)).toBeAttached();
  await clocks.alignToPageLoad();
  return clocks;
}

/** Run both clocks to `at` ms after the load: big steps, then quarter seconds around it. */
async function runTo(clocks: Clocks, at: number): Promise<void> {
  if (clocks.elapsed < at - 2000) await clocks.to(at - 2000, { step: 5000 });
  await clocks.to(at, { step: 250 });
}

/** No warning before the idle limit; the native dialog opens right after it. */
async function warnsAfterIdle(page: Page, clocks: Clocks, since = 0): Promise<void> {
  await runTo(clocks, since + s(IDLE) - 1000);
  await expect(dialog(page)).not.toBeVisible();
  await runTo(clocks, since + s(IDLE) + 1500);
  await expect(dialog(page)).toBeVisible();
  await expect(host(page)).toHaveAttribute('state', 'warning');
  expect(await dialog(page).evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
}

/** The app's "Sign in again" link passes the sign-out view (ends the session), then the sign-in page says why. */
async function signsInAgainThroughSignOut(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Sign in again' }).click();
  await expect(page).toHaveURL(/\/login\?timed-out=1$/);
  await expect(page.getByText('You were signed out because you were inactive')).toBeVisible();
  expect(callsTo(await serverLog(page), '/logout', 'GET').map((e) => e.status)).toEqual([303]);
}

// ------------------------------------------------------------------ tests
test.describe('framework recipes (examples/)', () => {
  test('plain HTML: the script tag defines the element; warning after idle, then the page leaves for timeout-url', async ({ page, baseURL }) => {
    const problems = watchConsole(page);
    await serveRecipe(page, baseURL!, '/recipes/plain-html/', readFileSync(join(examples, 'plain-html/index.html'), 'utf8'));
    const clocks = await open(page, '/recipes/plain-html/');
    await warnsAfterIdle(page, clocks);

    await runTo(clocks, s(TIMEOUT) + 1500);
    await expect(page).toHaveURL(/\/login\?timed-out=1$/);
    // timeout-url is a sign-out view (it ends the session by itself), not the
    // sign-in page that only the demo server signs out from.
    expect(callsTo(await serverLog(page), '/logout', 'GET').map((e) => e.status)).toEqual([303]);
    expect(problems).toEqual([]);
  });

  test('Django template: {% static %}, {% url %} and the CSRF meta; "Stay signed in" keeps the session (CSRF accepted)', async ({ page, baseURL }) => {
    const problems = watchConsole(page);
    // A stand-in for Django's template engine: just the tags base.html uses.
    const urls: Record<string, string> = {
      'session_timeout:status': '/session/status',
      'session_timeout:keepalive': '/session/keepalive',
      signout: '/logout',
    };
    let token = '';
    const render = (template: string) =>
      template
        .replace(/\{#[^]*?#\}/g, '')
        .replace(/\{% load static %\}/g, '')
        .replace(/\{% static '([^']+)' %\}/g, '/static/$1')
        .replace(/\{% url '([^']+)' %\}/g, (_, name: string) => urls[name] ?? `/unknown-url-${name}`)
        .replace(/\{\{ csrf_token \}\}/g, () => token)
        .replace(/\{% (block \w+|endblock|if user\.is_authenticated|endif) %\}/g, '');
    const template = readFileSync(join(examples, 'django/base.html'), 'utf8');
    await page.route(`${baseURL}/recipes/django/`, (route) => route.fulfill(html(render(template))));

    const clocks = await Clocks.install(page, { step: 1000 });
    token = await signIn(page);
    const page0 = render(template);
    expect(page0, 'every template tag is one base.html is known to use').not.toMatch(/\{[%{#]|unknown-url/);
    await page.goto('/recipes/django/');
    await expect(host(page)).toHaveAttribute('state', 'active');
    await expect(page.locator('meta[name="csrf-token"]')).toHaveAttribute('content', token);
    await clocks.alignToPageLoad();

    await warnsAfterIdle(page, clocks);
    await page.locator('session-timeout-dialog [part~="stay-button"]').click();
    await clocks.advance(500, { step: 250 });
    await expect(dialog(page)).not.toBeVisible();
    await expect(host(page)).toHaveAttribute('state', 'active');
    const keepalives = callsTo(await serverLog(page), '/session/keepalive', 'POST');
    expect(keepalives.map((k) => k.status)).toEqual([200]);
    expect(problems).toEqual([]);
  });

  test('React 19: attributes, a method through the ref, and on<event> props that change React state', async ({ page, baseURL }) => {
    const problems = watchConsole(page);
    const code = await bundle(join(examples, 'react/src/main.tsx'), [thePackage]);
    await serveRecipe(page, baseURL!, '/recipes/react/', readFileSync(join(examples, 'react/index.html'), 'utf8'), { '/src/main.tsx': code });
    const clocks = await open(page, '/recipes/react/');
    const status = appStatus(page);
    await expect(status).toHaveText('Signed in.');
    // React set the kebab-case props as attributes (they are not properties of the element).
    await expect(host(page)).toHaveAttribute('status-url', '/session/status');

    // A method through the ref: extend() → keepalive → session-timeout-extend → React state.
    await clocks.advance(s(5), { step: 1000 });
    await page.getByRole('button', { name: "I'm still here" }).click();
    await clocks.advance(500, { step: 250 });
    await expect(status).toHaveText(/^Still signed in \((user|activity)\)\.$/);
    expect(callsTo(await serverLog(page), '/session/keepalive', 'POST')).toHaveLength(1);

    // onsession-timeout-warn: the detail reaches React.
    await warnsAfterIdle(page, clocks, s(5));
    await expect(status).toHaveText(/^\d+ seconds left\.$/);
    const left = Number((await status.textContent())!.split(' ')[0]);
    expect(left).toBeGreaterThan(TIMEOUT - IDLE - 3);
    expect(left).toBeLessThanOrEqual(TIMEOUT - IDLE);

    // onsession-timeout-expire with preventDefault(): the app stays and clears its own screen.
    await runTo(clocks, s(5) + s(TIMEOUT) + 1500);
    await expect(page.getByRole('alert')).toHaveText(/Your session has ended\./);
    await expect(page).toHaveURL(/\/recipes\/react\/$/);
    await expect(host(page)).toHaveCount(0);
    await signsInAgainThroughSignOut(page);
    expect(problems).toEqual([]);
  });

  test('Vue 3: isCustomElement, @session-timeout-* listeners that change Vue state', async ({ page, baseURL }) => {
    const config = readFileSync(join(examples, 'vue/vite.config.js'), 'utf8');
    expect(config, 'the test compiles App.vue with the same compilerOptions as the recipe').toContain(
      "isCustomElement: (tag) => tag === 'session-timeout-dialog'",
    );
    const problems = watchConsole(page);
    const code = await bundle(join(examples, 'vue/src/main.js'), [thePackage, vueSfc]);
    await serveRecipe(page, baseURL!, '/recipes/vue/', readFileSync(join(examples, 'vue/index.html'), 'utf8'), { '/src/main.js': code });
    const clocks = await open(page, '/recipes/vue/');
    const status = appStatus(page);
    await expect(status).toHaveText('Signed in.');

    await warnsAfterIdle(page, clocks);
    await expect(status).toHaveText(/^\d+ seconds left\.$/);

    await runTo(clocks, s(TIMEOUT) + 1500);
    await expect(page.getByRole('alert')).toHaveText(/Your session has ended\./);
    await expect(page).toHaveURL(/\/recipes\/vue\/$/);
    await signsInAgainThroughSignOut(page);
    expect(problems).toEqual([]);
  });
});
