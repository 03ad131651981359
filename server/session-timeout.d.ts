// Hand-written types for server/session-timeout.js (plain ESM JavaScript).
// Structural request/response types keep this usable with Express and Connect
// without depending on either package's types.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** Key under which the middleware keeps its data in `req.session`. */
export declare const SESSION_KEY: 'sessionTimeout';

/** What the middleware stores in `req.session[SESSION_KEY]`. */
export interface SessionTimeoutState {
  /** ms (server clock) when signIn() ran; the absolute lifetime counts from here. */
  startedAt: number;
  /** ms (server clock) of the last recorded activity. */
  lastActivity: number;
  /** synchroniser CSRF token. */
  csrf: string;
}

export interface CsrfOptions {
  /** readable cookie that carries the token to page scripts. Default `csrftoken`. */
  cookie?: string;
  /** request header checked on POST keepalive. Default `x-csrftoken` (case-insensitive). */
  header?: string;
  /** form body field accepted by verifyCsrf() when the header is absent. Default `_csrf`. */
  field?: string;
}

/** A request after express-session: anything with `session`, `sessionID`, `headers`, `url`, `method`. */
export type SessionRequest = IncomingMessage & {
  session?: any;
  sessionID?: string;
  sessionStore?: any;
  body?: unknown;
  res?: ServerResponse & { locals?: Record<string, unknown> };
  sessionTimeout?: RequestInfo;
  [key: string]: any;
};

export type SessionResponse = ServerResponse & { locals?: Record<string, unknown> };

/** Limits for one session; a field left out keeps the static option. */
export interface SessionLimits {
  /** warn after this many idle seconds. */
  idleSeconds?: number;
  /** signed out after this many idle seconds, total. */
  timeoutSeconds?: number;
}

/** The limits that apply to a session, resolved and valid. */
export interface ResolvedLimits {
  readonly idleSeconds: number;
  readonly timeoutSeconds: number;
}

export interface SessionTimeoutOptions {
  /** warn after this many idle seconds (SESSION_IDLE_SECONDS). Default 780. */
  idleSeconds?: number;
  /** signed out after this many idle seconds, total (SESSION_TIMEOUT_SECONDS). Default 900. Must exceed idleSeconds. */
  timeoutSeconds?: number;
  /** absolute session lifetime in seconds (SESSION_EXPIRE_SECONDS); null/undefined = none. */
  expireSeconds?: number | null;
  /** write lastActivity at most once per N seconds (SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD). Default 0; must be < idleSeconds. */
  gracePeriodSeconds?: number;
  /** Default `/session/status`. */
  statusPath?: string;
  /** Default `/session/keepalive`. */
  keepalivePath?: string;
  /** more paths that are neither activity nor allowed to save/touch the session (e.g. an SSE stream). */
  passivePaths?: string[];
  /** Default: `Boolean(req.session?.user)`. Also called with `{ session }` only, by snapshot()/isOver(). */
  isSignedIn?: (req: { session?: any } & Partial<SessionRequest>) => boolean;
  /** clock in ms; a seam for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * Per-session limits, e.g. a shorter timeout for some users. Called with the
   * request in the middleware, and with `{ session }` only by snapshot(),
   * isOver() and limitsFor(). Return null/undefined for the static
   * idleSeconds/timeoutSeconds (the default). Status and keepalive then report
   * these values as `idleLimit`/`timeoutLimit`, and expiry uses them. An answer
   * that is not whole seconds >= 1, has idleSeconds >= timeoutSeconds, or
   * idleSeconds <= gracePeriodSeconds is ignored (the static limits apply).
   * Give the session store a TTL of at least the longest timeout you return.
   */
  limits?: ((req: { session?: any } & Partial<SessionRequest>) => SessionLimits | null | undefined) | null;
  /** accept GET on the keepalive path (no CSRF check). Default false. */
  allowGetKeepalive?: boolean;
  csrf?: CsrfOptions;
  /** enable draft keys: status and keepalive of a live session then carry `draftKey`. Default none. */
  drafts?: DraftOptions | null;
}

export interface DraftOptions {
  /**
   * server secret (at least 32 bytes) for `draftKey = base64url(HMAC-SHA256(secret, userId))`.
   * Keep it stable: a new secret makes every sealed draft unreadable.
   */
  secret: string | Buffer;
  /**
   * the person's stable id, from the session data. Default: `session.user` when it is a
   * string or number, else `session.user.id`. No id (undefined or '') → no draftKey.
   */
  userId?: (session: any) => string | undefined;
}

export interface NormalizedOptions {
  readonly idleSeconds: number;
  readonly timeoutSeconds: number;
  readonly expireSeconds: number | null;
  readonly gracePeriodSeconds: number;
  readonly statusPath: string;
  readonly keepalivePath: string;
  readonly passivePaths: ReadonlySet<string>;
  readonly isSignedIn: (req: { session?: any }) => boolean;
  readonly now: () => number;
  readonly limits: ((req: { session?: any }) => SessionLimits | null | undefined) | null;
  readonly allowGetKeepalive: boolean;
  readonly csrf: Readonly<Required<CsrfOptions>>;
  /** null without the `drafts` option. The secret itself is not kept here (only inside `keyFor`). */
  readonly drafts: Readonly<{
    /** the draft key for a session's person, or undefined when userId gives none. */
    keyFor: (session: any) => string | undefined;
    userId: (session: any) => string | undefined;
  }> | null;
}

/** The status / keepalive JSON body of a live session. */
export interface StatusBody {
  status: 'ACTIVE' | 'IDLE';
  idleTime: number;
  idleLimit: number;
  timeoutLimit: number;
  expiresIn?: number;
  /** keepalive only: whole seconds the session had been idle when the keepalive arrived. */
  priorIdleTime?: number;
  /** with the `drafts` option: the person's draft key, base64url of 32 bytes. */
  draftKey?: string;
}

export type ExpiredBody = { status: 'EXPIRED' };

/** Millisecond view of a session for dashboards. */
export type SessionSnapshot =
  | { phase: 'EXPIRED' }
  | {
      phase: 'ACTIVE' | 'IDLE' | 'TIMEOUT' | 'LIFETIME';
      idleMs: number;
      idleLimit: number;
      timeoutLimit: number;
      expiresInMs: number | null;
      lastActivity: number;
      startedAt: number;
      now: number;
    };

/** Facts the middleware leaves on `req.sessionTimeout`. */
export interface RequestInfo {
  instance: SessionTimeoutMiddleware;
  /** the session id the request arrived with (kept even when the middleware hides it from express-session). */
  sessionId: string | undefined;
  /**
   * counted: lastActivity moved; grace: activity within the grace period (not written);
   * passive: status or a passive path; anonymous; expired: the session was over and flushed;
   * revoked: the request came with an id that was signed out (or signed in over) meanwhile;
   * rejected: keepalive failed CSRF; unsaved: the store failed to save a keepalive (answered 503);
   * no-session: express-session gave no session; none: not classified.
   */
  activity: 'counted' | 'grace' | 'passive' | 'anonymous' | 'expired' | 'revoked' | 'rejected' | 'unsaved' | 'no-session' | 'none';
  counted: boolean;
}

export interface SessionTimeoutMiddleware {
  (req: SessionRequest, res: SessionResponse, next: (err?: unknown) => void): void;
  readonly options: NormalizedOptions;
  /** the limits that apply to a request (or `{ session }`): the `limits` option's valid answer, else the static ones. */
  limitsFor(req: { session?: any } & Partial<SessionRequest>): ResolvedLimits;
  /** status body for a state at time t (ms); `limits` default: the static ones. */
  describe(state: SessionTimeoutState, t?: number, opts?: { idleMsOverride?: number; limits?: ResolvedLimits }): StatusBody;
  /** read-only view of raw session data. */
  snapshot(session: unknown, t?: number): SessionSnapshot;
  /** true when the raw session data is signed in and over (for store sweeps). */
  isOver(session: unknown, t?: number): boolean;
  /** check the CSRF header (else body field) against the session's token. */
  verifyCsrf(req: SessionRequest): boolean;
  /**
   * guard the store you give express-session before the first request (one deadline per request,
   * Redis writes refused once past it, signed-out ids kept dead); returns it. Without it, the first
   * request that reaches the middleware guards it, and requests that read their session before that
   * one have no deadline.
   */
  guardStore<S extends { get: (...args: any[]) => unknown; set: (...args: any[]) => unknown }>(store: S): S;
  /** regenerate the session id (the old one stays dead), store `user`, start the clocks, issue a CSRF token (resolved). */
  signIn(req: SessionRequest, user: unknown): Promise<string>;
  /**
   * flush the session: the old id stays dead (requests in flight cannot write it back), the
   * session cookie and the CSRF cookie are cleared; a fresh anonymous session follows.
   */
  signOut(req: SessionRequest): Promise<void>;
}

/** Validate options; throws TypeError naming the option and value. */
export declare function normalizeOptions(options?: SessionTimeoutOptions): NormalizedOptions;

export declare function sessionTimeout(options?: SessionTimeoutOptions): SessionTimeoutMiddleware;

/** Same as the instance methods, through the instance that handled `req`. */
export declare function signIn(req: SessionRequest, user: unknown): Promise<string>;
export declare function signOut(req: SessionRequest): Promise<void>;
export declare function verifyCsrf(req: SessionRequest): boolean;

/**
 * Final Express error handler: keeps 4xx codes, hides every message and stack of 5xx, and
 * answers a session store failure (express-session could not load the session) with 503 and
 * Retry-After, which the element retries. Public for that last part: express-session hands
 * store failures to the error handler, so no ordinary middleware can answer them.
 */
export declare function errorHandler(options?: {
  log?: (err: unknown, req: SessionRequest) => void;
}): (err: unknown, req: SessionRequest, res: SessionResponse, next: (err?: unknown) => void) => void;

/**
 * node-redis client options for a session store that fails fast and recovers by itself:
 * no offline queue, a 1 s command timeout, reconnect every 50–500 ms for ever, a 1 s connect
 * timeout. Yours are kept (`socket` and `commandOptions` merged): `createClient(redisClientOptions({ url }))`.
 * Give the connect-redis store on such a client to the middleware's `guardStore()` before serving:
 * its session writes are then conditional on the request's deadline (a Lua script checked against
 * Redis's clock), so a write the browser was told failed is never applied late.
 */
export declare function redisClientOptions<T extends Record<string, any>>(
  overrides?: T,
): T & {
  disableOfflineQueue: boolean;
  commandOptions: Record<string, any> & { timeout: number };
  socket: Record<string, any> & { connectTimeout: number; reconnectStrategy: ((retries: number) => number) | number | false };
};

export default sessionTimeout;
