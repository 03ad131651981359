/**
 * The server calls (docs/design.md, server contract): status and keepalive for each wire protocol,
 * with every answer sorted into ok / expired / error. Expiry and error are
 * kept strictly apart: only a clear sign that the session is over (EXPIRED,
 * TIMEOUT, 401/440, a redirect, a login page) is an expiry; a 403, 5xx,
 * bad JSON, a timeout or a network failure is an error the caller retries.
 */
import { MAX_SECONDS } from './config.js';
import type { Clock } from './environment.js';

export type Protocol = 'session-timeout' | 'django-session-security';
export type Operation = 'status' | 'keepalive';

export interface ServerState {
  kind: 'ok';
  /** Whole seconds since the server last saw a request. */
  idleTime: number;
  idleLimit?: number;
  timeoutLimit?: number;
  /** Seconds to an absolute end that keepalive cannot move. */
  expiresIn?: number;
  /**
   * Keepalive answers only: whole seconds the session had been idle when the
   * keepalive arrived (activity the server saw just before it).
   */
  priorIdleTime?: number;
  /** The person's draft key, base64url of 32 bytes, from the answer of a live session. */
  draftKey?: string;
}
export interface Expired {
  kind: 'expired';
  reason: string;
}
export interface CallError {
  kind: 'error';
  status?: number;
  message: string;
  /** The least wait before trying again, ms: from `Retry-After`, or the engine's own (an answer without progress). */
  retryAfter?: number;
}
export type CallResult = ServerState | Expired | CallError;

export interface ClientOptions {
  protocol: Protocol;
  statusUrl: string | null;
  keepaliveUrl: string | null;
  keepaliveMethod: 'POST' | 'GET';
  csrfCookie: string;
  csrfHeader: string;
}

/**
 * The URL a keepalive goes to, or null when there is none (the one place
 * that knows this). django-session-security has one endpoint, its ping: the
 * status URL doubles as the keepalive (sent with idleFor=0) unless another
 * is given.
 */
export function keepaliveTarget(options: Pick<ClientOptions, 'protocol' | 'statusUrl' | 'keepaliveUrl'>): string | null {
  if (options.protocol === 'django-session-security') return options.keepaliveUrl ?? options.statusUrl;
  return options.keepaliveUrl;
}

/** Every server call is aborted after this long (docs/design.md, failure rules). */
export const CALL_TIMEOUT_MS = 5000;

export class SessionClient {
  /** A token the server handed back in `X-CSRF-Token`; wins over cookie and meta. */
  #refreshedToken: string | null = null;

  readonly #fetchImpl: (input: string, init: RequestInit) => Promise<Response>;
  readonly #clock: Clock;
  readonly #doc: Document | null;

  constructor(
    fetchImpl: (input: string, init: RequestInit) => Promise<Response>,
    clock: Clock,
    public options: ClientOptions,
    doc: Document | null = typeof document === 'undefined' ? null : document,
  ) {
    this.#fetchImpl = fetchImpl;
    this.#clock = clock;
    this.#doc = doc;
  }

  /** Ask the server; never counted as activity. `idleFor`: seconds since local activity (django-session-security reports it). */
  status(idleFor: number, signal?: AbortSignal): Promise<CallResult> {
    return this.#call('status', this.options.statusUrl, 'GET', idleFor, signal);
  }

  /** Mark the session active. `idleFor` is 0 when the person acted just now. */
  keepalive(idleFor: number, signal?: AbortSignal): Promise<CallResult> {
    return this.#call('keepalive', keepaliveTarget(this.options), this.options.keepaliveMethod, idleFor, signal);
  }

  #csrfToken(): string | null {
    const doc = this.#doc;
    if (this.#refreshedToken || !doc) return this.#refreshedToken;
    for (const part of doc.cookie.split(';')) {
      const eq = part.indexOf('=');
      const value = part.slice(eq + 1).trim();
      if (eq > 0 && value && part.slice(0, eq).trim() === this.options.csrfCookie) return safeDecode(value);
    }
    return doc.querySelector('meta[name="csrf-token"]')?.getAttribute('content') || null;
  }

  async #call(op: Operation, url: string | null, method: 'GET' | 'POST', idleFor: number, outer?: AbortSignal): Promise<CallResult> {
    if (!url) return { kind: 'error', message: `no ${op}-url` };
    if (this.options.protocol === 'django-session-security') {
      // One ping URL for both: the client's idle seconds go in the query.
      const u = new URL(url, this.#doc?.baseURI ?? 'http://localhost/');
      u.searchParams.set('idleFor', String(Math.max(0, Math.floor(idleFor))));
      url = u.href;
      method = 'GET';
    }
    const controller = new AbortController();
    const abort = () => controller.abort();
    outer?.addEventListener('abort', abort);
    const timer = this.#clock.setTimeout(abort, CALL_TIMEOUT_MS);
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = method === 'GET' ? null : this.#csrfToken();
    if (token) headers[this.options.csrfHeader] = token;
    try {
      const response = await this.#fetchImpl(url, {
        method,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        // A redirect is the session being over (a login page), not data.
        redirect: 'manual',
        signal: controller.signal,
      });
      this.#refreshedToken = response.headers.get('X-CSRF-Token') || this.#refreshedToken;
      return await this.#read(response, op);
    } catch (error) {
      if (controller.signal.aborted) {
        return { kind: 'error', message: outer?.aborted ? 'aborted' : `no answer within ${CALL_TIMEOUT_MS / 1000} s` };
      }
      return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
    } finally {
      this.#clock.clearTimeout(timer);
      outer?.removeEventListener('abort', abort);
    }
  }

  async #read(response: Response, op: Operation): Promise<CallResult> {
    const { status } = response;
    if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) return expired('redirect');
    if (status === 401 || status === 440) return expired(`HTTP ${status}`);
    if (!response.ok) {
      const error = failed(status, `HTTP ${status}`);
      const retryAfter = parseRetryAfter(response.headers.get('Retry-After'), this.#clock.now());
      if (retryAfter) error.retryAfter = retryAfter;
      return error;
    }
    const text = await response.text();
    if (!text.trim()) {
      // A keepalive endpoint that answers 204 No Content (or an empty 200)
      // did its job: the server saw a request now. An empty status is no answer.
      return op === 'keepalive' ? { kind: 'ok', idleTime: 0 } : failed(status, 'empty answer');
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      // A 200 page that is not JSON is the login page a proxy or the
      // framework served instead: the session is over. A body announced as
      // JSON that does not parse is a broken server, not an expiry.
      return /json/i.test(response.headers.get('Content-Type') ?? '') ? failed(status, 'invalid JSON') : expired('not JSON');
    }
    return this.options.protocol === 'django-session-security' ? readPing(body, status) : readStatus(body, status, op);
  }
}

const expired = (reason: string): Expired => ({ kind: 'expired', reason });
const failed = (status: number, message = 'unexpected answer'): CallError => ({ kind: 'error', status, message });

/** The numbers an answer may carry; `priorIdleTime` only means something for a keepalive. */
const NUMBERS = ['idleTime', 'idleLimit', 'timeoutLimit', 'expiresIn', 'priorIdleTime'] as const;

function readStatus(body: unknown, status: number, op: Operation): CallResult {
  const b = (body ?? {}) as Record<string, unknown>;
  if (b.status === 'EXPIRED' || b.status === 'TIMEOUT') return expired(b.status);
  if ((b.status !== 'ACTIVE' && b.status !== 'IDLE') || b.idleTime === undefined) return failed(status);
  // Every number the engine plans with is held to the rules of the
  // attributes: a huge but finite limit would otherwise become an Infinity
  // or NaN deadline, and timers that spin. Such an answer is an error (the
  // caller backs off), never a plan.
  const result = { kind: 'ok' } as ServerState;
  for (const field of NUMBERS) {
    const value = b[field];
    if (value === undefined || (field === 'priorIdleTime' && op !== 'keepalive')) continue;
    if (!isSeconds(value)) return outOfRange(status, field, value);
    result[field] = value;
  }
  const { idleLimit, timeoutLimit } = result;
  if (idleLimit === undefined || timeoutLimit === undefined) {
    // One limit alone plans nothing.
    delete result.idleLimit;
    delete result.timeoutLimit;
  } else {
    if (!idleLimit || idleLimit >= timeoutLimit) return outOfRange(status, 'idleLimit', idleLimit, ` (timeoutLimit ${timeoutLimit})`);
    // The fork compares with `>` and floors idleTime: at idleTime ===
    // timeoutLimit it still says IDLE, but the time is up.
    if (result.idleTime >= timeoutLimit) return expired('TIMEOUT');
  }
  // A key of any other shape is not trusted, and not an error either: the
  // session is fine, only drafts stay off.
  if (typeof b.draftKey === 'string' && DRAFT_KEY.test(b.draftKey)) result.draftKey = b.draftKey;
  return result;
}

/**
 * base64url (no padding) of exactly 32 bytes: 43 characters, the last one
 * carrying 4 bits of data and 2 zero bits (so only 16 letters can end it).
 */
const DRAFT_KEY = /^[\w-]{42}[AEIMQUYcgkosw048]$/;

function readPing(body: unknown, status: number): CallResult {
  if (body === 'logout') return expired('logout');
  // The ping answers the server's idle seconds as a bare integer.
  if (isSeconds(body)) return { kind: 'ok', idleTime: body };
  return typeof body === 'number' ? outOfRange(status, 'idle time', body) : failed(status);
}

/** A number that broke the rules (whole seconds from 0 to a year, 0 < idleLimit < timeoutLimit). */
const outOfRange = (status: number, field: string, value: unknown, why = ''): CallError =>
  failed(status, `unexpected answer: ${field} ${String(JSON.stringify(value)).slice(0, 40)} out of range${why}`);

/** Whole seconds from 0 to a year: the rule of the attributes. */
function isSeconds(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_SECONDS;
}

function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  // Held to the same bound as every other time from the server: beyond it
  // (or unreadable), the usual backoff applies instead.
  return ms <= MAX_SECONDS * 1000 ? Math.max(0, ms) : undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
