// Shared helpers for the node:test server tests (not a test file itself).
// A tiny cookie-jar client over global fetch: every request is explicit, no
// redirect is followed, and every Set-Cookie is visible to the test.

import { createHmac } from 'node:crypto';
import { start } from '../../demo/server.js';

/** The demo's draft secret in the tests (SESSION_DRAFT_SECRET), and the key it gives a name. */
export const DRAFT_SECRET = 'draft-secret-for-the-server-tests-0123456789';
export const draftKeyOf = (name) => createHmac('sha256', DRAFT_SECRET).update(name).digest('base64url');

/** Logger that keeps the demo's warnings out of the test output. */
export const quiet = { info() {}, warn() {}, error() {} };

/**
 * Start the demo in-process on port 0.
 * @param {Record<string, unknown>} options createApp options (env defaults to {} so the
 *   caller's environment never leaks in)
 */
export async function startDemo({ freeze = true, ...options } = {}) {
  const running = await start({
    env: {},
    logger: quiet,
    secret: 'test-secret',
    draftSecret: DRAFT_SECRET,
    port: 0,
    host: '127.0.0.1',
    ...options,
  });
  // A frozen server clock: time moves only by /__test/clock, so a slow or
  // busy machine cannot shift a whole-second answer.
  if (freeze && running.app.demo.config.testHooks) {
    const res = await fetch(`${running.url}/__test/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"freeze":true}',
    });
    if (res.status !== 200) throw new Error(`could not freeze the demo clock: ${res.status}`);
  }
  return running;
}

export class Client {
  /** @param {string} base */
  constructor(base) {
    this.base = base;
    /** @type {Map<string, string>} */
    this.jar = new Map();
  }

  cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /**
   * @param {string} path
   * @param {RequestInit & { json?: unknown, form?: Record<string,string>, raw?: boolean }} [init]
   */
  async request(path, init = {}) {
    const headers = new Headers(init.headers ?? {});
    if (this.jar.size && !headers.has('cookie')) headers.set('cookie', this.cookieHeader());
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(this.base + path, {
      method: init.method ?? 'GET',
      headers,
      body,
      redirect: 'manual',
      signal: init.signal ?? AbortSignal.timeout(10_000),
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (gone || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { res, status: res.status, headers: res.headers, text, json, setCookies };
  }

  get(path, init = {}) {
    return this.request(path, { ...init, method: 'GET' });
  }

  post(path, init = {}) {
    return this.request(path, { ...init, method: 'POST' });
  }

  /** Sign in through the test hook; returns the CSRF token. */
  async login(user = 'ann') {
    const r = await this.post('/__test/login', { json: { user } });
    if (r.status !== 200) throw new Error(`test login failed: ${r.status} ${r.text}`);
    return r.json.csrfToken;
  }

  status() {
    return this.get('/session/status');
  }

  keepalive(token = this.jar.get('csrftoken')) {
    return this.post('/session/keepalive', { headers: token ? { 'x-csrftoken': token } : {} });
  }
}

/** Move the server clock of a demo started with test hooks. */
export async function advance(base, seconds) {
  const res = await fetch(`${base}/__test/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: seconds }),
    signal: AbortSignal.timeout(5000),
  });
  if (res.status !== 200) throw new Error(`clock advance failed: ${res.status}`);
  return res.json();
}

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Read Server-Sent Events from a fetch body until `until` returns true or time runs out. */
export async function readEvents(res, until, ms = 3000) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const events = [];
  let buffer = '';
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise((resolve) => setTimeout(() => resolve({ timeout: true }), Math.max(1, deadline - Date.now()))),
      ]);
      if (chunk.timeout || chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let i;
      while ((i = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event) events.push({ event, data: JSON.parse(data) });
      }
      if (until(events)) break;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return events;
}

/** A manual clock in ms, for the middleware's `now` option: `now.advance(seconds)`. */
export function manualClock(start = 1_700_000_000_000) {
  let t = start;
  const now = () => t;
  now.advance = (s) => {
    t += s * 1000;
  };
  return now;
}
