// The examples' link to the server that owns the session, for `vite` in
// development (examples/react and examples/vue both use it).
//
// - The session cookie belongs to that server. The dev server passes the
//   session endpoints, the sign-in and sign-out pages and their assets on to
//   it, so every call stays same-origin, as in production.
// - It does what your server does for a protected page: someone who is not
//   signed in is sent to the sign-in page first (instead of a page that says
//   "Your session has ended" to a person who never signed in).
// - When nothing answers there, the page says so and what to start.
//
// The backend is the repository's demo server (`npm start` at the root of the
// clone, http://127.0.0.1:5173) unless BACKEND_URL names another one.

export const DEFAULT_BACKEND = 'http://127.0.0.1:5173';

/** The paths the backend answers; everything else is the example's own. */
const BACKEND_PATHS = ['/session', '/login', '/logout', '/static', '/favicon.ico'];

/**
 * @param {{ backend?: string }} [options]
 * @returns {import('vite').Plugin}
 */
export function devBackend({ backend = process.env.BACKEND_URL || DEFAULT_BACKEND } = {}) {
  const origin = new URL(backend).origin;
  const start = origin === DEFAULT_BACKEND ? '"npm start" at the root of the repository (the demo server)' : `the server at ${origin}`;

  return {
    name: 'session-timeout-dialog-dev-backend',
    config: () => ({
      server: {
        proxy: Object.fromEntries(BACKEND_PATHS.map((path) => [path, origin])),
      },
    }),
    configureServer(server) {
      const { logger } = server.config;
      server.httpServer?.once('listening', async () => {
        const answer = await signedInAt(origin, undefined);
        logger.info(`  ➜  Backend: ${origin}${answer === 'unreachable' ? ` (not answering: start ${start})` : ''}`);
      });
      // Before Vite's own middlewares: the protected page only for the signed-in.
      server.middlewares.use(async (req, res, next) => {
        const path = (req.url ?? '/').split('?')[0];
        if (req.method !== 'GET' || (path !== '/' && path !== '/index.html')) return next();
        const answer = await signedInAt(origin, req.headers.cookie);
        if (answer === true) return next();
        if (answer === false) {
          res.writeHead(302, { Location: `/login?next=${encodeURIComponent(req.url ?? '/')}` });
          return res.end();
        }
        res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
        return res.end(
          `No backend answers at ${origin}.\n\n` +
            `This example needs a server that owns the session (status, keepalive, sign-in, sign-out).\n` +
            `Start ${start}, then reload.\n` +
            `Another server: BACKEND_URL=http://host:port npm run dev\n`,
        );
      });
    },
  };
}

/**
 * Does the backend's status say this cookie's session is live? true, false,
 * or 'unreachable'. The status request never counts as activity.
 */
async function signedInAt(origin, cookie) {
  try {
    const res = await fetch(`${origin}/session/status`, {
      headers: { accept: 'application/json', ...(cookie ? { cookie } : {}) },
      redirect: 'manual',
      signal: AbortSignal.timeout(3000),
    });
    if (res.status === 401 || res.status === 440 || (res.status >= 300 && res.status < 400)) return false;
    if (!res.ok) return 'unreachable';
    const body = await res.json().catch(() => null);
    if (!body || typeof body.status !== 'string') return 'unreachable';
    return body.status === 'ACTIVE' || body.status === 'IDLE';
  } catch {
    return 'unreachable';
  }
}
