/**
 * Attribute values in, a safe configuration out. Nothing here throws: an
 * invalid value is reported once with console.error naming the attribute and
 * the value, and the default (or no URL) is used (README, API).
 */
import type { Protocol } from './session-client.js';
import { channelName } from './tab-sync.js';

export const DEFAULT_IDLE_SECONDS = 780;
export const DEFAULT_TIMEOUT_SECONDS = 900;
export const DEFAULT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart', 'scroll'];
/**
 * Longer limits than a year are a typo, and overflow timers. The same bound
 * holds for the limits and times a server reports (session-client.ts): one
 * rule for every number of seconds the element plans with.
 */
export const MAX_SECONDS = 366 * 24 * 3600;

export interface Config {
  statusUrl: string | null;
  keepaliveUrl: string | null;
  keepaliveMethod: 'POST' | 'GET';
  signoutUrl: string | null;
  timeoutUrl: string | null;
  idleSeconds: number;
  timeoutSeconds: number;
  /** The page gave at least one limit: no status request is needed on load. */
  limitsGiven: boolean;
  protocol: Protocol;
  csrfCookie: string;
  csrfHeader: string;
  activityEvents: string[];
  /** The cross-tab channel's name: the one given, else derived from the origin and the status URL. */
  channel: string;
  noTabSync: boolean;
  keepDrafts: boolean;
}

/**
 * The configuration as set on the element, one entry per attribute that
 * configures the session (the element checks, at compile time, that its
 * reactive properties name exactly these). Values are `unknown`: a property
 * can be set to anything from script.
 */
export type RawConfig = { [K in Exclude<keyof Config, 'limitsGiven'>]?: unknown };

export interface PageLocation {
  href: string;
  origin: string;
}

export type Reporter = (attribute: string, value: unknown, problem: string, fallback: string) => void;

/** A reporter that says each (attribute, value) once. */
export function onceReporter(log: (message: string) => void = console.error): Reporter {
  const said = new Set<string>();
  return (attribute, value, problem, fallback) => {
    const key = `${attribute}\u0000${String(value)}`;
    if (said.has(key)) return;
    said.add(key);
    log(`session-timeout-dialog: invalid ${attribute}="${String(value)}": ${problem}; ${fallback}.`);
  };
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const EVENT_NAME = /^[a-z][a-z0-9_:-]*$/i;

export function resolveConfig(raw: RawConfig, page: PageLocation, report: Reporter): Config {
  const url = (attribute: string, value: unknown, sameOrigin: boolean) =>
    safeUrl(attribute, value, page, sameOrigin, report);

  const idleGiven = seconds('idle-seconds', raw.idleSeconds, report);
  const timeoutGiven = seconds('timeout-seconds', raw.timeoutSeconds, report);
  let idle = idleGiven ?? DEFAULT_IDLE_SECONDS;
  let timeout = timeoutGiven ?? DEFAULT_TIMEOUT_SECONDS;
  if (idle >= timeout) {
    if (idleGiven === undefined) {
      // Only timeout-seconds, shorter than the default idle: keep the default
      // warning lead (2 min) where it fits, else warn at half-time.
      idle = Math.max(timeout - (DEFAULT_TIMEOUT_SECONDS - DEFAULT_IDLE_SECONDS), timeout / 2);
    } else if (timeoutGiven === undefined) {
      // Only idle-seconds, longer than the default timeout: the same lead after it.
      timeout = Math.min(MAX_SECONDS, idle + (DEFAULT_TIMEOUT_SECONDS - DEFAULT_IDLE_SECONDS));
      if (idle >= timeout) idle = timeout / 2;
    } else {
      report('idle-seconds', raw.idleSeconds, `must be less than timeout-seconds (${timeout})`, `using ${DEFAULT_IDLE_SECONDS} and ${DEFAULT_TIMEOUT_SECONDS}`);
      idle = DEFAULT_IDLE_SECONDS;
      timeout = DEFAULT_TIMEOUT_SECONDS;
    }
  }

  const method = text(raw.keepaliveMethod ?? 'POST').toUpperCase();
  if (method !== 'POST' && method !== 'GET') report('keepalive-method', raw.keepaliveMethod, 'must be POST or GET', 'using POST');

  let protocol: Protocol = 'session-timeout';
  if (raw.protocol === 'django-session-security') protocol = raw.protocol;
  else if (raw.protocol && raw.protocol !== 'session-timeout') {
    report('protocol', raw.protocol, 'must be session-timeout or django-session-security', 'using session-timeout');
  }

  const signoutUrl = url('signout-url', raw.signoutUrl, false);
  const statusUrl = url('status-url', raw.statusUrl, true);
  let keepaliveUrl = url('keepalive-url', raw.keepaliveUrl, true);
  // A status request never counts as activity, so a keepalive sent to it
  // would keep nothing alive while the element believes it did. The
  // django-session-security ping is both by design (keepaliveTarget).
  if (protocol === 'session-timeout' && statusUrl && keepaliveUrl && requestTarget(keepaliveUrl) === requestTarget(statusUrl)) {
    report('keepalive-url', raw.keepaliveUrl, 'is the status-url, never activity', 'no keepalive');
    keepaliveUrl = null;
  }
  return {
    statusUrl,
    keepaliveUrl,
    keepaliveMethod: method === 'GET' ? 'GET' : 'POST',
    signoutUrl,
    timeoutUrl: url('timeout-url', raw.timeoutUrl, false) ?? signoutUrl,
    idleSeconds: idle,
    timeoutSeconds: timeout,
    // Only valid limits count as given; otherwise one status request learns them.
    limitsGiven: idleGiven !== undefined || timeoutGiven !== undefined,
    protocol,
    csrfCookie: token('csrf-cookie', raw.csrfCookie, 'csrftoken', report),
    csrfHeader: token('csrf-header', raw.csrfHeader, 'X-CSRFToken', report),
    activityEvents: events(raw.activityEvents, report),
    channel: raw.channel ? text(raw.channel) : channelName(page.origin, statusUrl),
    noTabSync: Boolean(raw.noTabSync),
    keepDrafts: Boolean(raw.keepDrafts),
  };
}

/** Properties can be set to anything from script: never throw on a non-string. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/** A valid number of seconds, or undefined when none (or an invalid one, reported) was given. */
function seconds(attribute: string, value: unknown, report: Reporter): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > MAX_SECONDS) {
    const fallback = attribute === 'idle-seconds' ? DEFAULT_IDLE_SECONDS : DEFAULT_TIMEOUT_SECONDS;
    report(attribute, value, `must be a number of seconds between 0 and ${MAX_SECONDS}`, `using ${fallback}`);
    return undefined;
  }
  return n;
}

/**
 * Only http(s) URLs are followed or fetched: `javascript:`, `data:`,
 * `vbscript:` and the like are refused. Status and keepalive carry the
 * session's credentials, so they must stay on the page's origin.
 */
export function safeUrl(
  attribute: string,
  value: unknown,
  page: PageLocation,
  sameOrigin: boolean,
  report: Reporter,
): string | null {
  if (value === null || value === undefined || text(value).trim() === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(text(value), page.href);
  } catch {
    report(attribute, value, 'not a URL', 'ignoring it');
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    report(attribute, value, `the ${parsed.protocol} scheme is not allowed (http and https only)`, 'ignoring it');
    return null;
  }
  if (sameOrigin && parsed.origin !== page.origin) {
    report(attribute, value, `must be on this page's origin (${page.origin}): session credentials never go to another origin`, 'ignoring it');
    return null;
  }
  return parsed.href;
}

function token(attribute: string, value: unknown, fallback: string, report: Reporter): string {
  if (value === null || value === undefined || value === '') return fallback;
  if (typeof value === 'string' && TOKEN.test(value)) return value;
  report(attribute, value, 'not a valid name', `using ${fallback}`);
  return fallback;
}

function events(value: unknown, report: Reporter): string[] {
  if (value === null || value === undefined) return DEFAULT_EVENTS;
  const names = text(value).split(/\s+/).filter(Boolean);
  const bad = names.filter((name) => !EVENT_NAME.test(name));
  if (names.length === 0 || bad.length > 0) {
    report('activity-events', value, bad.length ? `not event names: ${bad.join(' ')}` : 'empty', `using "${DEFAULT_EVENTS.join(' ')}"`);
    return DEFAULT_EVENTS;
  }
  return names;
}

/**
 * A URL as the server routes it: without the fragment, an empty query
 * (`/status?`) the same as none, and the path percent-decoded (`/st%61tus`
 * reaches the status view of a server that decodes before routing).
 */
function requestTarget(href: string): string {
  const u = new URL(href);
  let path = u.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // Not valid percent-encoding: compared as written.
  }
  return u.origin + path + u.search;
}
