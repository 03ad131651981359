// A minimal Express app around server/session-timeout.js for the store tests
// (not a test file itself): express-session on a given store (memory, or
// connect-redis on a real redis-server), sessionTimeout, a few routes and
// errorHandler() last, the way the README's recipe mounts them.

import http from 'node:http';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { sessionTimeout, errorHandler, redisClientOptions } from '../../server/session-timeout.js';

export const SECRET = 'store-test-secret';

/**
 * @param {import('node:test').TestContext} t
 * @param {{ store?: any, redisUrl?: string, timeoutOptions?: Record<string, unknown>, redisOptions?: Record<string, unknown> }} [options]
 *   `redisUrl`: a connect-redis store whose client is configured with redisClientOptions()
 *   `guard`: give the store to the middleware's guardStore() before serving (default true)
 */
export async function storeApp(t, { store, redisUrl, timeoutOptions = {}, redisOptions = {}, guard = true } = {}) {
  let redis;
  if (redisUrl) {
    redis = createClient(redisClientOptions({ url: redisUrl, ...redisOptions }));
    redis.on('error', () => {}); // expected while the tests take Redis away
    await redis.connect();
    store = new RedisStore({ client: redis, prefix: 'sess:' });
  }
  store ??= new session.MemoryStore();
  const st = sessionTimeout({ idleSeconds: 600, timeoutSeconds: 1200, ...timeoutOptions });
  // As the README's Redis recipe does (`guard: false`: as an app that does not).
  if (guard) st.guardStore(store);
  const app = express();
  app.use(session({ secret: SECRET, store, resave: false, saveUninitialized: false, name: 'sid' }));
  app.use(express.json({ limit: '1kb' }));
  app.use(st);
  app.post('/signin', async (req, res) => {
    const token = await st.signIn(req, req.body?.user ?? 'ann');
    res.json({ token });
  });
  app.post('/signout', async (req, res) => {
    await st.signOut(req);
    res.json({ ok: true });
  });
  // A page request that writes to the session after a short wait, like an
  // app that reads a database before it answers.
  app.post('/work', (req, res) => {
    setTimeout(() => {
      if (req.session) req.session.visits = (req.session.visits ?? 0) + 1;
      res.json({ user: req.session?.user ?? null });
    }, Math.floor(Math.random() * 6));
  });
  app.get('/page', (req, res) => res.json({ user: req.session?.user ?? null }));
  app.use(errorHandler({ log: () => {} }));
  const server = http.createServer(app);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    if (redis?.isOpen) await redis.close().catch(() => redis.destroy());
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, store, st, redis };
}

/** The session id inside express-session's signed cookie value (`s:<id>.<signature>`). */
export function sessionIdOf(cookieValue) {
  const m = /^s:([^.]+)\./.exec(decodeURIComponent(cookieValue ?? ''));
  if (!m) throw new Error(`not an express-session cookie: ${cookieValue}`);
  return m[1];
}

/** What the store holds under `sid` (undefined when nothing), through the store's own API. */
export function storedSession(store, sid) {
  return new Promise((resolve, reject) => store.get(sid, (err, sess) => (err ? reject(err) : resolve(sess ?? undefined))));
}
