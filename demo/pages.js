/**
 * The demo's pages: the static files, sign-in and sign-out, the protected
 * page with its per-session limits form, and an ordinary app request. The
 * HTML itself is in views.js.
 */

import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { appPage, loginPage, logoutPage, notFoundPage, sendPage } from './views.js';
import { CDN_DIR, ELEMENT_FILE, FRAMEABLE_CSP, FRAMEABLE_FILE, LIMITS_PATH, MAX_LIMIT_SECONDS, PUBLIC_DIR, readCookie, wantsJson } from './site.js';

/** Body parsers for the routes that take JSON or a form (small bodies only). */
export const json = express.json({ limit: '10kb' });
const form = express.urlencoded({ extended: false, limit: '10kb' });

/**
 * The static files, mounted before the session: assets neither need nor
 * extend it. `cdnDir` is where the element's CDN build is (dist/cdn).
 */
export function staticFiles({ cdnDir = CDN_DIR } = {}) {
  const router = express.Router();
  // The CDN build: the script-tag file and the language modules beside it
  // (session-timeout-dialog.de.js, ...) that it imports when a page needs one.
  router.get(/^\/static\/(session-timeout-dialog(?:\.[a-z]{2,3})?\.js(?:\.map)?)$/, (req, res, next) => {
    const name = req.params[0];
    res.sendFile(name, { root: cdnDir, headers: { 'Cache-Control': 'no-cache' } }, (err) => {
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
  router.get(/^\/static\/session-timeout-dialog\.[a-z0-9-]+\.js(\.map)?$/, (req, res, next) => {
    const name = req.path.slice('/static/'.length);
    res.sendFile(name, { root: cdnDir, headers: { 'Cache-Control': 'no-cache' } }, (err) => {
      if (err && !res.headersSent) next(err.code === 'ENOENT' || err.status === 404 ? undefined : err);
    });
  });
  // Browsers ask for /favicon.ico wherever a page names no icon (JSON
  // answers, the element file opened directly): the same icon, not a 404.
  router.get('/favicon.ico', (req, res) => res.redirect(301, '/static/favicon.svg'));
  router.use(
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
  return router;
}

/**
 * The pages and the app's own endpoints, mounted after the session
 * middleware `st` (server/session-timeout.js). `now` is the demo's clock.
 */
export function pageRoutes({ st, config, now }) {
  const router = express.Router();
  const signedIn = (req) => st.options.isSignedIn(req);

  router.get('/login', async (req, res) => {
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

  router.post('/login', form, async (req, res) => {
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

  router.get('/', (req, res) => {
    if (!signedIn(req)) return res.redirect(302, `/login?next=${encodeNext(req.originalUrl)}`);
    return renderApp(req, res);
  });

  // Shorter (or longer) limits for this session only. JSON (demo.js, with the
  // X-CSRFToken header) or a plain form post (no script: 303 back to the page).
  // Not passive: like any request of a signed-in user, it is activity.
  router.all(LIMITS_PATH, json, form, (req, res) => {
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
  router.get('/logout', async (req, res) => {
    const landing = req.query['timed-out'] === '1' ? '/login?timed-out=1' : '/login?signed-out=1';
    if (!signedIn(req)) return res.redirect(303, landing);
    if (isOwnNavigation(req)) {
      await st.signOut(req);
      return res.redirect(303, landing);
    }
    return sendPage(res, 200, logoutPage({ csrfToken: res.locals.csrfToken }));
  });

  router.post('/logout', form, async (req, res) => {
    if (!signedIn(req)) return res.redirect(303, '/login?signed-out=1');
    if (!st.verifyCsrf(req)) return sendPage(res, 403, logoutPage({ csrfToken: res.locals.csrfToken, error: true }));
    await st.signOut(req);
    return res.redirect(303, '/login?signed-out=1');
  });

  // An ordinary app request: counts as activity like any other.
  router.all('/api/echo', json, (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (req.method !== 'POST') return res.status(405).set('Allow', 'POST').json({ error: 'method-not-allowed' });
    if (!signedIn(req)) return res.status(401).json({ status: 'EXPIRED' });
    if (!st.verifyCsrf(req)) return res.status(403).json({ error: 'csrf' });
    const message = typeof req.body?.message === 'string' ? req.body.message.slice(0, 200) : '';
    return res.json({ ok: true, message, at: now() });
  });
  return router;
}

/** The last handler: 404 as JSON or as a page. */
export function notFound(req, res) {
  if (wantsJson(req)) return res.status(404).set('Cache-Control', 'no-store').json({ error: 'not-found' });
  return sendPage(res, 404, notFoundPage());
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

export function validUsername(v) {
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

function safeEqual(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
