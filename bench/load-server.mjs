// The server side of the load bench (bench/load.mjs starts it as a child
// process, so the load generator does not share its event loop): Express,
// express-session on the memory store or Redis (connect-redis, the client
// configured with redisClientOptions()), sessionTimeout, errorHandler. Every
// call the store receives is counted. Loopback only.
//
// env: BENCH_STORE=memory|redis, REDIS_URL (for redis). Tells the parent its
// port over IPC: { port }.

import http from 'node:http';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { sessionTimeout, errorHandler, redisClientOptions } from '../server/session-timeout.js';

const counts = { requests: 0, get: 0, set: 0, touch: 0, destroy: 0 };
const STORE_CALLS = ['get', 'set', 'touch', 'destroy'];

let store;
if (process.env.BENCH_STORE === 'redis') {
  const client = createClient(redisClientOptions({ url: process.env.REDIS_URL }));
  client.on('error', (err) => console.error(`[load-server] Redis: ${err.message}`));
  await client.connect();
  store = new RedisStore({ client, prefix: 'bench:' });
} else {
  store = new session.MemoryStore();
}
// Count what express-session and the middleware ask of the store.
for (const name of STORE_CALLS) {
  const original = store[name].bind(store);
  store[name] = (...args) => {
    counts[name] += 1;
    return original(...args);
  };
}

const st = sessionTimeout({ idleSeconds: 780, timeoutSeconds: 900 });
const app = express();
app.disable('x-powered-by');
// Bench controls, before the session: they cost the store nothing.
app.get('/__bench/counts', (req, res) => res.json(counts));
app.post('/__bench/counts', (req, res) => {
  for (const name of Object.keys(counts)) counts[name] = 0;
  res.json(counts);
});
// Requests as they arrive (an answer the load generator no longer waited for still costs the store).
app.use((req, res, next) => {
  if (req.path.startsWith('/session/')) counts.requests += 1;
  next();
});
app.use(session({ name: 'sid', secret: 'bench-secret', store, resave: false, saveUninitialized: false, cookie: { httpOnly: true, sameSite: 'lax' } }));
app.use(st);
app.post('/__bench/login', async (req, res) => {
  const token = await st.signIn(req, 'bench-user');
  res.json({ token });
});
app.use(errorHandler({ log: () => {} }));

const server = http.createServer(app);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
