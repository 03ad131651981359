/**
 * session-timeout — Express/Connect middleware that speaks the
 * `session-timeout` wire protocol of <session-timeout-dialog> (SPEC §4.1).
 *
 * Mount it AFTER express-session:
 *
 *   app.use(session({ secret, resave: false, saveUninitialized: false, ... }));
 *   app.use(sessionTimeout({ idleSeconds: 780, timeoutSeconds: 900 }));
 *
 * The settings are named after django-session-timeout (and its fork with the
 * status/keepalive views), so a team moving between the two finds the same
 * knobs:
 *   idleSeconds        ~ SESSION_IDLE_SECONDS     (warn after this much idle time)
 *   timeoutSeconds     ~ SESSION_TIMEOUT_SECONDS  (signed out after this much idle time, total)
 *   expireSeconds      ~ SESSION_EXPIRE_SECONDS   (absolute lifetime, keepalive cannot move it)
 *   gracePeriodSeconds ~ SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD
 *                        (write the activity timestamp at most once per N s)
 *
 * Per-session limits: `limits(req)` may return `{ idleSeconds, timeoutSeconds }`
 * (either may be left out) for this request's session, e.g. a shorter timeout
 * for administrators or the demo's "shorten the limits" form. The static
 * idleSeconds/timeoutSeconds are the default; an answer that breaks the rules
 * above (not whole seconds, idle >= timeout, idle <= gracePeriodSeconds) is
 * ignored in favour of the static limits. Like isSignedIn, it is called with
 * the request in the middleware and with `{ session }` only by snapshot(),
 * isOver() and limitsFor(session data).
 *
 * Why the middleware enforces expiry itself instead of relying on the store
 * TTL or the cookie lifetime: the store TTL is extended by express-session's
 * "touch" on every request, and a cookie's Expires depends on the browser's
 * clock. The only trustworthy idle clock is the timestamp kept inside the
 * session, on the server, so that is where the decision is made.
 *
 * How the status endpoint (and any other "passive" path) avoids extending the
 * session: express-session saves, touches (which resets the store TTL, e.g.
 * Redis EXPIRE) and, with `rolling: true`, re-sends the cookie at the end of
 * every response whose `req.sessionID` is a string. For passive requests this
 * middleware remembers the id in `req.sessionTimeout.sessionId` and then sets
 * `req.sessionID` to `undefined`: express-session then neither saves, nor
 * touches, nor sets a cookie, nor (even with `unset: 'destroy'`) destroys.
 * Consequence: changes an app makes to `req.session` while handling a passive
 * path are not persisted — passive paths are read-only by design.
 *
 * Store lifetime: give the store (and any cookie maxAge) at least
 * timeoutSeconds (with per-session `limits`, that session's timeout: see
 * limitsFor()), or it may drop a session this middleware still considers
 * alive. Every non-passive request touches the store, so a TTL of
 * timeoutSeconds plus a small margin is enough (the demo uses +60 s).
 *
 * Mount order: express-session → sessionTimeout → anything that derives the
 * user from the session (e.g. passport.session()), so an expired session is
 * flushed before the user is loaded.
 */

import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Key under which all of this middleware's data lives in the session. */
export const SESSION_KEY = 'sessionTimeout';

/** Where the middleware attaches its per-request facts (see `RequestInfo` in the .d.ts). */
const REQ_KEY = 'sessionTimeout';

const DEFAULTS = Object.freeze({
  // Same defaults as the element (13 min warning, 15 min timeout), so an
  // unconfigured server and an unconfigured element agree.
  idleSeconds: 780,
  timeoutSeconds: 900,
  expireSeconds: null,
  gracePeriodSeconds: 0,
  statusPath: '/session/status',
  keepalivePath: '/session/keepalive',
  passivePaths: [],
  allowGetKeepalive: false,
});

/**
 * Validate and normalise options. Throws TypeError with a message that names
 * the option and the bad value: misconfiguration should fail at start-up, not
 * show up as a session that silently never expires.
 * @param {Record<string, unknown>} options
 */
export function normalizeOptions(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('sessionTimeout(options): options must be an object');
  }
  const o = { ...DEFAULTS, ...stripUndefined(options) };

  const wholeSeconds = (name, value, { min = 1 } = {}) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new TypeError(
        `sessionTimeout: ${name} must be a whole number of seconds >= ${min}, got ${describeValue(value)}`,
      );
    }
    return value;
  };

  const idleSeconds = wholeSeconds('idleSeconds', o.idleSeconds);
  const timeoutSeconds = wholeSeconds('timeoutSeconds', o.timeoutSeconds);
  if (idleSeconds >= timeoutSeconds) {
    throw new TypeError(
      `sessionTimeout: idleSeconds (${idleSeconds}) must be less than timeoutSeconds (${timeoutSeconds}); ` +
        'timeoutSeconds is the total idle time, not the time added after the warning',
    );
  }
  let expireSeconds = null;
  if (o.expireSeconds !== null && o.expireSeconds !== false) {
    expireSeconds = wholeSeconds('expireSeconds', o.expireSeconds);
  }
  const gracePeriodSeconds = wholeSeconds('gracePeriodSeconds', o.gracePeriodSeconds, { min: 0 });
  // A grace period as long as the warning threshold would swallow the
  // element's keepalives (sent when the server's idle clock reaches
  // idleSeconds) and the session would time out while the person works.
  if (gracePeriodSeconds >= idleSeconds) {
    throw new TypeError(
      `sessionTimeout: gracePeriodSeconds (${gracePeriodSeconds}) must be less than idleSeconds (${idleSeconds}), ` +
        'otherwise keepalives could not move the activity timestamp',
    );
  }

  const urlPath = (name, value) => {
    if (typeof value !== 'string' || !value.startsWith('/') || /[?#\s]/.test(value)) {
      throw new TypeError(`sessionTimeout: ${name} must be a path starting with "/" (no query), got ${describeValue(value)}`);
    }
    return value;
  };
  const statusPath = urlPath('statusPath', o.statusPath);
  const keepalivePath = urlPath('keepalivePath', o.keepalivePath);
  if (statusPath === keepalivePath) {
    throw new TypeError('sessionTimeout: statusPath and keepalivePath must differ (status must never count as activity)');
  }
  if (!Array.isArray(o.passivePaths)) {
    throw new TypeError(`sessionTimeout: passivePaths must be an array of paths, got ${describeValue(o.passivePaths)}`);
  }
  const passivePaths = new Set(o.passivePaths.map((p, i) => urlPath(`passivePaths[${i}]`, p)));
  if (passivePaths.has(keepalivePath)) {
    throw new TypeError('sessionTimeout: keepalivePath cannot be a passive path');
  }

  const fn = (name, value, fallback) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'function') throw new TypeError(`sessionTimeout: ${name} must be a function, got ${describeValue(value)}`);
    return value;
  };
  const isSignedIn = fn('isSignedIn', options.isSignedIn, (req) => Boolean(req.session?.user));
  const now = fn('now', options.now, Date.now);
  const limits = options.limits === null ? null : fn('limits', options.limits, null);

  if (typeof o.allowGetKeepalive !== 'boolean') {
    throw new TypeError(`sessionTimeout: allowGetKeepalive must be a boolean, got ${describeValue(o.allowGetKeepalive)}`);
  }

  const csrfIn = o.csrf === undefined ? {} : o.csrf;
  if (csrfIn === null || typeof csrfIn !== 'object') {
    throw new TypeError(`sessionTimeout: csrf must be an object like { cookie, header }, got ${describeValue(csrfIn)}`);
  }
  const csrf = {
    cookie: csrfIn.cookie === undefined ? 'csrftoken' : csrfIn.cookie,
    header: csrfIn.header === undefined ? 'x-csrftoken' : csrfIn.header,
    field: csrfIn.field === undefined ? '_csrf' : csrfIn.field,
  };
  for (const key of /** @type {const} */ (['cookie', 'header', 'field'])) {
    if (typeof csrf[key] !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(csrf[key])) {
      throw new TypeError(`sessionTimeout: csrf.${key} must be a token (letters, digits, - _ .), got ${describeValue(csrf[key])}`);
    }
  }
  csrf.header = csrf.header.toLowerCase();

  return Object.freeze({
    idleSeconds,
    timeoutSeconds,
    expireSeconds,
    gracePeriodSeconds,
    statusPath,
    keepalivePath,
    passivePaths,
    isSignedIn,
    now,
    limits,
    allowGetKeepalive: o.allowGetKeepalive,
    csrf: Object.freeze(csrf),
  });
}

/**
 * Create the middleware. The returned function also carries helpers bound to
 * the same options (`describe`, `snapshot`, `isOver`, `verifyCsrf`,
 * `signIn`, `signOut`) so an app never has to repeat its settings.
 * @param {object} [options] see session-timeout.d.ts
 */
export function sessionTimeout(options = {}) {
  const opts = normalizeOptions(options);
  const staticLimits = Object.freeze({ idleSeconds: opts.idleSeconds, timeoutSeconds: opts.timeoutSeconds });
  const expireMs = opts.expireSeconds === null ? null : opts.expireSeconds * 1000;
  const graceMs = opts.gracePeriodSeconds * 1000;
  const keepaliveAllow = opts.allowGetKeepalive ? 'GET, POST' : 'POST';

  /** Our data in a session, or null when absent or malformed. */
  function readState(sess) {
    const s = sess?.[SESSION_KEY];
    if (!s || typeof s !== 'object') return null;
    if (!Number.isFinite(s.lastActivity) || !Number.isFinite(s.startedAt) || typeof s.csrf !== 'string') return null;
    return s;
  }

  /**
   * The limits that apply to a request (or `{ session }`): the `limits`
   * option's answer when it is valid, else the static ones.
   * @returns {{ idleSeconds: number, timeoutSeconds: number }}
   */
  function limitsFor(req) {
    if (!opts.limits || !req) return staticLimits;
    const got = opts.limits(req);
    if (got === null || got === undefined || typeof got !== 'object') return staticLimits;
    const idleSeconds = got.idleSeconds ?? opts.idleSeconds;
    const timeoutSeconds = got.timeoutSeconds ?? opts.timeoutSeconds;
    const whole = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
    if (!whole(idleSeconds) || !whole(timeoutSeconds) || idleSeconds >= timeoutSeconds || idleSeconds <= opts.gracePeriodSeconds) {
      return staticLimits;
    }
    if (idleSeconds === opts.idleSeconds && timeoutSeconds === opts.timeoutSeconds) return staticLimits;
    return Object.freeze({ idleSeconds, timeoutSeconds });
  }

  /**
   * Why a state is over, or null while alive. `idleMs >= timeoutMs` is the
   * same test as `floor(idleMs / 1000) >= timeoutSeconds`, so the end agrees
   * with the whole seconds that status reports: a status answer that says
   * idleTime = timeoutLimit − 1 always describes a live session.
   */
  function overReason(state, t, limits = staticLimits) {
    if (t - state.lastActivity >= limits.timeoutSeconds * 1000) return 'timeout';
    if (expireMs !== null && t - state.startedAt >= expireMs) return 'lifetime';
    return null;
  }

  /** The status JSON body for a live state (SPEC §4.1). */
  function describe(state, t = opts.now(), { idleMsOverride, limits = staticLimits } = {}) {
    const idle = Math.max(0, idleMsOverride ?? t - state.lastActivity);
    const idleTime = Math.floor(idle / 1000);
    /** @type {Record<string, string|number>} */
    const body = {
      status: idle >= limits.idleSeconds * 1000 ? 'IDLE' : 'ACTIVE',
      idleTime,
      idleLimit: limits.idleSeconds,
      timeoutLimit: limits.timeoutSeconds,
    };
    if (expireMs !== null) {
      // Floored: the element then plans to leave a little early rather than late.
      body.expiresIn = Math.max(0, Math.floor((state.startedAt + expireMs - t) / 1000));
    }
    return body;
  }

  /**
   * A millisecond-precise view of a session's data for dashboards (the demo's
   * live panel). Passive: reads only. `sess` is the raw session object (from
   * `req.session` or `store.get`).
   */
  function snapshot(sess, t = opts.now()) {
    const state = readState(sess);
    if (!state || !opts.isSignedIn({ session: sess })) return { phase: 'EXPIRED' };
    const limits = limitsFor({ session: sess });
    const idle = Math.max(0, t - state.lastActivity);
    const reason = overReason(state, t, limits);
    return {
      phase: reason ? (reason === 'timeout' ? 'TIMEOUT' : 'LIFETIME') : idle >= limits.idleSeconds * 1000 ? 'IDLE' : 'ACTIVE',
      idleMs: idle,
      idleLimit: limits.idleSeconds,
      timeoutLimit: limits.timeoutSeconds,
      expiresInMs: expireMs === null ? null : state.startedAt + expireMs - t,
      lastActivity: state.lastActivity,
      startedAt: state.startedAt,
      now: t,
    };
  }

  /** True when the raw session data is signed in and over (for store sweeps). */
  function isOver(sess, t = opts.now()) {
    const state = readState(sess);
    return Boolean(state && opts.isSignedIn({ session: sess }) && overReason(state, t, limitsFor({ session: sess })));
  }

  function verifyCsrf(req) {
    const state = readState(req.session);
    if (!state) return false;
    let sent = req.headers?.[opts.csrf.header];
    if (Array.isArray(sent)) sent = sent[0];
    if (typeof sent !== 'string' || sent === '') {
      const field = req.body && typeof req.body === 'object' ? req.body[opts.csrf.field] : undefined;
      sent = typeof field === 'string' ? field : undefined;
    }
    return typeof sent === 'string' && safeEqual(sent, state.csrf);
  }

  function info(req) {
    if (!req[REQ_KEY]) req[REQ_KEY] = { instance: api, sessionId: undefined, activity: 'none', counted: false };
    return req[REQ_KEY];
  }

  /**
   * The middleware proper.
   * @param {import('node:http').IncomingMessage & Record<string, any>} req
   * @param {import('node:http').ServerResponse & Record<string, any>} res
   * @param {(err?: unknown) => void} next
   */
  function middleware(req, res, next) {
    const path = pathnameOf(req.url);
    const isStatus = path === opts.statusPath;
    const isKeepalive = path === opts.keepalivePath;
    const passive = isStatus || opts.passivePaths.has(path);
    const method = req.method;
    const meta = info(req);
    meta.sessionId = req.sessionID;
    if (!res.locals) res.locals = {};

    // Method checks come first: they need no session and must never cost a store write.
    if (isStatus && method !== 'GET' && method !== 'HEAD') {
      return sendJson(res, 405, { error: 'method-not-allowed' }, { Allow: 'GET, HEAD' });
    }
    if (isKeepalive && method !== 'POST' && !(method === 'GET' && opts.allowGetKeepalive)) {
      return sendJson(res, 405, { error: 'method-not-allowed' }, { Allow: keepaliveAllow });
    }

    const sess = req.session;
    if (!sess) {
      // express-session is missing, or its store is disconnected (it then calls
      // next() without a session). Saying EXPIRED here would sign out every
      // user during a Redis blip; a 503 is an error the element retries.
      meta.activity = 'no-session';
      if (isStatus || isKeepalive) return sendJson(res, 503, { error: 'session-unavailable' });
      return next();
    }

    const t = opts.now();
    const signedIn = Boolean(opts.isSignedIn(req));
    let state = signedIn ? readState(sess) : null;
    const limits = signedIn ? limitsFor(req) : staticLimits;

    if (signedIn && state && overReason(state, t, limits)) {
      meta.activity = 'expired';
      if (passive) {
        // Remove the dead session from the store (it is over; this extends
        // nothing) but do not let express-session write anything back.
        const sid = req.sessionID;
        req.sessionID = undefined;
        wipe(sess);
        const answer = () => (isStatus ? sendJson(res, 200, { status: 'EXPIRED' }) : next());
        if (typeof sid === 'string' && req.sessionStore?.destroy) {
          req.sessionStore.destroy(sid, () => answer());
        } else {
          answer();
        }
        // The app behind a passive path must see an anonymous request.
        return undefined;
      }
      // Flush (Django's session.flush()): new empty session, old one destroyed.
      return flush(req, res, (err) => {
        if (err) return next(err);
        return continueAnonymous(req, res, next, { isStatus, isKeepalive });
      });
    }

    if (!signedIn) {
      meta.activity = 'anonymous';
      if (passive) req.sessionID = undefined;
      return continueAnonymous(req, res, next, { isStatus, isKeepalive });
    }

    if (!state) {
      // Signed in without signIn() (or a session from before this middleware
      // was deployed): start the clocks now. Not possible on a passive path,
      // which must not write; report it as just active.
      if (passive) {
        meta.activity = 'passive';
        req.sessionID = undefined;
        if (isStatus) return sendJson(res, 200, describe({ lastActivity: t, startedAt: t }, t, { limits }));
        return next();
      }
      state = { startedAt: t, lastActivity: t, csrf: newToken() };
      sess[SESSION_KEY] = state;
    }

    res.locals.csrfToken = state.csrf;

    if (passive) {
      meta.activity = 'passive';
      req.sessionID = undefined;
      if (isStatus) {
        res.setHeader('X-CSRF-Token', state.csrf);
        return sendJson(res, 200, describe(state, t, { limits }));
      }
      return next();
    }

    syncCsrfCookie(req, res, state.csrf, opts);

    if (isKeepalive) {
      // Only a keepalive that passes CSRF may move the clock: a forged one
      // must not keep a session alive.
      if (method === 'POST' && !verifyCsrf(req)) {
        meta.activity = 'rejected';
        return sendJson(res, 403, { error: 'csrf' });
      }
      const counted = recordActivity(state, t);
      meta.activity = counted ? 'counted' : 'grace';
      meta.counted = counted;
      res.setHeader('X-CSRF-Token', state.csrf);
      return sendJson(res, 200, describe(state, t, { idleMsOverride: counted ? 0 : undefined, limits }));
    }

    const counted = recordActivity(state, t);
    meta.activity = counted ? 'counted' : 'grace';
    meta.counted = counted;
    return next();
  }

  /**
   * Update lastActivity unless the grace period says it was written recently.
   * The grace period exists to spare the store a write per request (Django's
   * SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD); it never delays expiry
   * by more than its own length.
   */
  function recordActivity(state, t) {
    if (graceMs > 0 && t - state.lastActivity < graceMs) return false;
    state.lastActivity = t;
    return true;
  }

  function continueAnonymous(req, res, next, { isStatus, isKeepalive }) {
    if (isStatus) return sendJson(res, 200, { status: 'EXPIRED' });
    if (isKeepalive) return sendJson(res, 401, { status: 'EXPIRED' });
    return next();
  }

  /** Replace the session by a fresh anonymous one and forget the CSRF cookie. */
  function flush(req, res, cb) {
    clearCsrfCookie(req, res, opts);
    res.locals.csrfToken = undefined;
    req.session.regenerate((err) => {
      if (!err) storeOnlyIfUsed(req, res);
      cb(err);
    });
  }

  /**
   * Sign a user in: new session id (defeats session fixation), fresh clocks
   * and a fresh CSRF token (also set as the readable cookie).
   * @returns {Promise<string>} the new CSRF token
   */
  function signIn(req, user) {
    return new Promise((resolve, reject) => {
      if (!req.session || typeof req.session.regenerate !== 'function') {
        reject(new Error('sessionTimeout.signIn: req.session is missing; mount express-session first'));
        return;
      }
      req.session.regenerate((err) => {
        if (err) return reject(err);
        const t = opts.now();
        const token = newToken();
        req.session.user = user;
        req.session[SESSION_KEY] = { startedAt: t, lastActivity: t, csrf: token };
        const res = req.res;
        if (res) {
          if (!res.locals) res.locals = {};
          res.locals.csrfToken = token;
          syncCsrfCookie(req, res, token, opts, { force: true });
        }
        resolve(token);
      });
    });
  }

  /** Sign out: the session is flushed (new anonymous id), the CSRF cookie cleared. */
  function signOut(req) {
    return new Promise((resolve, reject) => {
      if (!req.session || typeof req.session.regenerate !== 'function') {
        resolve();
        return;
      }
      const res = req.res;
      if (res) {
        clearCsrfCookie(req, res, opts);
        if (res.locals) res.locals.csrfToken = undefined;
      }
      req.session.regenerate((err) => {
        if (err) return reject(err);
        if (res) storeOnlyIfUsed(req, res);
        return resolve();
      });
    });
  }

  const api = Object.assign(middleware, {
    options: opts,
    limitsFor,
    describe,
    snapshot,
    isOver,
    verifyCsrf,
    signIn,
    signOut,
  });
  return api;
}

/**
 * Sign in through the sessionTimeout instance that handled this request.
 * Standalone so route modules need not import the instance.
 * @param {any} req
 * @param {unknown} user
 */
export function signIn(req, user) {
  return instanceFor(req, 'signIn').signIn(req, user);
}

/** Sign out through the instance that handled this request. @param {any} req */
export function signOut(req) {
  return instanceFor(req, 'signOut').signOut(req);
}

/** Check the CSRF token (header, else body field) through the instance that handled this request. */
export function verifyCsrf(req) {
  return instanceFor(req, 'verifyCsrf').verifyCsrf(req);
}

function instanceFor(req, name) {
  const instance = req?.[REQ_KEY]?.instance;
  if (!instance) {
    throw new Error(`sessionTimeout.${name}: this request did not pass through sessionTimeout(); mount it before your routes`);
  }
  return instance;
}

/**
 * An Express error handler that never leaks stack traces or error messages
 * of unexpected errors to the client. Client errors raised by body parsers
 * and friends (err.status 4xx, `expose` true) keep their status code.
 * Use it last: `app.use(errorHandler())`.
 * @param {{ log?: (err: unknown, req: any) => void }} [options]
 */
export function errorHandler({ log = defaultLog } = {}) {
  // Four parameters: Express recognises error handlers by arity.
  // eslint-disable-next-line no-unused-vars
  return function sessionTimeoutErrorHandler(err, req, res, next) {
    const raw = Number(err?.status ?? err?.statusCode);
    const status = Number.isInteger(raw) && raw >= 400 && raw < 600 ? raw : 500;
    if (status >= 500) log(err, req);
    if (res.headersSent) {
      // Too late for a clean answer: cut the connection rather than send half a page.
      res.destroy?.();
      return;
    }
    const message = status < 500 ? shortReason(status) : 'Internal Server Error';
    res.statusCode = status;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const wantsJson = String(req.headers?.accept ?? '').includes('application/json') || String(req.headers?.['content-type'] ?? '').includes('json');
    if (wantsJson) {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: message }));
    } else {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`${status} ${message}\n`);
    }
  };
}

function defaultLog(err, req) {
  // Server-side only; one line, no request data that could hold secrets.
  const name = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  console.error(`[session-timeout] ${req?.method ?? '?'} ${pathnameOf(req?.url)} failed: ${name}`);
}

function shortReason(status) {
  return (
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      405: 'Method Not Allowed',
      413: 'Payload Too Large',
      414: 'URI Too Long',
      415: 'Unsupported Media Type',
      431: 'Request Header Fields Too Large',
    }[status] ?? 'Request Error'
  );
}

// ---------------------------------------------------------------- helpers

function sendJson(res, status, body, headers = {}) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  // The answer describes this instant of this session: no cache may keep it.
  res.setHeader('Cache-Control', 'no-store');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(JSON.stringify(body));
}

function pathnameOf(url) {
  if (typeof url !== 'string') return '/';
  const q = url.search(/[?#]/);
  return q === -1 ? url : url.slice(0, q);
}

function newToken() {
  return randomBytes(32).toString('base64url');
}

function safeEqual(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isSecure(req) {
  if (typeof req.secure === 'boolean') return req.secure; // Express, honours 'trust proxy'
  return Boolean(req.socket?.encrypted);
}

function readCookie(req, name) {
  const header = req.headers?.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function appendSetCookie(res, value) {
  const prev = res.getHeader('Set-Cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  res.setHeader('Set-Cookie', [...list.filter((c) => !c.startsWith(value.slice(0, value.indexOf('=') + 1))), value]);
}

/**
 * Expose the token in a cookie that page scripts (the element) can read.
 * Not HttpOnly on purpose: it is the readable half of the synchroniser token
 * kept in the session. SameSite=Lax so cross-site subrequests do not carry it.
 */
function syncCsrfCookie(req, res, token, opts, { force = false } = {}) {
  if (!force && readCookie(req, opts.csrf.cookie) === token) return;
  const secure = isSecure(req) ? '; Secure' : '';
  appendSetCookie(res, `${opts.csrf.cookie}=${token}; Path=/; SameSite=Lax${secure}`);
}

function clearCsrfCookie(req, res, opts) {
  if (readCookie(req, opts.csrf.cookie) === undefined) return;
  const secure = isSecure(req) ? '; Secure' : '';
  appendSetCookie(res, `${opts.csrf.cookie}=; Path=/; Max-Age=0; SameSite=Lax${secure}`);
}

/**
 * After a flush or sign-out, express-session would store the fresh empty
 * session and send its cookie (it saves any session whose id changed). Like
 * Django, which stores no empty session, skip that unless the app has put
 * something in the new session by the time the response starts: the
 * response is then anonymous and leaves nothing behind in the store.
 * Works by hiding the id from express-session (see the header comment),
 * checked at the last moment: first writeHead/write/end.
 */
function storeOnlyIfUsed(req, res) {
  const fresh = req.session;
  let checked = false;
  const check = () => {
    if (checked) return;
    checked = true;
    if (req.session === fresh && isEmptySession(fresh)) req.sessionID = undefined;
  };
  for (const method of /** @type {const} */ (['writeHead', 'write', 'end'])) {
    const original = res[method];
    res[method] = function checkedBeforeSend(...args) {
      check();
      return original.apply(this, args);
    };
  }
}

function isEmptySession(sess) {
  return Boolean(sess) && Object.keys(sess).every((key) => key === 'cookie');
}

/**
 * Empty the in-memory copy of a session on a passive path (where nothing is
 * persisted anyway), so the handler behind it sees an anonymous request even
 * with a custom isSignedIn.
 */
function wipe(sess) {
  for (const key of Object.keys(sess)) if (key !== 'cookie') delete sess[key];
}

function stripUndefined(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

function describeValue(v) {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export default sessionTimeout;
