/**
 * Where things are in the demo: its URLs, its files and its content security
 * policy, shared by the pages (pages.js, views.js), the live panel (live.js)
 * and the test hooks (test-hooks.js); and the small request helpers they
 * share (the Django look-alikes in the tests read cookies with it too).
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PUBLIC_DIR = path.join(ROOT, 'demo', 'public');
export const CDN_DIR = path.join(ROOT, 'dist', 'cdn');
export const ELEMENT_FILE = 'session-timeout-dialog.js';

export const STATUS_PATH = '/session/status';
export const KEEPALIVE_PATH = '/session/keepalive';
export const EVENTS_PATH = '/demo/events';
export const SNAPSHOT_PATH = '/demo/snapshot';
/**
 * The live panel's own plumbing: the event stream, and the snapshot a tab
 * reads when another tab of the session holds the one stream (demo.js shares
 * it, so that tabs do not use up the browser's 6 connections per host).
 * Both are passive (watching never keeps the session alive), and neither is
 * pushed to the panel: it shows the session's requests, not its own.
 */
export const PANEL_PATHS = [EVENTS_PATH, SNAPSHOT_PATH];
export const LIMITS_PATH = '/demo/limits';

/** Upper bound for a per-session timeout set with the limits form (one day). */
export const MAX_LIMIT_SECONDS = 86_400;

/** The policy the spec asks for: no inline script or style, Trusted Types enforced. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The same, for the one page the demo frames itself (the iframe editor). */
export const FRAMEABLE_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'");
export const FRAMEABLE_FILE = 'editor.html';

/** The path of a request URL, without its query or fragment. */
export function pathnameOf(url) {
  if (typeof url !== 'string') return '/';
  const q = url.search(/[?#]/);
  return q === -1 ? url : url.slice(0, q);
}

/** Does this request want a JSON answer (an API path, or it says so)? */
export function wantsJson(req) {
  const p = pathnameOf(req.url);
  return p.startsWith('/api/') || p.startsWith('/session/') || p.startsWith('/__test/') || String(req.get('accept') ?? '').includes('application/json');
}

/** The value of one cookie of a request, or undefined. */
export function readCookie(req, name) {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
