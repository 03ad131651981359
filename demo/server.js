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
 */

import http from 'node:http';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { sessionTimeout, errorHandler, redisClientOptions } from '../server/session-timeout.js';
import { CLOCK_USAGE, createTestClock } from './test-clock.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PUBLIC_DIR = path.join(ROOT, 'demo', 'public');
const CDN_DIR = path.join(ROOT, 'dist', 'cdn');
const ELEMENT_FILE = 'session-timeout-dialog.js';

const STATUS_PATH = '/session/status';
const KEEPALIVE_PATH = '/session/keepalive';
const EVENTS_PATH = '/demo/events';
const SNAPSHOT_PATH = '/demo/snapshot';
/**
 * The live panel's own plumbing: the event stream, and the snapshot a tab
 * reads when another tab of the session holds the one stream (demo.js shares
 * it, so that tabs do not use up the browser's 6 connections per host).
 * Both are passive (watching never keeps the session alive), and neither is
 * pushed to the panel: it shows the session's requests, not its own.
 */
const PANEL_PATHS = [EVENTS_PATH, SNAPSHOT_PATH];
const LIMITS_PATH = '/demo/limits';

/** Upper bound for a per-session timeout set with the limits form (one day). */
export const MAX_LIMIT_SECONDS = 86_400;
/** Presets offered by the limits form: [idle, timeout] seconds. */
const LIMIT_PRESETS = [
  [10, 25],
  [20, 50],
  [780, 900],
];

/** The policy the spec asks for: no inline script or style, Trusted Types enforced. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The same, for the one page the demo frames itself (the iframe editor). */
const FRAMEABLE_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'");
const FRAMEABLE_FILE = 'editor.html';

const FAULT_OPERATIONS = new Set(['status', 'keepalive', 'any']);
const FAULT_KINDS = new Set(['500', '502', '503', '403', '401', '440', '302', 'html', 'badjson', 'truncated', 'hang']);
const LOG_LIMIT = 5000;

export class ConfigError extends Error {
  name = 'ConfigError';
}

// ------------------------------------------------------------------ config

/**
 * Read the settings from the environment. Throws ConfigError listing every
 * bad variable at once, so a misconfigured deployment is fixed in one go.
 * @param {Record<string, string | undefined>} env
 */
export function configFromEnv(env = process.env) {
  const problems = [];
  const int = (name, fallback, { min = 0, optional = false } = {}) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return optional ? null : fallback;
    if (!/^\d+$/.test(raw.trim())) {
      problems.push(`${name} must be a whole number of seconds, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    const n = Number(raw.trim());
    if (n < min) problems.push(`${name} must be at least ${min}, got ${n}`);
    return n;
  };
  const config = {
    port: 5173,
    host: env.HOST?.trim() || '127.0.0.1',
    idleSeconds: int('SESSION_IDLE_SECONDS', 20, { min: 1 }),
    timeoutSeconds: int('SESSION_TIMEOUT_SECONDS', 50, { min: 1 }),
    expireSeconds: int('SESSION_EXPIRE_SECONDS', null, { min: 1, optional: true }),
    gracePeriodSeconds: int('SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD', 0),
    secret: env.SESSION_SECRET || undefined,
    draftSecret: env.SESSION_DRAFT_SECRET || undefined,
    redisUrl: env.REDIS_URL?.trim() || undefined,
    trustProxy: env.TRUST_PROXY?.trim() || undefined,
    testHooks: env.SESSION_TEST_HOOKS === '1',
  };
  if (env.PORT !== undefined && env.PORT.trim() !== '') {
    const p = env.PORT.trim();
    if (!/^\d+$/.test(p) || Number(p) > 65535) problems.push(`PORT must be a port number (0-65535), got ${JSON.stringify(env.PORT)}`);
    else config.port = Number(p);
  }
  if (config.idleSeconds >= config.timeoutSeconds) {
    problems.push(
      `SESSION_IDLE_SECONDS (${config.idleSeconds}) must be less than SESSION_TIMEOUT_SECONDS (${config.timeoutSeconds}); ` +
        'the timeout is the total idle time, not extra time after the warning',
    );
  }
  if (config.gracePeriodSeconds >= config.idleSeconds) {
    problems.push(
      `SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD (${config.gracePeriodSeconds}) must be less than SESSION_IDLE_SECONDS (${config.idleSeconds})`,
    );
  }
  if (config.draftSecret !== undefined && Buffer.byteLength(config.draftSecret) < 32) {
    problems.push('SESSION_DRAFT_SECRET must be at least 32 bytes long (e.g. 32 random bytes, base64url)');
  }
  if (env.SESSION_TEST_HOOKS !== undefined && !['', '0', '1'].includes(env.SESSION_TEST_HOOKS)) {
    problems.push(`SESSION_TEST_HOOKS must be 1 (on) or 0/unset (off), got ${JSON.stringify(env.SESSION_TEST_HOOKS)}`);
  }
  if (problems.length) throw new ConfigError(`Invalid demo configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}

// ------------------------------------------------------------------ HTML

class SafeHtml {
  /** @param {string} value */
  constructor(value) {
    this.value = value;
  }
  toString() {
    return this.value;
  }
}

/** Escape every interpolated value unless it is already SafeHtml (or an array of them). */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += renderValue(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

function renderValue(v) {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(renderValue).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

export function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function layout({ title, head = '', body, bodyClass = '' }) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · session-timeout-dialog demo</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/demo.css">
${head}
</head>
<body${bodyClass ? html` class="${bodyClass}"` : ''}>
${body}
</body>
</html>
`.value;
}

function sendPage(res, status, page) {
  // Pages carry CSRF tokens and per-user data: never cache them.
  res.status(status).set('Cache-Control', 'no-store').type('html').send(page);
}

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

  const timers = new Set();
  const every = (ms, fn) => {
    const id = setInterval(fn, ms);
    id.unref?.();
    timers.add(id);
  };

  // ---- store
  let store;
  let redisClient;
  let ready = Promise.resolve();
  if (config.redisUrl) {
    ({ store, redisClient, ready } = makeRedisStore(config, logger, st));
  } else {
    store = new session.MemoryStore();
    // The memory store forgets nothing by itself (our cookie is a browser-
    // session cookie): drop sessions that are over once a minute.
    every(60_000, () => sweep(store, st));
  }

  let secret = config.secret;
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    logger.warn?.(
      '[demo] SESSION_SECRET is not set: using a random secret for this process. ' +
        'Sessions will not survive a restart and cannot be shared between processes.',
    );
  }

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', parseTrustProxy(config.trustProxy));

  // ---- live picture: request log + Server-Sent Events
  /** @type {{t:number, method:string, path:string, counted:boolean, activity:string, status:number|null, seq:number}[]} */
  const requestLog = [];
  // Numbers the entries: several can share a millisecond (and every one does
  // under a frozen test clock), so `t` cannot tell a tab which ones it has.
  let seq = 0;
  const remember = (entry) => {
    entry.seq = ++seq;
    requestLog.push(entry);
    if (requestLog.length > LOG_LIMIT) requestLog.splice(0, requestLog.length - LOG_LIMIT);
  };
  /** @type {Set<{res: import('node:http').ServerResponse, sid: string}>} */
  const streams = new Set();
  /** Responses deliberately left hanging by the 'hang' fault. */
  const hung = new Set();

  const sendEvent = (stream, event, data) => {
    stream.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const refreshStream = (stream) => {
    store.get(stream.sid, (err, sess) => {
      if (err || stream.res.writableEnded) return;
      sendEvent(stream, 'state', st.snapshot(sess ?? null));
    });
  };
  const publish = (entry, sid, state) => {
    // Kept for the panel's history, hidden from JSON (the log never shows ids).
    Object.defineProperty(entry, 'sid', { value: sid, enumerable: false });
    remember(entry);
    if (!sid) return;
    for (const stream of streams) if (stream.sid === sid) sendEvent(stream, 'request', { ...entry, state });
  };
  // Re-read each watched session from the store (read-only, never touches it).
  every(2_000, () => streams.forEach(refreshStream));
  /** Logged, not pushed (see PANEL_PATHS). */
  const logPanelRequest = (req, path, status) => {
    const activity = req.sessionTimeout?.activity ?? 'none';
    remember({ t: now(), method: req.method, path, counted: false, activity, status });
  };
  /**
   * What the live panel starts from: the stream's `hello` event and the
   * snapshot carry this same object.
   */
  const panelPicture = (req, sid) => ({
    config: {
      idleSeconds: config.idleSeconds,
      timeoutSeconds: config.timeoutSeconds,
      expireSeconds: config.expireSeconds ?? null,
      gracePeriodSeconds: config.gracePeriodSeconds,
    },
    limits: st.limitsFor(req),
    state: st.snapshot(req.session),
    // What this session did just before the panel connected (the page load).
    recent: requestLog.filter((e) => e.sid === sid).slice(-20),
  });

  // ---- headers on every response
  app.use((req, res, next) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });

  // ---- log every request (except the test hooks and the panel's own requests)
  app.use((req, res, next) => {
    const p = pathnameOf(req.url);
    if (p.startsWith('/__test/') || PANEL_PATHS.includes(p)) return next();
    const t = now();
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const info = req.sessionTimeout;
      const activity = req.demoFault ? `fault:${req.demoFault}` : (info?.activity ?? (p.startsWith('/static/') ? 'static' : 'none'));
      const entry = {
        t,
        method: req.method,
        path: p,
        counted: Boolean(info?.counted),
        activity,
        status: res.writableFinished ? res.statusCode : null,
      };
      const sid = info?.sessionId ?? req.demoFaultSid;
      publish(entry, sid, req.session ? st.snapshot(req.session) : undefined);
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  });

  // ---- static files (before the session: assets neither need nor extend it)
  // The CDN build: the script-tag file and the language modules beside it
  // (session-timeout-dialog.de.js, ...) that it imports when a page needs one.
  app.get(/^\/static\/(session-timeout-dialog(?:\.[a-z]{2,3})?\.js(?:\.map)?)$/, (req, res, next) => {
    const name = req.params[0];
    res.sendFile(name, { root: config.cdnDir ?? CDN_DIR, headers: { 'Cache-Control': 'no-cache' } }, (err) => {
      if (!err) return;
      if (res.headersSent) return;
      if (err.code === 'ENOENT' || err.status === 404) {
        if (name.endsWith('.map')) return res.status(404).type('text/plain').send('No source map was built.\n');
        if (name !== ELEMENT_FILE) return next();
        // Checked on each request: the build may finish while the server runs.
        return res
          .status(503)
          .set({ 'Retry-After': '5', 'Cache-Control': 'no-store' })
          .type('text/plain')
          .send(`${ELEMENT_FILE} is not built yet: run "npm run build" ("npm start" builds it first), then reload.\n`);
      }
      return next(err);
    });
  });
  // The modules the element loads on demand beside itself (session-timeout-dialog.<name>.js).
  app.get(/^\/static\/session-timeout-dialog\.[a-z0-9-]+\.js(\.map)?$/, (req, res, next) => {
    const name = req.path.slice('/static/'.length);
    res.sendFile(name, { root: config.cdnDir ?? CDN_DIR, headers: { 'Cache-Control': 'no-cache' } }, (err) => {
      if (err && !res.headersSent) next(err.code === 'ENOENT' || err.status === 404 ? undefined : err);
    });
  });
  // Browsers ask for /favicon.ico wherever a page names no icon (JSON
  // answers, the element file opened directly): the same icon, not a 404.
  app.get('/favicon.ico', (req, res) => res.redirect(301, '/static/favicon.svg'));
  app.use(
    '/static',
    express.static(PUBLIC_DIR, {
      index: false,
      redirect: false,
      setHeaders: (res, file) => {
        res.setHeader('Cache-Control', 'no-cache');
        if (path.basename(file) === FRAMEABLE_FILE) res.setHeader('Content-Security-Policy', FRAMEABLE_CSP);
      },
    }),
  );

  const json = express.json({ limit: '10kb' });
  const form = express.urlencoded({ extended: false, limit: '10kb' });

  // ---- test hooks that need no session
  const faults = [];
  if (config.testHooks) {
    logger.warn?.(
      '\n[demo] !!! SESSION_TEST_HOOKS=1: test-only switches under /__test/ are ON (clock, faults, restart, log, login).\n' +
        '[demo] !!! Anyone who can reach this server can sign in as anyone and move its clock. Never use this in production.\n',
    );
    app.get('/__test/clock', (req, res) => res.json(clock.state()));
    app.post('/__test/clock', json, (req, res) => {
      if (!clock.apply(req.body ?? {})) return res.status(400).json({ error: CLOCK_USAGE });
      streams.forEach(refreshStream);
      return res.json(clock.state());
    });
    app.post('/__test/faults', json, (req, res) => {
      const body = req.body ?? {};
      const count = body.count === undefined ? 1 : body.count;
      const problems = [];
      if (!FAULT_OPERATIONS.has(body.operation)) problems.push('operation must be status, keepalive or any');
      if (!FAULT_KINDS.has(String(body.kind))) problems.push(`kind must be one of ${[...FAULT_KINDS].join(', ')}`);
      if (!Number.isInteger(count) || count < 1 || count > 10_000) problems.push('count must be a whole number from 1');
      if (body.retryAfter !== undefined && !(Number.isInteger(body.retryAfter) && body.retryAfter >= 0)) problems.push('retryAfter must be whole seconds');
      if (problems.length) return res.status(400).json({ error: problems.join('; ') });
      faults.push({ operation: body.operation, kind: String(body.kind), remaining: count, retryAfter: body.retryAfter });
      return res.json({ faults: faults.map(({ operation, kind, remaining }) => ({ operation, kind, remaining })) });
    });
    app.delete('/__test/faults', (req, res) => {
      faults.length = 0;
      for (const r of hung) r.destroy();
      hung.clear();
      res.status(204).end();
    });
    app.post('/__test/restart', (req, res, next) => {
      // Like a restart that loses the memory store: every session is gone,
      // every live connection drops.
      store.clear((err) => {
        if (err) return next(err);
        for (const s of streams) s.res.end();
        streams.clear();
        return res.json({ ok: true });
      });
    });
    app.get('/__test/log', (req, res) => res.json(requestLog));
    app.delete('/__test/log', (req, res) => {
      requestLog.length = 0;
      res.status(204).end();
    });
  }

  // ---- session
  app.use(
    session({
      name: 'sid',
      secret,
      store,
      resave: false,
      // No store entry (and no cookie) for anonymous visitors: the login form
      // uses a cookie-only CSRF token instead (see loginToken()).
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

  // ---- fault injection (after the session so it can be attributed, before
  // sessionTimeout so a faulted call has no effect on the session)
  if (config.testHooks) {
    app.use((req, res, next) => {
      if (!faults.length) return next();
      const p = pathnameOf(req.url);
      const op = p === STATUS_PATH ? 'status' : p === KEEPALIVE_PATH ? 'keepalive' : null;
      if (!op) return next();
      const i = faults.findIndex((f) => f.operation === op || f.operation === 'any');
      if (i === -1) return next();
      const fault = faults[i];
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults.splice(i, 1);
      req.demoFault = fault.kind;
      req.demoFaultSid = req.sessionID;
      req.sessionID = undefined; // express-session: no save, no touch, no cookie
      return serveFault(res, fault, hung);
    });
  }

  app.use(st);

  if (config.testHooks) {
    app.post('/__test/login', json, async (req, res) => {
      const user = req.body?.user === undefined ? 'tester' : req.body.user;
      if (!validUsername(user)) return res.status(400).json({ error: 'user must be 1-64 printable characters' });
      const csrfToken = await st.signIn(req, { name: user.trim() });
      return res.json({ ok: true, user: user.trim(), csrfToken });
    });
  }

  // ---- pages
  const signedIn = (req) => st.options.isSignedIn(req);

  app.get('/login', async (req, res) => {
    const timedOut = req.query['timed-out'] === '1';
    const signedOut = req.query['signed-out'] === '1';
    const next = safeNext(req.query.next);
    if (signedIn(req)) {
      if (timedOut && isOwnNavigation(req)) {
        // A demo special case, not a pattern to copy: timeout-url must end
        // the session (the server may hold it a little longer than the page
        // did), and this demo's own page points it at /login?timed-out=1, so
        // this sign-in page signs out when asked that way. An ordinary
        // sign-in page does not: point timeout-url at a sign-out view that
        // keeps ?timed-out=1 (GET /logout below does), as the recipes do.
        await st.signOut(req);
      } else {
        return res.redirect(303, next ?? '/');
      }
    }
    const token = loginToken(req, res);
    return sendPage(res, 200, loginPage({ token, next, timedOut, signedOut, config }));
  });

  app.post('/login', form, async (req, res) => {
    const body = req.body ?? {};
    const next = safeNext(body.next);
    const cookieToken = readCookie(req, 'login_csrf');
    if (!cookieToken || typeof body._csrf !== 'string' || !safeEqual(body._csrf, cookieToken)) {
      const token = loginToken(req, res, { fresh: true });
      return sendPage(res, 403, loginPage({ token, next, config, error: 'Your sign-in form had expired. Please try again.' }));
    }
    if (!validUsername(body.username)) {
      return sendPage(res, 400, loginPage({ token: cookieToken, next, config, error: 'Enter a name (1 to 64 characters).' }));
    }
    await st.signIn(req, { name: body.username.trim() });
    clearLoginToken(req, res);
    return res.redirect(303, next ?? '/');
  });

  const renderApp = (req, res, status = 200, limitsError = undefined) =>
    sendPage(
      res,
      status,
      appPage({ user: req.session.user, csrfToken: res.locals.csrfToken, config, limits: st.limitsFor(req), limitsError }),
    );

  app.get('/', (req, res) => {
    if (!signedIn(req)) return res.redirect(302, `/login?next=${encodeNext(req.originalUrl)}`);
    return renderApp(req, res);
  });

  // Shorter (or longer) limits for this session only. JSON (demo.js, with the
  // X-CSRFToken header) or a plain form post (no script: 303 back to the page).
  // Not passive: like any request of a signed-in user, it is activity.
  app.all(LIMITS_PATH, json, form, (req, res) => {
    const asJson = Boolean(req.is('application/json')) || wantsJson(req);
    res.set('Cache-Control', 'no-store');
    if (req.method !== 'POST') return res.status(405).set('Allow', 'POST').json({ error: 'method-not-allowed' });
    if (!signedIn(req)) {
      return asJson ? res.status(401).json({ status: 'EXPIRED' }) : res.redirect(303, `/login?next=/`);
    }
    if (!st.verifyCsrf(req)) {
      return asJson ? res.status(403).json({ error: 'csrf' }) : renderApp(req, res, 403, 'That form had expired. Please try again.');
    }
    const parsed = parseLimits(req.body, config);
    if (parsed.error) {
      return asJson ? res.status(400).json({ error: 'invalid-limits', message: parsed.error }) : renderApp(req, res, 400, parsed.error);
    }
    if (parsed.reset || (parsed.idleSeconds === config.idleSeconds && parsed.timeoutSeconds === config.timeoutSeconds)) {
      delete req.session.demoLimits;
    } else {
      req.session.demoLimits = { idleSeconds: parsed.idleSeconds, timeoutSeconds: parsed.timeoutSeconds };
    }
    const limits = st.limitsFor(req);
    if (!asJson) return res.redirect(303, '/');
    return res.json({ ok: true, ...limits, isDefault: !req.session.demoLimits });
  });

  // GET /logout: the element's "Sign out" navigates here with GET. It signs
  // out at once only when the navigation comes from this site (or was typed
  // by the person): Sec-Fetch-Site is same-origin/none, or, for browsers
  // without it, the Referer is this origin. A link on another site gets a
  // confirmation page with a POST form instead, so a third party cannot sign
  // people out (logout CSRF). No auto-submitting script is needed.
  // It keeps ?timed-out=1 (timeout-url="/logout?timed-out=1", as in the
  // recipes), so the sign-in page says why.
  app.get('/logout', async (req, res) => {
    const landing = req.query['timed-out'] === '1' ? '/login?timed-out=1' : '/login?signed-out=1';
    if (!signedIn(req)) return res.redirect(303, landing);
    if (isOwnNavigation(req)) {
      await st.signOut(req);
      return res.redirect(303, landing);
    }
    return sendPage(res, 200, logoutPage({ csrfToken: res.locals.csrfToken }));
  });

  app.post('/logout', form, async (req, res) => {
    if (!signedIn(req)) return res.redirect(303, '/login?signed-out=1');
    if (!st.verifyCsrf(req)) return sendPage(res, 403, logoutPage({ csrfToken: res.locals.csrfToken, error: true }));
    await st.signOut(req);
    return res.redirect(303, '/login?signed-out=1');
  });

  // An ordinary app request: counts as activity like any other.
  app.all('/api/echo', json, (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (req.method !== 'POST') return res.status(405).set('Allow', 'POST').json({ error: 'method-not-allowed' });
    if (!signedIn(req)) return res.status(401).json({ status: 'EXPIRED' });
    if (!st.verifyCsrf(req)) return res.status(403).json({ error: 'csrf' });
    const message = typeof req.body?.message === 'string' ? req.body.message.slice(0, 200) : '';
    return res.json({ ok: true, message, at: now() });
  });

  // Passive Server-Sent Events stream for the live panel: pushes the
  // requests of this session and its state; it never extends the session.
  app.get(EVENTS_PATH, (req, res) => {
    const sid = req.sessionTimeout?.sessionId;
    // 204 tells EventSource to stop reconnecting (no session to watch).
    if (!sid || !signedIn(req)) return res.status(204).end();
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 5000\n\n');
    const stream = { res, sid };
    streams.add(stream);
    logPanelRequest(req, EVENTS_PATH, 200);
    sendEvent(stream, 'hello', panelPicture(req, sid));
    req.on('close', () => streams.delete(stream));
    return undefined;
  });

  // The stream's `hello` as plain JSON, for a tab that follows the tab
  // holding the stream (demo.js). Passive like the stream.
  app.get(SNAPSHOT_PATH, (req, res) => {
    res.set('Cache-Control', 'no-store');
    const sid = req.sessionTimeout?.sessionId;
    if (!sid || !signedIn(req)) {
      logPanelRequest(req, SNAPSHOT_PATH, 401);
      return res.status(401).json({ status: 'EXPIRED' });
    }
    const picture = panelPicture(req, sid);
    logPanelRequest(req, SNAPSHOT_PATH, 200);
    return res.json(picture);
  });

  // ---- 404 and errors
  app.use((req, res) => {
    if (wantsJson(req)) return res.status(404).set('Cache-Control', 'no-store').json({ error: 'not-found' });
    return sendPage(res, 404, notFoundPage());
  });
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
    for (const id of timers) clearInterval(id);
    timers.clear();
    for (const s of streams) s.res.end();
    streams.clear();
    for (const r of hung) r.destroy();
    hung.clear();
    if (redisClient?.isOpen) {
      try {
        await redisClient.close();
      } catch {
        try {
          redisClient.destroy();
        } catch {
          // already gone
        }
      }
    }
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

function makeRedisStore(config, logger, st) {
  let lastError = '';
  let connected = false;
  // Fail fast while Redis is away, recover by itself (see redisClientOptions).
  const options = redisClientOptions({ url: config.redisUrl });
  const reconnect = options.socket.reconnectStrategy;
  const redisClient = createClient({
    ...options,
    socket: {
      ...options.socket,
      // At start-up, give up after a few tries so a wrong REDIS_URL is
      // reported at once; once connected, keep reconnecting.
      reconnectStrategy: (retries, cause) => (!connected && retries >= 2 ? new Error(cause?.message ?? 'connection failed') : reconnect(retries, cause)),
    },
  });
  redisClient.on('ready', () => {
    connected = true;
  });
  redisClient.on('error', (err) => {
    // Reconnect loops repeat the same error: say it once per change.
    if (err?.message !== lastError) logger.error?.(`[demo] Redis error: ${err?.message ?? err}`);
    lastError = err?.message;
  });
  // The store keeps a session a minute longer than it could live (its TTL is
  // reset by express-session's touch on every non-passive request); the
  // middleware decides the real end from the timestamps inside it. A session
  // with its own (longer) limits gets a TTL to match.
  const store = new RedisStore({
    client: redisClient,
    prefix: 'std:sess:',
    ttl: (sess) => Math.max(config.timeoutSeconds, st.limitsFor({ session: sess }).timeoutSeconds) + 60,
  });
  const ready = (async () => {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
    });
    try {
      await Promise.race([redisClient.connect(), timeout]);
    } catch (err) {
      try {
        redisClient.destroy();
      } catch {
        // already closed by the failed connect
      }
      throw new ConfigError(`Could not connect to Redis at REDIS_URL (${redactUrl(config.redisUrl)}): ${err?.message ?? err}`);
    } finally {
      clearTimeout(timer);
    }
  })();
  // Keep an unobserved rejection from crashing before start() awaits it.
  ready.catch(() => {});
  return { store, redisClient, ready };
}

function sweep(store, st) {
  store.all((err, sessions) => {
    if (err || !sessions) return;
    for (const [id, sess] of Object.entries(sessions)) if (st.isOver(sess)) store.destroy(id, () => {});
  });
}

function serveFault(res, fault, hung) {
  if (fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter));
  res.setHeader('Cache-Control', 'no-store');
  const jsonBody = (status, body) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(body);
  };
  switch (fault.kind) {
    case '500':
    case '502':
    case '503': {
      const text = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' }[fault.kind];
      res.statusCode = Number(fault.kind);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      return res.end(`<!doctype html><title>${fault.kind} ${text}</title><h1>${fault.kind} ${text}</h1>\n`);
    }
    case '403':
      return jsonBody(403, '{"error":"csrf"}');
    case '401':
      return jsonBody(401, '{"status":"EXPIRED"}');
    case '440':
      res.statusMessage = 'Login Time-out';
      return jsonBody(440, '{"status":"EXPIRED"}');
    case '302':
      res.statusCode = 302;
      res.setHeader('Location', '/login');
      return res.end();
    case 'html':
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      return res.end(loginPage({ token: 'x', next: null, config: null }));
    case 'badjson':
      return jsonBody(200, '{"foo":1}');
    case 'truncated':
      return jsonBody(200, '{"status":"AC');
    case 'hang':
    default:
      // Never answer; the client's abort (or DELETE /__test/faults, or
      // shutdown) ends it.
      hung.add(res);
      res.once('close', () => hung.delete(res));
      return undefined;
  }
}

function loginPage({ token, next, timedOut = false, signedOut = false, error, config }) {
  const notice = timedOut
    ? html`<p class="notice notice-timeout" role="status">You were signed out because you were inactive.</p>`
    : signedOut
      ? html`<p class="notice" role="status">You have signed out.</p>`
      : '';
  const limits = config
    ? html`<p class="hint">For this demo you are signed out after ${config.timeoutSeconds} seconds without activity,
with a warning after ${config.idleSeconds} seconds.</p>`
    : '';
  return layout({
    title: 'Sign in',
    bodyClass: 'page-narrow',
    body: html`<main class="card">
<h1>Sign in</h1>
${notice}
${error ? html`<p class="notice notice-error" role="alert">${error}</p>` : ''}
<form method="post" action="/login" class="stack">
<input type="hidden" name="_csrf" value="${token}">
${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
<label for="username">Name</label>
<input id="username" name="username" autocomplete="username" required maxlength="64" autofocus>
<p class="hint">Any name works; there is no password in this demo.</p>
<button type="submit" class="button-primary">Sign in</button>
</form>
${limits}
</main>`,
  });
}

/**
 * Validate a limits form/JSON body: `{ idleSeconds, timeoutSeconds }` (numbers
 * or digit strings), `{ preset: "idle,timeout" | "default" }` or
 * `{ reset: true }`. Returns the limits, `{ reset: true }` or `{ error }`.
 */
export function parseLimits(body, config) {
  const b = body && typeof body === 'object' ? body : {};
  if (b.reset === true || b.reset === 'true' || b.preset === 'default') return { reset: true };
  let idle = b.idleSeconds;
  let timeout = b.timeoutSeconds;
  if (typeof b.preset === 'string' && b.preset !== '') {
    const m = /^(\d{1,6}),(\d{1,6})$/.exec(b.preset);
    if (!m) return { error: 'preset must look like "20,50" (idle,timeout seconds)' };
    [idle, timeout] = [m[1], m[2]];
  }
  const problems = [];
  const whole = (name, label, v) => {
    const n = typeof v === 'string' && /^\s*\d{1,9}\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      problems.push(`${label} (${name}) must be a whole number of seconds, at least 1; got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
      return null;
    }
    if (n > MAX_LIMIT_SECONDS) {
      problems.push(`${label} (${name}) can be at most ${MAX_LIMIT_SECONDS} seconds (one day); got ${n}`);
      return null;
    }
    return n;
  };
  const idleSeconds = whole('idleSeconds', 'The warning time', idle);
  const timeoutSeconds = whole('timeoutSeconds', 'The sign-out time', timeout);
  if (idleSeconds !== null && timeoutSeconds !== null && idleSeconds >= timeoutSeconds) {
    problems.push(
      `The warning time (${idleSeconds} s) must be less than the sign-out time (${timeoutSeconds} s): ` +
        'the sign-out time is the total idle time, not extra time after the warning',
    );
  }
  if (idleSeconds !== null && config.gracePeriodSeconds && idleSeconds <= config.gracePeriodSeconds) {
    problems.push(`The warning time (${idleSeconds} s) must be more than the grace period (${config.gracePeriodSeconds} s)`);
  }
  if (problems.length) return { error: problems.join('. ') + '.' };
  return { idleSeconds, timeoutSeconds };
}

/** "10 s", "13 min", "1 h 30 min": short durations for labels. */
function shortDuration(total) {
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts = [];
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s || !parts.length) parts.push(`${s} s`);
  return parts.join(' ');
}

function limitsForm({ csrfToken, config, limits, error }) {
  const presets = LIMIT_PRESETS.some(([i, t]) => i === config.idleSeconds && t === config.timeoutSeconds)
    ? LIMIT_PRESETS
    : [[config.idleSeconds, config.timeoutSeconds], ...LIMIT_PRESETS];
  const isDefault = limits.idleSeconds === config.idleSeconds && limits.timeoutSeconds === config.timeoutSeconds;
  return html`<form id="limits-form" method="post" action="${LIMITS_PATH}" class="limits" novalidate>
<input type="hidden" name="_csrf" value="${csrfToken}">
<fieldset>
<legend>Limits for this session</legend>
<div class="presets" role="group" aria-label="Presets">
${presets.map(
  ([i, t]) => html`<button type="submit" name="preset" value="${i},${t}" aria-pressed="${limits.idleSeconds === i && limits.timeoutSeconds === t ? 'true' : 'false'}">${shortDuration(i)} / ${shortDuration(t)}${i === config.idleSeconds && t === config.timeoutSeconds ? ' (default)' : ''}</button>`,
)}
</div>
<div class="limit-fields">
<label for="limit-idle">Warn after <span class="unit">(s)</span></label>
<input id="limit-idle" name="idleSeconds" type="number" inputmode="numeric" min="1" max="${MAX_LIMIT_SECONDS - 1}" step="1" required value="${limits.idleSeconds}">
<label for="limit-timeout">Sign out after <span class="unit">(s)</span></label>
<input id="limit-timeout" name="timeoutSeconds" type="number" inputmode="numeric" min="2" max="${MAX_LIMIT_SECONDS}" step="1" required value="${limits.timeoutSeconds}">
<button type="submit" class="button-primary">Apply</button>
</div>
<p class="hint">Kept on the server for this session only: the status reports them and the element adopts them (the server’s limits win).
10 s / 25 s warns only 15 s ahead, less than the 20 s WCAG 2.2 asks for: the element says so in the console.</p>
<p id="limits-result" class="hint" role="status">${error ? html`<span class="error-text">${error}</span>` : isDefault ? 'The server’s defaults.' : 'Changed for this session only.'}</p>
</fieldset>
</form>`;
}

function appPage({ user, csrfToken, config, limits = { idleSeconds: config.idleSeconds, timeoutSeconds: config.timeoutSeconds }, limitsError }) {
  const name = typeof user?.name === 'string' ? user.name : 'someone';
  const lifetime = config.expireSeconds
    ? html` The session also ends ${config.expireSeconds} seconds after signing in, whatever you do.`
    : '';
  return layout({
    title: 'Protected page',
    head: html`<meta name="csrf-token" content="${csrfToken}">
<script type="module" src="/static/${ELEMENT_FILE}"></script>
<script type="module" src="/static/demo.js"></script>`,
    body: html`<header class="topbar">
<p class="brand">session-timeout-dialog demo</p>
<form method="post" action="/logout" class="signout">
<input type="hidden" name="_csrf" value="${csrfToken}">
<span class="who">Signed in as <strong>${name}</strong></span>
<button type="submit">Sign out</button>
</form>
</header>
<main class="layout">
<section class="card timeline-card" aria-labelledby="timeline-heading">
<div class="timeline-head">
<h2 id="timeline-heading">Timeline</h2>
<ul class="legend" aria-hidden="true">
<li><span class="swatch swatch-idle"></span>server idle clock</li>
<li><span class="swatch swatch-local"></span>activity on this page</li>
<li><span class="swatch swatch-passive"></span>status (passive)</li>
<li><span class="swatch swatch-keepalive"></span>keepalive</li>
<li><span class="swatch swatch-app"></span>page or app request</li>
<li><span class="swatch swatch-event"></span>element event</li>
<li><span class="swatch swatch-warn"></span>warn</li>
<li><span class="swatch swatch-end"></span>end</li>
</ul>
</div>
<figure class="timeline-figure">
<div id="timeline" class="timeline" aria-hidden="true"></div>
<div class="timeline-foot">
<figcaption id="timeline-summary" class="hint">The timeline needs JavaScript: the request and event logs below tell the same story.</figcaption>
<button type="button" id="timeline-pause" class="button-small" aria-pressed="false">Pause</button>
</div>
</figure>
</section>
<section class="card" aria-labelledby="work-heading">
<h1 id="work-heading">A protected page</h1>
<p>After <strong id="idle-text">${durationWords(limits.idleSeconds)}</strong> without activity you get a warning; after
<strong id="timeout-text">${durationWords(limits.timeoutSeconds)}</strong> you are signed out.${lifetime}</p>
${limitsForm({ csrfToken, config, limits, error: limitsError })}
<label for="notes">A long form</label>
<textarea id="notes" rows="6" spellcheck="false" placeholder="Type here. Typing sends no request by itself: the element notices the activity and keeps the server session alive."></textarea>
<p class="hint">Typing is local activity: the server only learns of it through the element's keepalive.</p>
<p class="label" aria-hidden="true">A rich-text editor in an iframe</p>
<iframe id="editor" src="/static/${FRAMEABLE_FILE}" title="Notes editor (in an iframe)" aria-describedby="editor-hint"></iframe>
<p id="editor-hint" class="hint">Many editors live in an iframe, where the page's own listeners hear nothing. The element listens in same-origin iframes too.</p>
<div class="row">
<button type="button" id="app-request" class="button-primary">Make an app request</button>
<output id="app-result" for="app-request" class="hint"></output>
</div>
</section>
<section class="card panel" aria-labelledby="panel-heading">
<h2 id="panel-heading">What the server sees</h2>
<dl class="facts">
<div><dt>Server idle time</dt><dd id="server-idle">–</dd></div>
<div><dt>Phase</dt><dd id="server-phase">–</dd></div>
<div><dt>Limits</dt><dd id="server-limits" data-grace="${config.gracePeriodSeconds}">warn ${limits.idleSeconds} s · end ${limits.timeoutSeconds} s${config.gracePeriodSeconds ? html` · grace ${config.gracePeriodSeconds} s` : ''}</dd></div>
<div id="lifetime-row" hidden><dt>Session ends in</dt><dd id="server-lifetime">–</dd></div>
</dl>
<p id="stream-state" class="hint">Connecting to the live stream…</p>
<h3>Requests</h3>
<ol id="request-log" class="log" aria-live="off"></ol>
<h3>Element events</h3>
<ol id="event-log" class="log" aria-live="off"></ol>
</section>
</main>
<!-- timeout-url must end the session. /login?timed-out=1 does so only because this demo's sign-in page has special code for it (demo/server.js); elsewhere use a sign-out view, e.g. /logout?timed-out=1. -->
<session-timeout-dialog keep-drafts status-url="${STATUS_PATH}" keepalive-url="${KEEPALIVE_PATH}" signout-url="/logout" timeout-url="/login?timed-out=1" idle-seconds="${limits.idleSeconds}" timeout-seconds="${limits.timeoutSeconds}"></session-timeout-dialog>`,
  });
}

/** "20 seconds", "1 minute", "13 minutes": the intro sentence (demo.js says it the same way). */
function durationWords(total) {
  if (total % 60 !== 0) return `${total} seconds`;
  const m = total / 60;
  return m === 1 ? '1 minute' : `${m} minutes`;
}

function logoutPage({ csrfToken, error = false }) {
  return layout({
    title: 'Sign out',
    bodyClass: 'page-narrow',
    body: html`<main class="card">
<h1>Sign out?</h1>
${error ? html`<p class="notice notice-error" role="alert">That form had expired. Please press the button again.</p>` : ''}
<form method="post" action="/logout" class="stack">
<input type="hidden" name="_csrf" value="${csrfToken}">
<button type="submit" class="button-primary">Sign out</button>
</form>
<p><a href="/">Back to the page</a></p>
</main>`,
  });
}

function notFoundPage() {
  return layout({
    title: 'Not found',
    bodyClass: 'page-narrow',
    body: html`<main class="card"><h1>Not found</h1><p><a href="/">Go to the demo</a></p></main>`,
  });
}

/**
 * CSRF for the sign-in form without creating a session for every visitor:
 * a random token in an HttpOnly, SameSite=Lax cookie scoped to /login,
 * echoed in a hidden field (double submit). Without it another site could
 * sign a visitor into the attacker's account (login CSRF).
 */
function loginToken(req, res, { fresh = false } = {}) {
  const existing = readCookie(req, 'login_csrf');
  if (!fresh && existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  res.cookie('login_csrf', token, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/login' });
  return token;
}

function clearLoginToken(req, res) {
  res.clearCookie('login_csrf', { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/login' });
}

/**
 * Was this GET navigation started by this site or the person (not a third
 * party)? Used where a GET has a side effect (sign out).
 */
function isOwnNavigation(req) {
  const site = req.get('sec-fetch-site');
  if (site) return site === 'same-origin' || site === 'none';
  const referer = req.get('referer');
  if (!referer) return false;
  try {
    return new URL(referer).origin === `${req.protocol}://${req.get('host')}`;
  } catch {
    return false;
  }
}

function validUsername(v) {
  // eslint-disable-next-line no-control-regex
  return typeof v === 'string' && v.trim().length >= 1 && v.trim().length <= 64 && !/[\u0000-\u001f\u007f]/.test(v);
}

/** Only local paths: never redirect to another site after sign-in (open redirect). */
export function safeNext(v) {
  if (typeof v !== 'string' || v.length > 512) return null;
  // eslint-disable-next-line no-control-regex
  if (!v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\') || /[\u0000-\u001f\u007f\\]/.test(v)) return null;
  return v;
}

function encodeNext(url) {
  return encodeURIComponent(url).replace(/%2F/g, '/');
}

function wantsJson(req) {
  const p = pathnameOf(req.url);
  return p.startsWith('/api/') || p.startsWith('/session/') || p.startsWith('/__test/') || String(req.get('accept') ?? '').includes('application/json');
}

function parseTrustProxy(v) {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

function readCookie(req, name) {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function safeEqual(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function pathnameOf(url) {
  if (typeof url !== 'string') return '/';
  const q = url.search(/[?#]/);
  return q === -1 ? url : url.slice(0, q);
}

function redactUrl(u) {
  try {
    const url = new URL(u);
    if (url.password) url.password = '***';
    if (url.username) url.username = '***';
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
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
