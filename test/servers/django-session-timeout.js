/**
 * A small Express server that reproduces the wire behaviour observed on the
 * django-session-timeout fork with `status` and `keepalive` views (Django
 * 3.2), so the element can be run end to end against it without Python.
 * Behaviour mimicked (see the shared CONTEXT notes):
 *
 * - `GET /session/status` → 200 application/json, Python json.dumps spacing:
 *   {"status": "ACTIVE", "idleTime": 5, "idleLimit": 10, "timeoutLimit": 20}
 *   `IDLE` once idleTime > idleLimit, `TIMEOUT` once idleTime > timeoutLimit
 *   (strict `>` on the whole-second idleTime, as observed); exactly
 *   {"status": "EXPIRED"} for an anonymous or flushed session. Status never
 *   resets the idle time and never enforces expiry.
 * - idleTime counts from the last server request (not browser activity).
 * - `/session/keepalive`, GET or POST, answers the same JSON with idleTime 0.
 *   POST needs header X-CSRFToken equal to the csrftoken cookie, else a 403
 *   HTML page. As in Django, the timeout middleware runs before the CSRF
 *   check, so even a rejected POST counted as activity.
 * - Once the session is over (idle > timeout, seen by any non-status request
 *   including keepalive) the request gets 302 to /accounts/login/?next=<path>
 *   and the session cookie is deleted.
 * - No CORS headers.
 *
 * Test conveniences (always on: this is a test server): POST /__test/login
 * {"user"}, GET/DELETE /__test/log, GET/POST /__test/clock ({"advance": s},
 * {"reset": true}, {"freeze": bool}, {"set": ms}); `start({ frozen: true })`
 * starts with a stopped clock that only advance() moves.
 * `GET /` renders a page with <session-timeout-dialog>, its attributes taken
 * from the query string (escaped; `defaults=0` drops the built-in defaults).
 *
 *   const srv = await start({ port: 0, idleSeconds: 10, timeoutSeconds: 20 });
 *   srv.url; srv.log; srv.advance(5); await srv.close();
 */

import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import { CLOCK_USAGE, createTestClock } from '../../demo/test-clock.js';
import { readCookie } from '../../demo/site.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CDN_DIR = path.join(ROOT, 'dist', 'cdn');
const ELEMENT_FILE = 'session-timeout-dialog.js';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// ------------------------------------------------------------ shared pieces

/** Python's json.dumps() output (", " and ": " separators), as Django's JsonResponse sends. */
export function pyJson(value) {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export { readCookie };

function appendCookie(res, value) {
  const prev = res.getHeader('Set-Cookie');
  res.setHeader('Set-Cookie', [...(prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)]), value]);
}

/** The attribute list of the element on the test page, from the query string. */
export function elementAttributes(query, defaults) {
  const attrs = new Map(query.defaults === '0' ? [] : Object.entries(defaults));
  for (const [name, value] of Object.entries(query)) {
    if (name === 'defaults' || !/^[a-z][a-z0-9-]*$/.test(name)) continue;
    attrs.set(name, Array.isArray(value) ? String(value.at(-1)) : String(value));
  }
  return [...attrs].map(([name, value]) => (value === '' ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`)).join('');
}

function page(title, body, head = '') {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

/** Django's CSRF failure page, shortened. */
export const CSRF_FAILURE_HTML = page(
  '403 Forbidden',
  '<div id="summary"><h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p></div>',
);

/**
 * The frame both mimic servers share: sessions in memory (cookie
 * `sessionid`, Django's name), a `csrftoken` cookie, a movable clock, a
 * request log, the element file, the login/logout pages, the test page and
 * the /__test/* hooks. `install(app, ctx)` adds the package-specific
 * middleware and views.
 */
export async function startMimic({
  port = 0,
  host = '127.0.0.1',
  cdnDir = CDN_DIR,
  csp = true,
  frozen = false,
  defaultAttributes = {},
  install,
}) {
  /** @type {Map<string, Record<string, any>>} */
  const sessions = new Map();
  /** @type {{t:number, method:string, path:string, search:string, counted:boolean, status:number|null}[]} */
  const log = [];
  const clock = createTestClock({ frozen });
  const now = clock.now;

  const ctx = {
    sessions,
    now,
    /** The session of this request, or undefined. */
    session(req) {
      const sid = readCookie(req, 'sessionid');
      return sid && sessions.has(sid) ? sessions.get(sid) : undefined;
    },
    /** Django's session.flush(): delete the data and the cookie. */
    flush(req, res) {
      const sid = readCookie(req, 'sessionid');
      if (sid) sessions.delete(sid);
      appendCookie(res, 'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax');
    },
    signIn(req, res, user) {
      const old = readCookie(req, 'sessionid');
      if (old) sessions.delete(old);
      const sid = randomBytes(16).toString('hex');
      sessions.set(sid, { user, lastActivity: now() });
      appendCookie(res, `sessionid=${sid}; HttpOnly; Path=/; SameSite=Lax`);
      const token = readCookie(req, 'csrftoken') || randomBytes(16).toString('hex');
      appendCookie(res, `csrftoken=${token}; Path=/; SameSite=Lax`);
      return token;
    },
    csrfOk(req) {
      const cookie = readCookie(req, 'csrftoken');
      const header = req.get('x-csrftoken');
      return Boolean(cookie && header && cookie === header);
    },
    /** Mark the request as counted (for the log). */
    counted(req) {
      req.mimicCounted = true;
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  if (csp) {
    app.use((req, res, next) => {
      res.setHeader('Content-Security-Policy', CSP);
      next();
    });
  }

  app.use((req, res, next) => {
    if (req.path.startsWith('/__test/')) return next();
    const entry = { t: now(), method: req.method, path: req.path, search: req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '', counted: false, status: null };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      entry.counted = Boolean(req.mimicCounted);
      entry.status = res.writableFinished ? res.statusCode : null;
      log.push(entry);
    };
    res.once('finish', finish);
    res.once('close', finish);
    return next();
  });

  app.get([`/static/${ELEMENT_FILE}`, `/static/${ELEMENT_FILE}.map`], (req, res, next) => {
    const name = path.basename(req.path);
    res.sendFile(name, { root: cdnDir, headers: { 'Cache-Control': 'no-cache' } }, (err) => {
      if (!err || res.headersSent) return;
      if (err.code === 'ENOENT' || err.status === 404) {
        res.status(name.endsWith('.map') ? 404 : 503).type('text/plain').send(`${name} is not built yet: run "npm run build".\n`);
        return;
      }
      next(err);
    });
  });

  // ---- test hooks
  const json = express.json({ limit: '10kb' });
  app.post('/__test/login', json, (req, res) => {
    const user = typeof req.body?.user === 'string' && req.body.user ? req.body.user : 'tester';
    const csrfToken = ctx.signIn(req, res, user);
    res.json({ ok: true, user, csrfToken });
  });
  app.get('/__test/log', (req, res) => res.json(log));
  app.delete('/__test/log', (req, res) => {
    log.length = 0;
    res.status(204).end();
  });
  app.get('/__test/clock', (req, res) => res.json(clock.state()));
  app.post('/__test/clock', json, (req, res) => {
    if (!clock.apply(req.body ?? {})) return res.status(400).json({ error: CLOCK_USAGE });
    return res.json(clock.state());
  });

  install(app, ctx);

  // ---- Django's auth pages and the test page
  app.get('/accounts/login/', (req, res) => {
    const next = typeof req.query.next === 'string' && req.query.next.startsWith('/') && !req.query.next.startsWith('//') ? req.query.next : '/';
    const note = req.query['timed-out'] === '1' ? '<p class="timed-out">You were signed out because you were inactive.</p>' : '';
    res.type('html').send(
      page(
        'Log in',
        `<h1>Log in</h1>${note}
<form method="post" action="/accounts/login/">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label for="id_username">Username</label> <input id="id_username" name="username">
<button type="submit">Log in</button>
</form>`,
      ),
    );
  });
  app.post('/accounts/login/', express.urlencoded({ extended: false, limit: '10kb' }), (req, res) => {
    const user = typeof req.body?.username === 'string' && req.body.username.trim() ? req.body.username.trim() : 'tester';
    ctx.signIn(req, res, user);
    const next = typeof req.body?.next === 'string' && req.body.next.startsWith('/') && !req.body.next.startsWith('//') ? req.body.next : '/';
    res.redirect(302, next);
  });
  app.all('/accounts/logout/', (req, res) => {
    ctx.flush(req, res);
    res.redirect(302, req.query.reason === 'timeout' ? '/accounts/login/?timed-out=1' : '/accounts/login/');
  });
  app.get('/', (req, res) => {
    const sess = ctx.session(req);
    if (!sess) return res.redirect(302, '/accounts/login/?next=/');
    const attrs = elementAttributes(req.query, defaultAttributes);
    return res.type('html').send(
      page(
        'Signed-in page',
        `<h1>Signed in as ${escapeHtml(sess.user)}</h1>
<label for="notes">Notes</label>
<textarea id="notes" rows="8" cols="60"></textarea>
<p><a id="other-page" href="/">Reload</a></p>
<session-timeout-dialog${attrs}></session-timeout-dialog>`,
        `<script type="module" src="/static/${ELEMENT_FILE}"></script>`,
      ),
    );
  });
  // An ordinary app request (activity for the server), CSRF as in Django.
  app.post('/api/echo', (req, res) => {
    if (!ctx.session(req)) return res.redirect(302, `/accounts/login/?next=${encodeURIComponent(req.path).replace(/%2F/g, '/')}`);
    if (!ctx.csrfOk(req)) return res.status(403).type('html').send(CSRF_FAILURE_HTML);
    return res.type('application/json').send(pyJson({ ok: true }));
  });

  app.use((req, res) => res.status(404).type('html').send(page('Not Found', '<h1>Not Found</h1>')));
  // eslint-disable-next-line no-unused-vars
  app.use((err, req, res, next) => {
    const status = Number.isInteger(err?.status) && err.status >= 400 && err.status < 500 ? err.status : 500;
    res.status(status).type('html').send(page(`${status}`, `<h1>${status}</h1>`));
  });

  const server = http.createServer(app);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${server.address().port}`;
  let closing;
  return {
    url,
    server,
    log,
    sessions,
    now,
    advance: clock.advance,
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// ------------------------------------------------------- this package

/**
 * Start the django-session-timeout (fork) mimic.
 * @param {{ port?: number, host?: string, idleSeconds?: number, timeoutSeconds?: number,
 *   gracePeriodSeconds?: number, cdnDir?: string, csp?: boolean, frozen?: boolean }} [options]
 *   Defaults: SESSION_IDLE_SECONDS 10, SESSION_TIMEOUT_SECONDS 20 and
 *   Django's default grace period of 1 s.
 */
export function start({ idleSeconds = 10, timeoutSeconds = 20, gracePeriodSeconds = 1, ...rest } = {}) {
  const STATUS = '/session/status';
  const KEEPALIVE = '/session/keepalive';
  return startMimic({
    ...rest,
    defaultAttributes: {
      'status-url': STATUS,
      'keepalive-url': KEEPALIVE,
      'signout-url': '/accounts/logout/',
      'timeout-url': '/accounts/logout/?reason=timeout',
    },
    install(app, ctx) {
      const body = (sess) => {
        if (!sess) return { status: 'EXPIRED' };
        // int(time.time() - init_time): whole seconds, truncated.
        const idleTime = Math.floor((ctx.now() - sess.lastActivity) / 1000);
        const status = idleTime > timeoutSeconds ? 'TIMEOUT' : idleTime > idleSeconds ? 'IDLE' : 'ACTIVE';
        return { status, idleTime, idleLimit: idleSeconds, timeoutLimit: timeoutSeconds };
      };
      const sendJson = (res, value) => res.status(200).type('application/json').send(pyJson(value));

      // The status view is exempt from the timeout middleware.
      app.get(STATUS, (req, res) => sendJson(res, body(ctx.session(req))));

      // SessionTimeoutMiddleware: every other request of a session.
      app.use((req, res, next) => {
        if (req.path.startsWith('/static/') || req.path.startsWith('/accounts/')) return next();
        const sess = ctx.session(req);
        if (!sess) return next();
        const t = ctx.now();
        if (t - sess.lastActivity > timeoutSeconds * 1000) {
          ctx.flush(req, res);
          return res.redirect(302, `/accounts/login/?next=${encodeURIComponent(req.path).replace(/%2F/g, '/')}`);
        }
        if (t - sess.lastActivity > gracePeriodSeconds * 1000) {
          sess.lastActivity = t;
          ctx.counted(req);
        }
        return next();
      });

      app.all(KEEPALIVE, (req, res) => {
        if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
          return res.status(405).set('Allow', 'GET, POST').type('html').send('');
        }
        if (req.method === 'POST' && !ctx.csrfOk(req)) return res.status(403).type('html').send(CSRF_FAILURE_HTML);
        return sendJson(res, body(ctx.session(req)));
      });
    },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const srv = await start({ port: Number(process.env.PORT ?? 0) });
  console.log(`django-session-timeout mimic on ${srv.url}`);
}
