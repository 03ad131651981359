/**
 * A small Express server that reproduces the wire behaviour of
 * django-session-security (yourlabs), so the element's
 * `protocol="django-session-security"` can be run end to end against it.
 *
 * - `GET /session_security/ping/?idleFor=N` answers a bare JSON integer: the
 *   server's idle seconds across all tabs, after merging the client's report
 *   (lastActivity = now − min(serverIdle, idleFor)); `idleFor=0` is thus a
 *   keepalive. Answers the JSON string "logout" for an anonymous session or
 *   once idle ≥ EXPIRE_AFTER (the middleware logs the user out first).
 * - Every other request of a signed-in user is activity, except PASSIVE_URLS.
 * - Only durations cross the wire; client and server clocks never need to agree.
 * - Idle seconds are whole seconds, truncated (Python timedelta.seconds).
 *
 * Same frame as the django-session-timeout mimic: `sessionid`/`csrftoken`
 * cookies, GET / test page (attributes from the query string), login/logout
 * pages, POST /__test/login, /__test/log (entries carry `search`, e.g.
 * "?idleFor=12"), /__test/clock.
 *
 *   const srv = await start({ port: 0, warnAfter: 540, expireAfter: 600 });
 */

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startMimic } from './django-session-timeout.js';

/**
 * @param {{ port?: number, host?: string, warnAfter?: number, expireAfter?: number,
 *   passiveUrls?: string[], cdnDir?: string, csp?: boolean, frozen?: boolean }} [options]
 *   warnAfter / expireAfter: SESSION_SECURITY_WARN_AFTER (540) and
 *   SESSION_SECURITY_EXPIRE_AFTER (600), in seconds.
 */
export function start({ warnAfter = 540, expireAfter = 600, passiveUrls = [], ...rest } = {}) {
  const PING = '/session_security/ping/';
  const passive = new Set(passiveUrls);
  return startMimic({
    ...rest,
    defaultAttributes: {
      protocol: 'django-session-security',
      'status-url': PING,
      'idle-seconds': String(warnAfter),
      'timeout-seconds': String(expireAfter),
      'signout-url': '/accounts/logout/',
      'timeout-url': '/accounts/logout/?reason=timeout',
    },
    install(app, ctx) {
      const idleSeconds = (sess, t) => Math.floor((t - sess.lastActivity) / 1000);

      // SessionSecurityMiddleware.
      app.use((req, res, next) => {
        if (req.path.startsWith('/static/') || req.path.startsWith('/accounts/')) return next();
        const sess = ctx.session(req);
        if (!sess) return next();
        const t = ctx.now();
        if (t - sess.lastActivity >= expireAfter * 1000) {
          // logout(request): the session is flushed and the request goes on anonymous.
          ctx.flush(req, res);
          return next();
        }
        if (req.path === PING && 'idleFor' in req.query) {
          // Merge the client's idle time: int() of the parameter, ignored when not an integer.
          const raw = Array.isArray(req.query.idleFor) ? req.query.idleFor.at(-1) : req.query.idleFor;
          if (typeof raw === 'string' && /^\s*[-+]?\d+\s*$/.test(raw)) {
            const clientIdle = Math.max(0, Number.parseInt(raw, 10));
            const serverIdle = idleSeconds(sess, t);
            sess.lastActivity = t - Math.min(clientIdle, serverIdle) * 1000;
            if (clientIdle < serverIdle) ctx.counted(req);
          }
          return next();
        }
        if (!passive.has(req.path)) {
          sess.lastActivity = t;
          ctx.counted(req);
        }
        return next();
      });

      app.get(PING, (req, res) => {
        const sess = ctx.session(req); // gone if the middleware just logged out
        res.status(200).type('application/json');
        if (!sess) return res.send('"logout"');
        return res.send(String(idleSeconds(sess, ctx.now())));
      });
    },
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const srv = await start({ port: Number(process.env.PORT ?? 0) });
  console.log(`django-session-security mimic on ${srv.url}`);
}
