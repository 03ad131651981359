// A tiny server for a plain HTML page with no framework (node:http only)
// that loads the CDN build with <script type="module"> and speaks the
// `session-timeout` protocol (docs/design.md, server contract) from its own in-memory sessions:
//
//   GET  /                      the page (signed in), or 302 to /login
//   GET  /static/session-timeout-dialog.js   dist/cdn/session-timeout-dialog.js
//   GET  /static/session-timeout-dialog.<lang>.js   the language modules beside it
//   GET  /session/status        {"status","idleTime","idleLimit","timeoutLimit"}; never activity
//   POST /session/keepalive     same JSON with idleTime 0; needs X-CSRFToken = cookie csrftoken (else 403)
//   GET  /login                 the sign-in page; ends the session (timeout-url ends it)
//   GET  /logout                ends the session, 302 to /login?signed-out=1
//   POST /__test/login          signs in: cookies sid (HttpOnly) and csrftoken
//   GET|POST /__test/clock      {"set": ms} | {"advance": s}: the server's clock, stopped
//   GET|DELETE /__test/log      the requests it saw: {t, method, path, search, counted, status, csrf}
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const CDN_FILE = fileURLToPath(new URL('../../../dist/cdn/session-timeout-dialog.js', import.meta.url));
const CDN_DIR = fileURLToPath(new URL('../../../dist/cdn/', import.meta.url));
/** The strict policy of the demo: no inline script or style, Trusted Types for every script sink. */
export const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'";

/**
 * The CDN build, waiting a while for it: `npm run build` empties dist/ first,
 * and another run of it may be under way.
 */
export async function readCdnBuild(waitMs = 60_000): Promise<string> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      const text = await readFile(CDN_FILE, 'utf8');
      if (text.length > 0) return text;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || Date.now() > until) {
        throw new Error(`${CDN_FILE} is missing: run "npm run build" first (${String(error)})`);
      }
    }
    if (Date.now() > until) throw new Error(`${CDN_FILE} is empty`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export interface CdnLogEntry {
  t: number;
  method: string;
  path: string;
  search: string;
  counted: boolean;
  status: number;
  /** The X-CSRFToken header it carried, if any. */
  csrf: string | null;
}

export interface CdnServer {
  url: string;
  log: CdnLogEntry[];
  /** Element attributes of the page. */
  attributes: Record<string, string>;
  close(): Promise<void>;
}

interface Session {
  lastActivity: number;
  csrf: string;
}

export async function startCdnServer(options: {
  idleSeconds: number;
  timeoutSeconds: number;
  attributes?: Record<string, string>;
  /** The page's `<html lang>` (default `en`). */
  lang?: string;
  /** Serve the page under STRICT_CSP. */
  strictCsp?: boolean;
}): Promise<CdnServer> {
  const { idleSeconds, timeoutSeconds } = options;
  const attributes = {
    'status-url': '/session/status',
    'keepalive-url': '/session/keepalive',
    'signout-url': '/logout',
    'timeout-url': '/login?timed-out=1',
    'idle-seconds': String(idleSeconds),
    'timeout-seconds': String(timeoutSeconds),
    ...options.attributes,
  };
  const script = await readCdnBuild();
  const sessions = new Map<string, Session>();
  const log: CdnLogEntry[] = [];
  let clock = Date.now();
  const now = () => clock;

  const cookies = (req: IncomingMessage) =>
    Object.fromEntries(
      (req.headers.cookie ?? '')
        .split(';')
        .map((part) => part.trim().split('='))
        .filter(([name]) => name)
        .map(([name, ...rest]) => [name, rest.join('=')]),
    ) as Record<string, string>;

  const idleMs = (s: Session) => now() - s.lastActivity;
  const over = (s: Session) => idleMs(s) >= timeoutSeconds * 1000;
  const describe = (s: Session | undefined) => {
    if (!s) return { status: 'EXPIRED' };
    const idleTime = Math.floor(idleMs(s) / 1000);
    const status = idleTime >= timeoutSeconds ? 'TIMEOUT' : idleTime >= idleSeconds ? 'IDLE' : 'ACTIVE';
    return { status, idleTime, idleLimit: idleSeconds, timeoutLimit: timeoutSeconds };
  };

  const page = (title: string, body: string, head = '') => `<!doctype html>
<html lang="${options.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<title>${title}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;
  const elementTag = () =>
    `<session-timeout-dialog${Object.entries(attributes)
      .map(([name, value]) => ` ${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
      .join('')}></session-timeout-dialog>`;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const jar = cookies(req);
    const sid = jar.sid;
    let session = sid ? sessions.get(sid) : undefined;
    // Any request of an idle-expired session ends it (status included: it is over, that changes nothing).
    if (session && over(session)) {
      sessions.delete(sid!);
      session = undefined;
    }
    let counted = false;
    const send = (status: number, type: string, body: string, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
      res.end(body);
      if (!path.startsWith('/__test/')) {
        const csrf = req.headers['x-csrftoken'];
        log.push({ t: now(), method: req.method ?? 'GET', path, search: url.search, counted, status, csrf: typeof csrf === 'string' ? csrf : null });
      }
    };
    const json = (status: number, value: unknown, headers: Record<string, string | string[]> = {}) =>
      send(status, 'application/json', JSON.stringify(value), headers);
    const body = async () => {
      let text = '';
      for await (const chunk of req) text += chunk;
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    };
    const endSession = () => {
      if (sid) sessions.delete(sid);
      return ['sid=; Path=/; Max-Age=0', 'csrftoken=; Path=/; Max-Age=0'];
    };

    try {
      if (path === '/__test/clock') {
        if (req.method === 'POST') {
          const b = await body();
          if (typeof b.set === 'number') clock = b.set;
          else if (typeof b.advance === 'number') clock += b.advance * 1000;
          else return json(400, { error: 'expected {"set": ms} or {"advance": s}' });
        }
        return json(200, { now: now(), frozen: true });
      }
      if (path === '/__test/log') {
        if (req.method === 'DELETE') log.length = 0;
        return json(200, log);
      }
      if (path === '/__test/login' && req.method === 'POST') {
        const id = randomBytes(16).toString('hex');
        const csrf = randomBytes(16).toString('hex');
        sessions.set(id, { lastActivity: now(), csrf });
        return json(200, { ok: true, csrfToken: csrf }, {
          'Set-Cookie': [`sid=${id}; Path=/; HttpOnly; SameSite=Lax`, `csrftoken=${csrf}; Path=/; SameSite=Lax`],
        });
      }
      if (path === '/static/session-timeout-dialog.js') {
        return send(200, 'text/javascript; charset=utf-8', script);
      }
      const language = /^\/static\/(session-timeout-dialog\.[a-z]{2,3}\.js)$/.exec(path);
      if (language) {
        const text = await readFile(CDN_DIR + language[1], 'utf8').catch(() => null);
        if (text !== null) return send(200, 'text/javascript; charset=utf-8', text);
      }
      if (path === '/session/status') {
        if (req.method !== 'GET') return json(405, { error: 'method-not-allowed' }, { Allow: 'GET' });
        return json(200, describe(session));
      }
      if (path === '/session/keepalive') {
        if (req.method !== 'POST') return json(405, { error: 'method-not-allowed' }, { Allow: 'POST' });
        if (!session) return json(401, { status: 'EXPIRED' });
        const header = req.headers['x-csrftoken'];
        if (!jar.csrftoken || header !== jar.csrftoken || header !== session.csrf) {
          return send(403, 'text/html; charset=utf-8', page('403 Forbidden', '<h1>Forbidden</h1><p>CSRF verification failed.</p>'));
        }
        session.lastActivity = now();
        counted = true;
        return json(200, describe(session));
      }
      if (path === '/login') {
        const headers: Record<string, string[]> = session ? { 'Set-Cookie': endSession() } : {};
        const note = url.searchParams.get('timed-out') === '1' ? '<p id="timed-out">You were signed out because you were inactive.</p>' : '';
        return send(200, 'text/html; charset=utf-8', page('Sign in', `<h1>Sign in</h1>${note}`), headers);
      }
      if (path === '/logout') {
        return send(302, 'text/plain', '', { Location: '/login?signed-out=1', 'Set-Cookie': endSession() });
      }
      if (path === '/' && req.method === 'GET') {
        if (!session) return send(302, 'text/plain', '', { Location: '/login' });
        session.lastActivity = now();
        counted = true;
        return send(
          200,
          'text/html; charset=utf-8',
          page(
            'A plain page',
            `<h1>A plain page</h1>
<label for="notes">Notes</label>
<textarea id="notes" rows="6" cols="60"></textarea>
${elementTag()}`,
            '<script type="module" src="/static/session-timeout-dialog.js"></script>',
          ),
          options.strictCsp ? { 'Content-Security-Policy': STRICT_CSP } : {},
        );
      }
      return send(404, 'text/html; charset=utf-8', page('Not found', '<h1>Not found</h1>'));
    } catch (error) {
      return send(500, 'text/plain', String(error));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    attributes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
