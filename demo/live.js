/**
 * The live panel's server side: a log of the requests the server saw, and a
 * passive Server-Sent Events stream (plus its snapshot as JSON) that pushes
 * each session's own requests and state to the protected page (demo.js).
 * Watching never touches the session: the stream and the snapshot are
 * passive paths of the middleware, and the store is only read.
 */

import express from 'express';
import { EVENTS_PATH, PANEL_PATHS, SNAPSHOT_PATH, pathnameOf } from './site.js';

const LOG_LIMIT = 5000;

/**
 * @param {{ st: any, store: any, config: any, now: () => number }} demo
 *   the session middleware, its store, the demo's settings and its clock
 */
export function createLive({ st, store, config, now }) {
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
  const refresher = setInterval(() => streams.forEach(refreshStream), 2_000);
  refresher.unref?.();
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
  const signedIn = (req) => st.options.isSignedIn(req);

  /**
   * Logs every request (except the test hooks and the panel's own requests)
   * when its answer is done. Mounted first, so that static files are logged
   * too; a request answered by a test fault carries `demoFault` and
   * `demoFaultSid` (test-hooks.js).
   */
  const logRequests = (req, res, next) => {
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
  };

  /** The stream and the snapshot, mounted after the session middleware. */
  const routes = express.Router();

  // Passive Server-Sent Events stream for the live panel: pushes the
  // requests of this session and its state; it never extends the session.
  routes.get(EVENTS_PATH, (req, res) => {
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
  routes.get(SNAPSHOT_PATH, (req, res) => {
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

  /** Ends every stream (a restart, or shutdown). */
  const endStreams = () => {
    for (const s of streams) s.res.end();
    streams.clear();
  };

  return {
    logRequests,
    routes,
    /** The request log itself (the test hooks read and clear it). */
    requestLog,
    /** Push every watched session's state again (after the test clock moved). */
    refreshAll: () => streams.forEach(refreshStream),
    endStreams,
    close() {
      clearInterval(refresher);
      endStreams();
    },
  };
}
