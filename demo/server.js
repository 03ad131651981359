/**
 * Demo of <session-timeout-dialog> with the reference server
 * (server/session-timeout.js) on express-session.
 *
 *   npm start            → builds dist/cdn/session-timeout-dialog.js, then runs this file
 *   node demo/server.js  → http://127.0.0.1:5173 (PORT, HOST override)
 *
 * Environment (all optional):
 *   SESSION_IDLE_SECONDS  (20)   warn after this much idle time
 *   SESSION_TIMEOUT_SECONDS (50) signed out after this much idle time (total)
 *   SESSION_EXPIRE_SECONDS (none) absolute session lifetime
 *   SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD (0) write the activity time at most once per N s
 *   SESSION_SECRET   cookie signing secret (random per process when unset)
 *   SESSION_DRAFT_SECRET  secret (32+ bytes) for the draft keys of keep-drafts
 *                    (random per process when unset: drafts then do not survive a restart)
 *   REDIS_URL        use Redis (connect-redis) instead of the in-memory store
 *   TRUST_PROXY      value for Express 'trust proxy' (only set when given)
 *   SESSION_TEST_HOOKS=1  enable the /__test/* switches (never in production)
 *
 * The protected page has a live timeline (demo/public/demo.js) and a form
 * that shortens the limits for the current session only (POST /demo/limits,
 * stored in the session and applied through the middleware's `limits` option).
 *
 * Tests import createApp()/start() and run it in-process on port 0; it only
 * listens by itself when run directly.
 *
 * This file composes the app; the three jobs live beside it:
 *   pages.js, views.js   the pages and the static files (site.js: URLs, CSP)
 *   live.js              the live panel's request log, event stream and snapshot
 *   test-hooks.js        the /__test/* switches
 *   config.js, store.js  the settings and the session store
 */

import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import express from 'express';
import session from 'express-session';
import { sessionTimeout, errorHandler } from '../server/session-timeout.js';
import { ConfigError, configFromEnv } from './config.js';
import { createLive } from './live.js';
import { notFound, pageRoutes, staticFiles } from './pages.js';
import { CSP, KEEPALIVE_PATH, PANEL_PATHS, STATUS_PATH, pathnameOf } from './site.js';
import { createStore } from './store.js';
import { createTestClock } from './test-clock.js';
import { createTestHooks } from './test-hooks.js';

// What tests and scripts import from this file.
export { ConfigError, configFromEnv } from './config.js';
export { CSP, MAX_LIMIT_SECONDS } from './site.js';
export { html, escapeHtml } from './views.js';
export { parseLimits, safeNext } from './pages.js';

// ------------------------------------------------------------------ app

/**
 * Build the demo app. Options override the environment (handy for tests):
 * { env, idleSeconds, timeoutSeconds, expireSeconds, gracePeriodSeconds,
 *   secret, redisUrl, trustProxy, testHooks, cdnDir, logger }.
 * The returned Express app has `app.ready` (resolves when the store is
 * connected), `app.close()` (ends streams, timers, Redis) and `app.demo`
 * (config, clock and store, for tests).
 */
export function createApp(options = {}) {
  const { env = process.env, logger = console, ...overrides } = options;
  const config = { ...configFromEnv(env), ...stripUndefined(overrides) };

  // Test seam: the middleware's clock is the real one plus an offset that
  // only the /__test/clock hook (enabled explicitly) can move. Tests may also
  // freeze it, so that slow machines cannot shift whole-second answers.
  const clock = createTestClock();
  const now = clock.now;

  const st = sessionTimeout({
    idleSeconds: config.idleSeconds,
    timeoutSeconds: config.timeoutSeconds,
    expireSeconds: config.expireSeconds ?? null,
    gracePeriodSeconds: config.gracePeriodSeconds,
    statusPath: STATUS_PATH,
    keepalivePath: KEEPALIVE_PATH,
    // The live panel's stream and snapshot must not keep the session alive either.
    passivePaths: PANEL_PATHS,
    // Per-session overrides from the limits form (POST /demo/limits).
    limits: (req) => req.session?.demoLimits,
    // Draft keys for keep-drafts: the same for every session of one name.
    drafts: { secret: config.draftSecret ?? randomBytes(32).toString('base64url'), userId: (sess) => sess?.user?.name },
    now,
  });

  const { store, ready, close: closeStore } = createStore(config, logger, st);
  // Deadlines and conditional Redis writes from the first request on.
  st.guardStore(store);

  let secret = config.secret;
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    logger.warn?.(
      '[demo] SESSION_SECRET is not set: using a random secret for this process. ' +
        'Sessions will not survive a restart and cannot be shared between processes.',
    );
  }

  const live = createLive({ st, store, config, now });
  const hooks = config.testHooks ? createTestHooks({ clock, store, st, live, logger }) : null;

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', parseTrustProxy(config.trustProxy));

  // ---- headers on every response
  app.use((req, res, next) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  app.use(live.logRequests);
  app.use(staticFiles({ cdnDir: config.cdnDir }));
  if (hooks) app.use(hooks.controls);

  // ---- session
  app.use(
    session({
      name: 'sid',
      secret,
      store,
      resave: false,
      // No store entry (and no cookie) for anonymous visitors: the login form
      // uses a cookie-only CSRF token instead (see loginToken() in pages.js).
      saveUninitialized: false,
      // Not rolling: the server-side idle clock decides, so the cookie need
      // not be re-sent on every response.
      rolling: false,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        // Secure when the request is HTTPS (directly, or via a trusted proxy).
        secure: 'auto',
        path: '/',
        // No maxAge: a browser-session cookie. The lifetime is enforced on the
        // server from the timestamps in the session, independent of the
        // browser's clock.
      },
    }),
  );

  if (hooks) app.use(hooks.injectFaults);
  app.use(st);
  if (hooks) app.use(hooks.signIn);
  app.use(pageRoutes({ st, config, now }));
  app.use(live.routes);

  // ---- 404 and errors
  app.use(notFound);
  app.use(errorHandler({ log: (err, req) => logger.error?.(`[demo] ${req.method} ${pathnameOf(req.url)}: ${err?.message ?? err}`) }));

  app.ready = ready;
  app.demo = {
    config,
    store,
    now,
    get clockOffsetMs() {
      return clock.offsetMs;
    },
    middleware: st,
  };
  app.close = async () => {
    live.close();
    hooks?.close();
    await closeStore();
  };
  return app;
}

/**
 * Create the app and listen. Resolves once listening.
 * @returns {Promise<{ app: any, server: import('node:http').Server, url: string, close: () => Promise<void> }>}
 */
export async function start(options = {}) {
  const { port, host, ...rest } = options;
  const app = createApp(rest);
  try {
    await app.ready;
  } catch (err) {
    await app.close();
    throw err;
  }
  const server = http.createServer(app);
  const listenPort = port ?? app.demo.config.port;
  const listenHost = host ?? app.demo.config.host;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const shownHost = ['0.0.0.0', '::', ''].includes(listenHost) ? '127.0.0.1' : listenHost.includes(':') ? `[${listenHost}]` : listenHost;
  const url = `http://${shownHost}:${address.port}`;
  let closing;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await new Promise((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), 2000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    })();
    return closing;
  };
  return { app, server, url, close };
}

// ------------------------------------------------------------------ pieces

function parseTrustProxy(v) {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

function stripUndefined(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

// ------------------------------------------------------------------ main

async function main() {
  let config;
  try {
    config = configFromEnv(process.env);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
  let running;
  try {
    running = await start({});
  } catch (err) {
    if (err instanceof ConfigError) console.error(err.message);
    else if (err?.code === 'EADDRINUSE') console.error(`Port ${config.port} on ${config.host} is in use: set PORT to another port.`);
    else if (err instanceof TypeError) console.error(`Invalid demo configuration: ${err.message}`);
    else console.error(`The demo could not start: ${err?.message ?? err}`);
    process.exit(1);
  }
  console.log(`Demo on ${running.url}`);

  let stopping = false;
  const stop = (signal) => {
    if (stopping) {
      console.error(`\n${signal} again: exiting now.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: shutting down…`);
    const force = setTimeout(() => {
      console.error('Shutdown took too long; exiting.');
      process.exit(1);
    }, 5000);
    force.unref();
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main();
}
