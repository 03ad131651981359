// @ts-check
/**
 * session-timeout — Express/Connect middleware that speaks the
 * `session-timeout` wire protocol of <session-timeout-dialog>.
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
 * flushed before the user is loaded. Last: errorHandler(), which answers a
 * store that failed while express-session loaded the session with a 503 the
 * element retries (express-session hands that failure to the error handler,
 * so no ordinary middleware can answer it).
 *
 * Sign-out (and sign-in, and the flush of an expired session) is final: a
 * request of the same session that was already in flight cannot write the old
 * session back. express-session saves a session at the end of each request
 * that changed it, so without care a page request that read the session just
 * before the sign-out would store it again just after. The old id is kept as
 * a "tombstone" (in this process, for the session's timeout: a copy that got
 * back into the store could not outlive that, since its activity time is no
 * later than the sign-out) and the store's `set` and `touch` refuse it; a
 * request that still arrives with it is anonymous, and its session cookie is
 * cleared. This holds for any express-session store within one process.
 * Across processes sharing a store, a request in flight in another process
 * while the session is signed out can still write it back: route a session's
 * requests to one process, or accept that window.
 *
 * Keepalive answers only what the store confirmed: it saves the session
 * explicitly and answers after the save; a failed save is a 503 with
 * Retry-After (an error the element retries), never a 200 that did not stick.
 *
 * Store deadline: a request's store calls share one second in all (the read
 * of the session opens it, each later call gets what is left), so status and
 * keepalive answer within about a second even when the store hangs. A 503
 * means "not confirmed". Whether a write the request gave up on can still
 * land depends on the store: the memory store applies a write at once, so
 * never late; a connect-redis store on node-redis is made to refuse it
 * (guardRedisWrites: the write runs as a script that checks Redis's own
 * clock against the request's cutoff); any other store that applies a
 * write it was sent long ago (after a pause, a partition) may apply it
 * after the 503.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';

// The types live in session-timeout.d.ts (the public contract); this file is
// checked against them (// @ts-check, run by the server tests).
/** @typedef {import('./session-timeout.js').NormalizedOptions} NormalizedOptions */
/** @typedef {import('./session-timeout.js').ResolvedLimits} ResolvedLimits */
/** @typedef {import('./session-timeout.js').SessionTimeoutState} SessionTimeoutState */
/** @typedef {import('./session-timeout.js').SessionTimeoutMiddleware} SessionTimeoutMiddleware */
/** @typedef {import('./session-timeout.js').StatusBody} StatusBody */
/** @typedef {import('./session-timeout.js').SessionSnapshot} SessionSnapshot */

/** Key under which all of this middleware's data lives in the session. */
export const SESSION_KEY = 'sessionTimeout';

/** Where the middleware attaches its per-request facts (see `RequestInfo` in the .d.ts). */
const REQ_KEY = 'sessionTimeout';

/**
 * Seconds a client should wait before trying again after a 503 (the store
 * failed, or could not save). Short: the Redis settings of
 * redisClientOptions() bring the service back within a second of the store.
 */
const RETRY_AFTER = '2';

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
 * @param {any} [options]
 * @returns {NormalizedOptions}
 */
export function normalizeOptions(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('sessionTimeout(options): options must be an object');
  }
  /** @type {Record<string, any>} */
  const o = { ...DEFAULTS, ...stripUndefined(options) };

  /** @type {(name: string, value: unknown, bounds?: { min?: number }) => number} */
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

  /** @type {(name: string, value: unknown) => string} */
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

  /** @type {<F>(name: string, value: unknown, fallback: F) => F} */
  const fn = (name, value, fallback) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'function') throw new TypeError(`sessionTimeout: ${name} must be a function, got ${describeValue(value)}`);
    return /** @type {any} */ (value);
  };
  const isSignedIn = fn('isSignedIn', options.isSignedIn, (/** @type {{ session?: any }} */ req) => Boolean(req.session?.user));
  const now = fn('now', options.now, Date.now);
  /** @type {NormalizedOptions['limits']} */
  const limits = options.limits === null ? null : fn('limits', options.limits, null);

  if (typeof o.allowGetKeepalive !== 'boolean') {
    throw new TypeError(`sessionTimeout: allowGetKeepalive must be a boolean, got ${describeValue(o.allowGetKeepalive)}`);
  }

  const csrfIn = o.csrf === undefined ? {} : o.csrf;
  if (csrfIn === null || typeof csrfIn !== 'object') {
    throw new TypeError(`sessionTimeout: csrf must be an object like { cookie, header }, got ${describeValue(csrfIn)}`);
  }
  /** @type {{ cookie: string, header: string, field: string }} */
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

  const drafts = normalizeDrafts(o.drafts);

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
    drafts,
  });
}

/**
 * The `drafts` option: `{ secret, userId? }` → `{ keyFor(session), userId }`
 * or null. The secret stays inside the closure, so logging the options never
 * prints it.
 * @param {unknown} value
 * @returns {NormalizedOptions['drafts']}
 */
function normalizeDrafts(value) {
  if (value === undefined || value === null || value === false) return null;
  if (typeof value !== 'object') {
    throw new TypeError(`sessionTimeout: drafts must be an object like { secret }, got ${describeValue(value)}`);
  }
  const { secret, userId = defaultUserId } = /** @type {{ secret?: unknown, userId?: unknown }} */ (value);
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.isBuffer(secret) ? Buffer.from(secret) : null;
  // 32 bytes: as strong as the key it derives. Never echo the secret itself.
  if (!bytes || bytes.length < 32) {
    throw new TypeError('sessionTimeout: drafts.secret must be a string or Buffer of at least 32 bytes (e.g. 32 random bytes, base64url)');
  }
  if (typeof userId !== 'function') {
    throw new TypeError(`sessionTimeout: drafts.userId must be a function (session) => string, got ${describeValue(userId)}`);
  }
  /** @type {(session: any) => string | undefined} */
  const keyFor = (session) => {
    const id = userId(session);
    if (typeof id !== 'string' || id === '') return undefined;
    return createHmac('sha256', bytes).update(id, 'utf8').digest('base64url');
  };
  return Object.freeze({ keyFor, userId: /** @type {(session: any) => string | undefined} */ (userId) });
}

/**
 * Who the person is, for their draft key: `session.user` when it is a string
 * or number, else its `id`. Give `drafts.userId` when your user looks different.
 * @param {any} session
 * @returns {string | undefined}
 */
function defaultUserId(session) {
  const user = session?.user;
  if (typeof user === 'string' || typeof user === 'number') return String(user);
  const id = user && typeof user === 'object' ? user.id : undefined;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  return undefined;
}

/**
 * Create the middleware. The returned function also carries helpers bound to
 * the same options (`describe`, `snapshot`, `isOver`, `verifyCsrf`,
 * `signIn`, `signOut`) so an app never has to repeat its settings.
 * @param {any} [options] see session-timeout.d.ts
 * @returns {SessionTimeoutMiddleware}
 */
export function sessionTimeout(options = {}) {
  const opts = normalizeOptions(options);
  const staticLimits = Object.freeze({ idleSeconds: opts.idleSeconds, timeoutSeconds: opts.timeoutSeconds });
  const expireMs = opts.expireSeconds === null ? null : opts.expireSeconds * 1000;
  const graceMs = opts.gracePeriodSeconds * 1000;
  const keepaliveAllow = opts.allowGetKeepalive ? 'GET, POST' : 'POST';

  /**
   * Our data in a session, or null when absent or malformed.
   * @param {any} sess
   * @returns {SessionTimeoutState | null}
   */
  function readState(sess) {
    const s = sess?.[SESSION_KEY];
    if (!s || typeof s !== 'object') return null;
    if (!Number.isFinite(s.lastActivity) || !Number.isFinite(s.startedAt) || typeof s.csrf !== 'string') return null;
    return s;
  }

  /**
   * The limits that apply to a request (or `{ session }`): the `limits`
   * option's answer when it is valid, else the static ones.
   * @param {any} req
   * @returns {ResolvedLimits}
   */
  function limitsFor(req) {
    if (!opts.limits || !req) return staticLimits;
    const got = opts.limits(req);
    if (got === null || got === undefined || typeof got !== 'object') return staticLimits;
    const idleSeconds = got.idleSeconds ?? opts.idleSeconds;
    const timeoutSeconds = got.timeoutSeconds ?? opts.timeoutSeconds;
    const whole = (/** @type {unknown} */ v) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
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
   * @param {SessionTimeoutState} state
   * @param {number} t
   * @param {ResolvedLimits} [limits]
   * @returns {'timeout' | 'lifetime' | null}
   */
  function overReason(state, t, limits = staticLimits) {
    if (t - state.lastActivity >= limits.timeoutSeconds * 1000) return 'timeout';
    if (expireMs !== null && t - state.startedAt >= expireMs) return 'lifetime';
    return null;
  }

  /**
   * The status JSON body for a live state.
   * @param {SessionTimeoutState} state
   * @param {number} [t]
   * @param {{ idleMsOverride?: number, limits?: ResolvedLimits }} [how]
   * @returns {StatusBody}
   */
  function describe(state, t = opts.now(), { idleMsOverride, limits = staticLimits } = {}) {
    const idle = Math.max(0, idleMsOverride ?? t - state.lastActivity);
    const idleTime = Math.floor(idle / 1000);
    /** @type {StatusBody} */
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
   * @param {any} sess
   * @param {number} [t]
   * @returns {SessionSnapshot}
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

  /**
   * True when the raw session data is signed in and over (for store sweeps).
   * @param {any} sess
   * @param {number} [t]
   */
  function isOver(sess, t = opts.now()) {
    const state = readState(sess);
    return Boolean(state && opts.isSignedIn({ session: sess }) && overReason(state, t, limitsFor({ session: sess })));
  }

  /** @param {any} req */
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

  /** @param {any} req */
  function info(req) {
    if (!req[REQ_KEY]) req[REQ_KEY] = { instance: api, sessionId: undefined, activity: 'none', counted: false };
    return req[REQ_KEY];
  }

  /**
   * Keep `sid` dead in this process for the session's timeout: the store
   * refuses to write it again and a request that brings it is anonymous.
   * @param {any} req
   * @param {unknown} sid
   * @param {{ timeoutSeconds: number }} limits
   */
  function bury(req, sid, limits) {
    const dead = tombstonesOf(req.sessionStore);
    if (!dead || typeof sid !== 'string') return;
    const t = opts.now();
    // Oldest first (insertion order): drop the ones whose time is up.
    for (const [id, until] of dead) {
      if (until > t) break;
      dead.delete(id);
    }
    dead.delete(sid);
    dead.set(sid, t + Math.max(limits.timeoutSeconds, opts.timeoutSeconds) * 1000);
  }

  /**
   * The body of a live session's status or keepalive answer (the wire format plus the optional fields).
   * @param {any} req
   * @param {SessionTimeoutState} state
   * @param {number} t
   * @param {ResolvedLimits} limits
   * @param {{ idleMsOverride?: number }} [extra]
   */
  function liveBody(req, state, t, limits, extra = {}) {
    const body = describe(state, t, { limits, ...extra });
    const key = opts.drafts?.keyFor(req.session);
    if (key !== undefined) body.draftKey = key;
    return body;
  }

  /**
   * The middleware proper.
   * @param {any} req
   * @param {any} res
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
    // Guard the store from the first request on (deadlines, tombstones).
    tombstonesOf(req.sessionStore);

    // Method checks come first: they need no session and must never cost a store write.
    // (A refused call leaves the session id unset, so that express-session
    // neither saves nor touches: it answers without a store write.)
    if (isStatus && method !== 'GET' && method !== 'HEAD') {
      req.sessionID = undefined;
      return sendJson(res, 405, { error: 'method-not-allowed' }, { Allow: 'GET, HEAD' });
    }
    if (isKeepalive && method !== 'POST' && !(method === 'GET' && opts.allowGetKeepalive)) {
      req.sessionID = undefined;
      return sendJson(res, 405, { error: 'method-not-allowed' }, { Allow: keepaliveAllow });
    }

    const sess = req.session;
    if (!sess) {
      // express-session is missing, or its store said it is disconnected (it
      // then calls next() without a session). Saying EXPIRED here would sign
      // out every user during a store outage; a 503 is an error the element
      // retries.
      meta.activity = 'no-session';
      if (isStatus || isKeepalive) return sendJson(res, 503, { error: 'session-unavailable' }, { 'Retry-After': RETRY_AFTER });
      return next();
    }

    // An id that was signed out (or signed in over, or flushed) while this
    // request was on its way: the session is over, whatever the store said.
    if (typeof req.sessionID === 'string' && tombstonesOf(req.sessionStore)?.has(req.sessionID)) {
      meta.activity = 'revoked';
      clearSessionCookie(req, res, req.sessionID, sess.cookie);
      if (typeof req.sessionStore.generate === 'function') {
        // A fresh anonymous session (stored only if the app puts something in it).
        req.sessionStore.generate(req);
        storeOnlyIfUsed(req, res);
      } else {
        req.sessionID = undefined;
        wipe(sess);
      }
      return continueAnonymous(req, res, next, { isStatus, isKeepalive });
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
        bury(req, sid, limits);
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
      return flush(req, res, limits, (err) => {
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
        if (isStatus) return sendJson(res, 200, liveBody(req, { lastActivity: t, startedAt: t, csrf: '' }, t, limits));
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
        return sendJson(res, 200, liveBody(req, state, t, limits));
      }
      return next();
    }

    syncCsrfCookie(req, res, state.csrf, opts);

    if (isKeepalive) {
      // Only a keepalive that passes CSRF may move the clock: a forged one
      // must not keep a session alive.
      if (method === 'POST' && !verifyCsrf(req)) {
        meta.activity = 'rejected';
        req.sessionID = undefined;
        return sendJson(res, 403, { error: 'csrf' });
      }
      const priorIdleTime = Math.floor(Math.max(0, t - state.lastActivity) / 1000);
      const counted = recordActivity(state, t);
      const answer = () => {
        meta.activity = counted ? 'counted' : 'grace';
        meta.counted = counted;
        res.setHeader('X-CSRF-Token', state.csrf);
        const body = liveBody(req, state, t, limits, { idleMsOverride: counted ? 0 : undefined });
        body.priorIdleTime = priorIdleTime;
        return sendJson(res, 200, body);
      };
      // Within the grace period nothing changed, so there is nothing to confirm.
      if (!counted || typeof sess.save !== 'function') return answer();
      // Confirm only what the store accepted: save now and answer after it.
      const sid = req.sessionID;
      sess.save((/** @type {unknown} */ err) => {
        // Signed out while this keepalive was saving: the store refused the
        // dead id, so there is nothing to confirm; the session is over.
        if (!err && tombstonesOf(req.sessionStore)?.has(sid)) {
          meta.activity = 'revoked';
          req.sessionID = undefined;
          return sendJson(res, 401, { status: 'EXPIRED' });
        }
        if (!err) return answer();
        // Nothing was stored: let express-session neither retry the write
        // later nor touch the old copy, and say so with an error the element
        // retries (its own deadline still holds).
        meta.activity = 'unsaved';
        req.sessionID = undefined;
        return sendJson(res, 503, { error: 'session-unsaved' }, { 'Retry-After': RETRY_AFTER });
      });
      return undefined;
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
   * @param {{ lastActivity: number }} state
   * @param {number} t
   */
  function recordActivity(state, t) {
    if (graceMs > 0 && t - state.lastActivity < graceMs) return false;
    state.lastActivity = t;
    return true;
  }

  /**
   * @param {any} req
   * @param {any} res
   * @param {(err?: unknown) => void} next
   * @param {{ isStatus: boolean, isKeepalive: boolean }} where
   */
  function continueAnonymous(req, res, next, { isStatus, isKeepalive }) {
    if (isStatus) return sendJson(res, 200, { status: 'EXPIRED' });
    if (isKeepalive) return sendJson(res, 401, { status: 'EXPIRED' });
    return next();
  }

  /**
   * Replace the session by a fresh anonymous one and forget the CSRF cookie.
   * @param {any} req
   * @param {any} res
   * @param {{ timeoutSeconds: number }} limits
   * @param {(err?: unknown) => void} cb
   */
  function flush(req, res, limits, cb) {
    bury(req, req.sessionID, limits);
    clearCsrfCookie(req, res, opts);
    clearSessionCookie(req, res, req.sessionID, req.session.cookie);
    res.locals.csrfToken = undefined;
    req.session.regenerate((/** @type {unknown} */ err) => {
      if (!err) storeOnlyIfUsed(req, res);
      cb(err);
    });
  }

  /**
   * Sign a user in: new session id (defeats session fixation), fresh clocks
   * and a fresh CSRF token (also set as the readable cookie). The id from
   * before the sign-in stays dead, like a signed-out one.
   * @param {any} req
   * @param {unknown} user
   * @returns {Promise<string>} the new CSRF token
   */
  function signIn(req, user) {
    return new Promise((resolve, reject) => {
      if (!req.session || typeof req.session.regenerate !== 'function') {
        reject(new Error('sessionTimeout.signIn: req.session is missing; mount express-session first'));
        return;
      }
      bury(req, req.sessionID ?? req.session.id, limitsFor(req));
      req.session.regenerate((/** @type {unknown} */ err) => {
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
        return resolve(token);
      });
    });
  }

  /**
   * Sign out: the old id is buried and destroyed, the session cookie and the
   * CSRF cookie are cleared, and the request continues with a fresh anonymous
   * session (stored only if the app puts something in it).
   * @param {any} req
   * @returns {Promise<void>}
   */
  function signOut(req) {
    return new Promise((resolve, reject) => {
      if (!req.session || typeof req.session.regenerate !== 'function') {
        resolve();
        return;
      }
      const oldId = req.sessionID ?? req.session.id;
      bury(req, oldId, limitsFor(req));
      const res = req.res;
      if (res) {
        clearCsrfCookie(req, res, opts);
        clearSessionCookie(req, res, oldId, req.session.cookie);
        if (res.locals) res.locals.csrfToken = undefined;
      }
      req.session.regenerate((/** @type {unknown} */ err) => {
        if (err) return reject(err);
        if (res) storeOnlyIfUsed(req, res);
        return resolve();
      });
    });
  }

  /**
   * Guard the store given to express-session now, before the first request:
   * one deadline per request, Redis writes refused once past it, signed-out
   * ids kept dead. Without it the first request that reaches this middleware
   * guards the store, and requests that read their session before that one
   * (in a process just started, with Redis frozen) have no deadline.
   * @template {{ get: Function, set: Function }} S
   * @param {S} store
   * @returns {S}
   */
  function guardStore(store) {
    if (!store || typeof store.get !== 'function' || typeof store.set !== 'function') {
      throw new TypeError(`sessionTimeout: guardStore() takes the express-session store (with get and set), got ${describeValue(store)}`);
    }
    tombstonesOf(store);
    return store;
  }

  const api = Object.assign(middleware, {
    options: opts,
    guardStore,
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

/**
 * Check the CSRF token (header, else body field) through the instance that handled this request.
 * @param {any} req
 */
export function verifyCsrf(req) {
  return instanceFor(req, 'verifyCsrf').verifyCsrf(req);
}

/**
 * @param {any} req
 * @param {string} name
 * @returns {SessionTimeoutMiddleware}
 */
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
 *
 * Why it is part of the public API and not only the demo's: when the session
 * store fails (Redis down), express-session does not call the next
 * middleware but the error handler, so only an error handler can turn that
 * into the answer the element needs: a 503 with Retry-After (an error it
 * retries, keeping its own deadline), not a 500, and never EXPIRED (which
 * would sign everyone out during an outage). This one does; an app with its
 * own handler should do the same for errors where `req.sessionStore` is set
 * and `req.session` is not.
 * @param {{ log?: (err: unknown, req: any) => void }} [options]
 */
export function errorHandler({ log = defaultLog } = {}) {
  // Four parameters: Express recognises error handlers by arity.
  /**
   * @param {any} err
   * @param {any} req
   * @param {any} res
   * @param {(err?: unknown) => void} _next
   */
  // eslint-disable-next-line no-unused-vars
  return function sessionTimeoutErrorHandler(err, req, res, _next) {
    // express-session read a session id from the cookie but its store failed
    // to load it: the store is unavailable, not the request wrong.
    const storeFailed = Boolean(req?.sessionStore) && req.session === undefined && typeof req.sessionID === 'string';
    const raw = Number(err?.status ?? err?.statusCode);
    const status = storeFailed ? 503 : Number.isInteger(raw) && raw >= 400 && raw < 600 ? raw : 500;
    if (status >= 500) log(err, req);
    if (res.headersSent) {
      // Too late for a clean answer: cut the connection rather than send half a page.
      res.destroy?.();
      return;
    }
    const message = storeFailed ? 'Service Unavailable' : status < 500 ? shortReason(status) : 'Internal Server Error';
    res.statusCode = status;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (storeFailed) res.setHeader('Retry-After', RETRY_AFTER);
    const wantsJson = String(req.headers?.accept ?? '').includes('application/json') || String(req.headers?.['content-type'] ?? '').includes('json');
    if (wantsJson) {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: storeFailed ? 'session-unavailable' : message }));
    } else {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`${status} ${message}\n`);
    }
  };
}

/**
 * @param {unknown} err
 * @param {any} req
 */
function defaultLog(err, req) {
  // Server-side only; one line, no request data that could hold secrets.
  const name = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  console.error(`[session-timeout] ${req?.method ?? '?'} ${pathnameOf(req?.url)} failed: ${name}`);
}

/** @param {number} status */
function shortReason(status) {
  return (
    /** @type {Record<number, string>} */ ({
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      405: 'Method Not Allowed',
      413: 'Payload Too Large',
      414: 'URI Too Long',
      415: 'Unsupported Media Type',
      431: 'Request Header Fields Too Large',
    })[status] ?? 'Request Error'
  );
}

/**
 * node-redis (v4/v5) client options for a session store that fails fast and
 * recovers by itself. Pass the result to `createClient()`; anything you give
 * is kept, `socket` and `commandOptions` are merged.
 *
 * - `disableOfflineQueue`: while the connection is down, a command fails at
 *   once instead of waiting in a queue. Without it a request hangs for as
 *   long as Redis is away, and a keepalive the browser gave up on long ago is
 *   applied when Redis returns.
 * - `commandOptions.timeout` (1 s): a command still waiting to be sent fails
 *   after a second.
 * - `socket.reconnectStrategy`: try again after 50, 100, 200, 400, then every
 *   500 ms, for ever, so service returns within about half a second of Redis.
 * - `socket.connectTimeout` (1 s): a connection attempt that gets no answer
 *   is given up quickly and tried again.
 *
 * While Redis is down, express-session hands the failure to the error
 * handler: mount errorHandler() last (or answer such errors with a 503 and
 * Retry-After yourself) so status and keepalive answer 503 instead of 500.
 *
 * For the store: give it to the middleware's guardStore() before serving
 * (`session({ store: st.guardStore(new RedisStore({ client })) })`). That
 * makes a connect-redis store's session writes conditional (a short Lua script run
 * with EVAL that applies the SET only while Redis's clock is before the
 * request's cutoff), so a write sent to a Redis that then stops answering is
 * refused when it wakes instead of applied after the browser was told 503.
 * Redis must allow EVAL (not renamed or denied by an ACL) for the store's user.
 * @param {Record<string, any>} [overrides]
 * @returns {Record<string, any>}
 */
export function redisClientOptions(overrides = {}) {
  const { socket = {}, commandOptions = {}, ...rest } = overrides;
  return {
    disableOfflineQueue: true,
    ...rest,
    commandOptions: { timeout: 1000, ...commandOptions },
    socket: {
      connectTimeout: 1000,
      reconnectStrategy: (/** @type {number} */ retries) => Math.min(50 * 2 ** retries, 500),
      ...socket,
    },
  };
}

// ---------------------------------------------------------------- tombstones

/** @type {WeakMap<object, Map<string, number>>} store → (dead session id → until, ms) */
const tombstones = new WeakMap();

/**
 * The store time a request may use, in all: its store calls share it (see
 * `withDeadline`). A store that hangs (Redis stopped or cut off without a
 * reset, a client that waits for ever) must become a 503 within a second,
 * not a request that never ends, and a keepalive (one read, one write) must
 * not take a second per call.
 */
const STORE_TIMEOUT_MS = 1000;

/**
 * The store time left to the request being handled: `{ leftMs }`, opened by
 * the request's read of its session, and `saved`, the id it has just stored.
 * Carried along the request's asynchronous work.
 * @type {AsyncLocalStorage<{ leftMs: number, saved?: string }>}
 */
const requestBudget = new AsyncLocalStorage();

/**
 * When the store call in progress must have answered (performance.now(), ms):
 * the Redis write guard refuses to apply a write later than that.
 * @type {AsyncLocalStorage<number | undefined>}
 */
const callDue = new AsyncLocalStorage();

/**
 * `original` (a store method taking a callback last), failing with an error
 * when it has not called back within what is left of the request's store
 * time; a later answer is ignored. express-session reads the session first
 * thing, so a `get` opens a fresh budget; every other call takes what the
 * request's earlier calls left (outside a request: a budget of its own). Time
 * the app spends between store calls is not counted, so a slow page still
 * gets its save; status and keepalive do nothing but store calls, so they
 * answer within about STORE_TIMEOUT_MS in all. A read that times out sends no
 * write after it; a write already sent is the store's business (see
 * `guardRedisWrites` for Redis).
 * @param {Function} original
 * @param {string} name
 */
function withDeadline(original, name) {
  return function storeCallWithDeadline(/** @type {unknown[]} */ ...args) {
    const cb = args.at(-1);
    // No callback (a promise-style call from the app): no deadline, and no
    // cutoff left over from an earlier call of the request.
    // @ts-ignore -- `this` is the store
    if (typeof cb !== 'function') return callDue.run(undefined, () => original.apply(this, args));
    const budget = (name !== 'get' && requestBudget.getStore()) || { leftMs: STORE_TIMEOUT_MS };
    const started = performance.now();
    const allowed = Math.max(0, budget.leftMs);
    let done = false;
    const finish = (/** @type {unknown[]} */ result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      budget.leftMs -= performance.now() - started;
      if (name === 'set' && !result[0]) budget.saved = /** @type {string} */ (args[0]);
      // The rest of the request runs in its budget, whatever context the store called back from.
      requestBudget.run(budget, () => cb(...result));
    };
    const timer = setTimeout(() => {
      finish([Object.assign(new Error(`session store: no answer to ${name} within the request's ${STORE_TIMEOUT_MS} ms`), { code: 'ESTORETIMEOUT' })]);
    }, allowed);
    timer.unref?.();
    // Nothing left: fail (the timer fires at once) without asking the store.
    if (allowed === 0) return undefined;
    args[args.length - 1] = (/** @type {unknown[]} */ ...result) => finish(result);
    // @ts-ignore -- `this` is the store
    return callDue.run(started + allowed, () => original.apply(this, args));
  };
}

/**
 * The dead ids of a store, guarding it on first use: a connect-redis store's
 * writes are made conditional (`guardRedisWrites`), every call gets its share
 * of the request's deadline (`withDeadline`), `set` and `touch` skip a dead
 * id (and call back as if done), and `touch` skips the session the same
 * request has just saved (the save already renewed its lifetime, as
 * express-session itself never both saves and touches). The guard is per
 * store object, so every sessionTimeout instance on that store shares it.
 * @param {any} store
 * @returns {Map<string, number> | null}
 */
function tombstonesOf(store) {
  if (!store || typeof store !== 'object') return null;
  let dead = tombstones.get(store);
  if (dead) return dead;
  const ids = /** @type {Map<string, number>} */ (new Map());
  dead = ids;
  tombstones.set(store, ids);
  guardRedisWrites(store);
  for (const name of /** @type {const} */ (['get', 'set', 'touch', 'destroy'])) {
    if (typeof store[name] === 'function') store[name] = withDeadline(store[name], name);
  }
  for (const name of /** @type {const} */ (['set', 'touch'])) {
    const original = store[name];
    if (typeof original !== 'function') continue;
    store[name] = function refuseDead(/** @type {string} */ sid, /** @type {unknown} */ sess, /** @type {unknown} */ cb) {
      if (ids.has(sid) || (name === 'touch' && requestBudget.getStore()?.saved === sid)) {
        if (typeof cb === 'function') process.nextTick(cb);
        return undefined;
      }
      return original.call(this, sid, sess, cb);
    };
  }
  return ids;
}

// ---------------------------------------------------------------- Redis writes

/**
 * The session write, run inside Redis: applied only while Redis's own clock
 * (TIME) is not past ARGV[3], the latest moment the request still waits for
 * it, in Redis's clock. A write that reaches Redis later (a Redis that froze
 * with it in its socket, a slow network) is refused, so it cannot reset a
 * session's idle clock after the browser was told 503.
 * KEYS[1] the session key; ARGV: the session, its TTL in seconds (0: none),
 * the cutoff in ms. Returns { applied (1|0), TIME seconds, TIME µs }.
 */
const GUARDED_SET_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
if tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000 > tonumber(ARGV[3]) then return { 0, t[1], t[2] } end
if ARGV[2] == '0' then redis.call('SET', KEYS[1], ARGV[1]) else redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return { 1, t[1], t[2] }
`;

/**
 * How long before the request stops waiting Redis stops accepting its write.
 * It leaves the answer of a write applied at the last moment time to come
 * back, and covers the drift of the two clocks between measurements (NTP
 * slews at most 0.5 ms per second) and small steps of Redis's clock.
 */
const REPLY_MARGIN_MS = 100;

/** A measured clock offset is used for this long, then measured afresh. */
const CLOCK_MAX_AGE_MS = 10_000;

/**
 * Redis client → the largest lower bound known of (Redis's TIME − this
 * process's performance.now()), in ms, and when it was measured. Each answer
 * that carries Redis's TIME gives one: Redis read its clock before this
 * process read its own, so TIME − now can only be smaller than the true
 * offset, never larger, whatever the two clocks say.
 * @type {WeakMap<object, { offset: number, at: number }>}
 */
const redisClocks = new WeakMap();

/**
 * Make a connect-redis store's writes conditional on the request's deadline.
 * A deadline can stop the waiting but not take back a command already sent:
 * without this, a write sent to a Redis that then stops (SIGSTOP, a
 * partition) is applied when it resumes, though the browser was told 503.
 * So the store's client is wrapped (for this store only) so that its `set`
 * becomes GUARDED_SET_SCRIPT, with a cutoff REPLY_MARGIN_MS before the call's
 * deadline, translated into Redis's clock by the offset measured from
 * earlier answers. No clock needs to agree with another: a skewed clock only
 * makes the measured offset differ. It applies when `store.client` is a
 * node-redis client itself (connect-redis 9), and only to what connect-redis
 * sends through it: a SET with an EX expiry or none. Anything else, and
 * stores on other clients (ioredis, a cluster, an adapter), are left as they
 * are.
 * @param {any} store
 */
function guardRedisWrites(store) {
  const client = store.client;
  const nodeRedis =
    client && typeof client === 'object' && typeof client.sendCommand === 'function' && typeof client.set === 'function' && 'isOpen' in client && !('masters' in client);
  if (!nodeRedis || typeof store.prefix !== 'string') return;
  // A reconnect may reach another Redis (a failover): measure its clock afresh.
  if (!redisClocks.has(client) && typeof client.on === 'function') client.on('ready', () => redisClocks.delete(client));
  /** @type {Map<PropertyKey, Function>} */
  const bound = new Map();
  store.client = new Proxy(client, {
    get(target, prop) {
      if (prop === 'set') {
        return (/** @type {string} */ key, /** @type {string} */ value, /** @type {any} */ options) => {
          const ttl = expirySeconds(options);
          if (ttl === null) return target.set(key, value, options);
          const due = callDue.getStore() ?? performance.now() + STORE_TIMEOUT_MS;
          return setBefore(target, store, key, value, ttl, due - REPLY_MARGIN_MS);
        };
      }
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      // The client keeps private state: its methods must run on it, not on the proxy.
      if (!bound.has(prop)) bound.set(prop, value.bind(target));
      return bound.get(prop);
    },
  });
}

/**
 * The expiry connect-redis asks of a SET, in seconds: 0 for none, null for
 * anything this guard does not know (left to the client as it is).
 * @param {any} options
 * @returns {number | null}
 */
function expirySeconds(options) {
  if (options === undefined || options === null) return 0;
  const keys = Object.keys(options);
  const ok = (/** @type {unknown} */ n) => (typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null);
  if (keys.length === 1 && keys[0] === 'expiration' && options.expiration?.type === 'EX') return ok(options.expiration.value); // node-redis 5
  if (keys.length === 1 && keys[0] === 'EX') return ok(options.EX); // node-redis 4
  return null;
}

/**
 * SET `key` through GUARDED_SET_SCRIPT, applied only if Redis runs it by
 * `cutoff` (performance.now() ms); rejects with ESTORELATE otherwise.
 * @param {any} client
 * @param {any} store
 * @param {string} key
 * @param {string} value
 * @param {number} ttl seconds, 0 for none
 * @param {number} cutoff
 */
async function setBefore(client, store, key, value, ttl, cutoff) {
  let offset = knownOffset(client);
  if (offset === undefined) {
    offset = learnOffset(client, await client.sendCommand(['TIME']));
    // Signed out while the clock was read: the sign-out's delete may already
    // be on its way, and this write must not follow it.
    if (tombstones.get(store)?.has(key.slice(store.prefix.length))) return 'OK';
  }
  if (performance.now() >= cutoff) throw lateWrite();
  const reply = await client.sendCommand(['EVAL', GUARDED_SET_SCRIPT, '1', key, value, String(ttl), String(cutoff + offset)]);
  learnOffset(client, reply.slice(1));
  if (Number(reply[0]) !== 1) throw lateWrite();
  return 'OK';
}

/** @param {object} client */
function knownOffset(client) {
  const known = redisClocks.get(client);
  return known && performance.now() - known.at <= CLOCK_MAX_AGE_MS ? known.offset : undefined;
}

/**
 * Take Redis's TIME from an answer just received; returns the offset to use.
 * @param {object} client
 * @param {unknown[]} time [seconds, microseconds]
 */
function learnOffset(client, time) {
  const at = performance.now();
  const offset = Number(time[0]) * 1000 + Number(time[1]) / 1000 - at;
  if (!Number.isFinite(offset)) throw new Error('session store: Redis answered TIME with something that is not a time');
  const known = redisClocks.get(client);
  if (known && offset <= known.offset && at - known.at <= CLOCK_MAX_AGE_MS) return known.offset;
  redisClocks.set(client, { offset, at });
  return offset;
}

function lateWrite() {
  return Object.assign(new Error('session store: the write reached Redis after the request stopped waiting for it, and was not applied'), {
    code: 'ESTORELATE',
  });
}

// ---------------------------------------------------------------- helpers

/**
 * @param {any} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
function sendJson(res, status, body, headers = {}) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  // The answer describes this instant of this session: no cache may keep it.
  res.setHeader('Cache-Control', 'no-store');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(JSON.stringify(body));
}

/** @param {unknown} url */
function pathnameOf(url) {
  if (typeof url !== 'string') return '/';
  const q = url.search(/[?#]/);
  return q === -1 ? url : url.slice(0, q);
}

function newToken() {
  return randomBytes(32).toString('base64url');
}

/**
 * @param {string} a
 * @param {string} b
 */
function safeEqual(a, b) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** @param {any} req */
function isSecure(req) {
  if (typeof req.secure === 'boolean') return req.secure; // Express, honours 'trust proxy'
  return Boolean(req.socket?.encrypted);
}

/**
 * @param {any} req
 * @param {string} name
 */
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

/**
 * @param {any} res
 * @param {string} value
 */
function appendSetCookie(res, value) {
  const prev = res.getHeader('Set-Cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  res.setHeader('Set-Cookie', [...list.filter((c) => !c.startsWith(value.slice(0, value.indexOf('=') + 1))), value]);
}

/**
 * Expose the token in a cookie that page scripts (the element) can read.
 * Not HttpOnly on purpose: it is the readable half of the synchroniser token
 * kept in the session. SameSite=Lax so cross-site subrequests do not carry it.
 * @param {any} req
 * @param {any} res
 * @param {string} token
 * @param {NormalizedOptions} opts
 * @param {{ force?: boolean }} [how]
 */
function syncCsrfCookie(req, res, token, opts, { force = false } = {}) {
  if (!force && readCookie(req, opts.csrf.cookie) === token) return;
  const secure = isSecure(req) ? '; Secure' : '';
  appendSetCookie(res, `${opts.csrf.cookie}=${token}; Path=/; SameSite=Lax${secure}`);
}

/**
 * Tell the browser to forget express-session's cookie for `sid`. Its name is
 * not exposed by express-session, so find the cookie that carries this id
 * (express-session signs it as `s:<id>.<signature>`).
 * @param {any} req
 * @param {any} res
 * @param {unknown} sid
 * @param {{ path?: string, domain?: string, sameSite?: unknown, secure?: unknown } | undefined} cookie
 */
function clearSessionCookie(req, res, sid, cookie) {
  if (typeof sid !== 'string') return;
  const header = req.headers?.cookie;
  if (typeof header !== 'string') return;
  const prefix = `s:${sid}.`;
  let name;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      continue;
    }
    if (value.startsWith(prefix)) {
      name = part.slice(0, eq).trim();
      break;
    }
  }
  if (!name || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return;
  const path = typeof cookie?.path === 'string' && /^\/[^;\s]*$/.test(cookie.path) ? cookie.path : '/';
  const domain = typeof cookie?.domain === 'string' && /^[A-Za-z0-9.-]+$/.test(cookie.domain) ? `; Domain=${cookie.domain}` : '';
  const sameSite =
    typeof cookie?.sameSite === 'string' && /^(lax|strict|none)$/i.test(cookie.sameSite)
      ? `; SameSite=${cookie.sameSite[0].toUpperCase()}${cookie.sameSite.slice(1).toLowerCase()}`
      : cookie?.sameSite === true
        ? '; SameSite=Strict'
        : '';
  const secure = isSecure(req) || cookie?.secure === true ? '; Secure' : '';
  appendSetCookie(res, `${name}=; Path=${path}${domain}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly${sameSite}${secure}`);
}

/**
 * @param {any} req
 * @param {any} res
 * @param {NormalizedOptions} opts
 */
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
 * @param {any} req
 * @param {any} res
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
    res[method] = function checkedBeforeSend(/** @type {unknown[]} */ ...args) {
      check();
      return original.apply(this, args);
    };
  }
}

/** @param {any} sess */
function isEmptySession(sess) {
  return Boolean(sess) && Object.keys(sess).every((key) => key === 'cookie');
}

/**
 * Empty the in-memory copy of a session on a passive path (where nothing is
 * persisted anyway), so the handler behind it sees an anonymous request even
 * with a custom isSignedIn.
 * @param {any} sess
 */
function wipe(sess) {
  for (const key of Object.keys(sess)) if (key !== 'cookie') delete sess[key];
}

/** @param {object} obj */
function stripUndefined(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

/** @param {unknown} v */
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
