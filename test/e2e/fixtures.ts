// Playwright fixtures for the end-to-end tests: a fresh reference server per
// test, listening on a free port, with short session settings and the test
// hooks on. Use `test` and `expect` from here instead of '@playwright/test':
//
//   import { test, expect } from './fixtures.js';
//   test.use({ sessionSettings: { idleSeconds: 5, timeoutSeconds: 10 } });
//   test('warns', async ({ page }) => { await page.goto('/'); ... });
//
// `baseURL` points at the server, so `page.goto('/...')` reaches it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as base, expect } from '@playwright/test';
// @ts-ignore -- plain JS, no types (docs/design.md, reference server: the demo exports createApp).
import { createApp } from '../../demo/server.js';
import { stepStats } from './helpers/clock.js';
import { workerCpuSeconds } from './helpers/cpu.js';

const PROFILE = Boolean(process.env.E2E_PROFILE);

/** The reference server's settings (docs/design.md, reference server), in seconds. */
export interface SessionSettings {
  idleSeconds?: number;
  timeoutSeconds?: number;
  expireSeconds?: number;
  gracePeriodSeconds?: number;
  /** Extra routes that let a test inspect and steer the session. */
  testHooks?: boolean;
}

export interface ReferenceServer {
  url: string;
  settings: SessionSettings;
}

export const test = base.extend<{ sessionSettings: SessionSettings; server: ReferenceServer; profile: void; online: void }, { cpu: void }>({
  // E2E_PROFILE=1: one line per test (real ms, CPU seconds of this worker
  // and the browser it drives, steps of fake time) and the worker's total
  // CPU, to see where the end-to-end part spends its time (Linux: /proc).
  cpu: [
    // Depends on the browser so that it is read before the browser closes.
    async ({ browser }, use) => {
      await use();
      void browser;
      if (PROFILE) console.log(`[e2e-profile] worker CPU ${workerCpuSeconds().toFixed(1)} s`);
    },
    { scope: 'worker', auto: true },
  ],
  profile: [
    async ({}, use, info) => {
      if (!PROFILE) return use();
      const cpu = workerCpuSeconds();
      const t = Date.now();
      stepStats.steps = stepStats.merged = 0;
      await use();
      const title = info.titlePath.slice(1).join(' › ');
      console.log(`[e2e-profile] ${Date.now() - t} ms, CPU ${(workerCpuSeconds() - cpu).toFixed(2)} s, ${stepStats.steps} steps (${stepStats.merged} merged): ${title}`);
    },
    { auto: true },
  ],
  // The context is reused between tests (playwright.config.ts), and
  // Playwright's reset leaves the network as the last test set it.
  online: [
    async ({ context }, use) => {
      await use();
      await context.setOffline(false);
    },
    { auto: true },
  ],
  sessionSettings: [{ idleSeconds: 60, timeoutSeconds: 120 }, { option: true }],

  server: async ({ sessionSettings }, use) => {
    const settings: SessionSettings = { testHooks: true, ...sessionSettings };
    // Errors only: the demo's start-up warnings (random secret, test hooks on)
    // are expected here and would repeat for every test.
    const app = createApp({ ...settings, logger: { error: console.error } });
    // The demo's app says when its session store is connected, and closes its
    // timers, event streams and Redis client on close().
    await app.ready;
    const server: Server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    await use({ url: `http://127.0.0.1:${port}`, settings });
    await app.close?.();
    // Keep-alive connections from the browser would hold close() open.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  },

  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
});

export { expect };
