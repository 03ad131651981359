/**
 * The demo's test hooks under /__test/ (on only with SESSION_TEST_HOOKS=1 or
 * the `testHooks` option): move or stop the server's clock, make the next
 * status or keepalive calls fail in a chosen way, lose every session as a
 * restart would, read the request log, and sign in without the form. Never
 * in production: anyone who can reach them can sign in as anyone.
 *
 * They sit at three places in the demo's middleware chain (server.js):
 * `controls` before the session, `injectFaults` between the session and the
 * session-timeout middleware (a faulted call then has no effect on the
 * session), and `signIn` after it.
 */

import express from 'express';
import { CLOCK_USAGE } from './test-clock.js';
import { json, validUsername } from './pages.js';
import { loginPage } from './views.js';
import { KEEPALIVE_PATH, STATUS_PATH, pathnameOf } from './site.js';

const FAULT_OPERATIONS = new Set(['status', 'keepalive', 'any']);
const FAULT_KINDS = new Set(['500', '502', '503', '403', '401', '440', '302', 'html', 'badjson', 'truncated', 'hang']);

/** The faults answered with a JSON body: [status, body]. */
const JSON_FAULTS = {
  403: [403, '{"error":"csrf"}'],
  401: [401, '{"status":"EXPIRED"}'],
  440: [440, '{"status":"EXPIRED"}'],
  badjson: [200, '{"foo":1}'],
  truncated: [200, '{"status":"AC'],
};
const SERVER_ERRORS = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

/**
 * @param {{ clock: ReturnType<typeof import('./test-clock.js').createTestClock>,
 *   store: any, st: any, live: ReturnType<typeof import('./live.js').createLive>, logger: any }} demo
 */
export function createTestHooks({ clock, store, st, live, logger }) {
  logger.warn?.(
    '\n[demo] !!! SESSION_TEST_HOOKS=1: test-only switches under /__test/ are ON (clock, faults, restart, log, login).\n' +
      '[demo] !!! Anyone who can reach this server can sign in as anyone and move its clock. Never use this in production.\n',
  );
  /** @type {{ operation: string, kind: string, remaining: number, retryAfter?: number }[]} */
  const faults = [];
  /** Responses deliberately left hanging by the 'hang' fault. */
  const hung = new Set();
  const releaseHung = () => {
    for (const r of hung) r.destroy();
    hung.clear();
  };

  // ---- the hooks that need no session
  const controls = express.Router();
  controls.get('/__test/clock', (req, res) => res.json(clock.state()));
  controls.post('/__test/clock', json, (req, res) => {
    if (!clock.apply(req.body ?? {})) return res.status(400).json({ error: CLOCK_USAGE });
    live.refreshAll();
    return res.json(clock.state());
  });
  controls.post('/__test/faults', json, (req, res) => {
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
  controls.delete('/__test/faults', (req, res) => {
    faults.length = 0;
    releaseHung();
    res.status(204).end();
  });
  controls.post('/__test/restart', (req, res, next) => {
    // Like a restart that loses the memory store: every session is gone,
    // every live connection drops.
    store.clear((err) => {
      if (err) return next(err);
      live.endStreams();
      return res.json({ ok: true });
    });
  });
  controls.get('/__test/log', (req, res) => res.json(live.requestLog));
  controls.delete('/__test/log', (req, res) => {
    live.requestLog.length = 0;
    res.status(204).end();
  });

  // ---- fault injection: after the session so that it can be attributed,
  // before the session-timeout middleware so that a faulted call has no
  // effect on the session
  const injectFaults = (req, res, next) => {
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
  };

  // ---- sign in without the form (after the session-timeout middleware)
  const signIn = express.Router();
  signIn.post('/__test/login', json, async (req, res) => {
    const user = req.body?.user === undefined ? 'tester' : req.body.user;
    if (!validUsername(user)) return res.status(400).json({ error: 'user must be 1-64 printable characters' });
    const csrfToken = await st.signIn(req, { name: user.trim() });
    return res.json({ ok: true, user: user.trim(), csrfToken });
  });

  return { controls, injectFaults, signIn, close: releaseHung };
}

/** Answer a status or keepalive call with the fault asked for. */
function serveFault(res, fault, hung) {
  if (fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter));
  res.setHeader('Cache-Control', 'no-store');
  const kind = fault.kind;
  if (Object.hasOwn(SERVER_ERRORS, kind)) {
    const text = `${kind} ${SERVER_ERRORS[kind]}`;
    res.statusCode = Number(kind);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    return res.end(`<!doctype html><title>${text}</title><h1>${text}</h1>\n`);
  }
  if (Object.hasOwn(JSON_FAULTS, kind)) {
    const [status, body] = JSON_FAULTS[kind];
    res.statusCode = status;
    if (status === 440) res.statusMessage = 'Login Time-out';
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    return res.end(body);
  }
  if (kind === '302') {
    res.statusCode = 302;
    res.setHeader('Location', '/login');
    return res.end();
  }
  if (kind === 'html') {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    return res.end(loginPage({ token: 'x', next: null, config: null }));
  }
  // 'hang': never answer; the client's abort (or DELETE /__test/faults, or
  // shutdown) ends it.
  hung.add(res);
  res.once('close', () => hung.delete(res));
  return undefined;
}
