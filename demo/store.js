/**
 * The demo's session store: in memory by default, Redis (connect-redis) with
 * REDIS_URL. Either way the session-timeout middleware decides when a
 * session is over; the store only keeps it.
 */

import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { redisClientOptions } from '../server/session-timeout.js';
import { ConfigError } from './config.js';

/**
 * @param {any} config the demo's settings (redisUrl, timeoutSeconds)
 * @param {any} logger
 * @param {any} st the session-timeout middleware
 * @returns {{ store: any, ready: Promise<void>, close: () => Promise<void> }}
 *   `ready` resolves when the store is connected; `close` stops its timer
 *   and its Redis client
 */
export function createStore(config, logger, st) {
  if (config.redisUrl) {
    const { store, redisClient, ready } = makeRedisStore(config, logger, st);
    return { store, ready, close: () => closeRedis(redisClient) };
  }
  const store = new session.MemoryStore();
  // The memory store forgets nothing by itself (our cookie is a browser-
  // session cookie): drop sessions that are over once a minute.
  const sweeper = setInterval(() => sweep(store, st), 60_000);
  sweeper.unref?.();
  return { store, ready: Promise.resolve(), close: async () => clearInterval(sweeper) };
}

async function closeRedis(redisClient) {
  if (!redisClient?.isOpen) return;
  try {
    await redisClient.close();
  } catch {
    try {
      redisClient.destroy();
    } catch {
      // already gone
    }
  }
}

function makeRedisStore(config, logger, st) {
  let lastError = '';
  let connected = false;
  // Fail fast while Redis is away, recover by itself (see redisClientOptions).
  const options = redisClientOptions({ url: config.redisUrl });
  const reconnect = options.socket.reconnectStrategy;
  const redisClient = createClient({
    ...options,
    socket: {
      ...options.socket,
      // At start-up, give up after a few tries so a wrong REDIS_URL is
      // reported at once; once connected, keep reconnecting.
      reconnectStrategy: (retries, cause) => (!connected && retries >= 2 ? new Error(cause?.message ?? 'connection failed') : reconnect(retries, cause)),
    },
  });
  redisClient.on('ready', () => {
    connected = true;
  });
  redisClient.on('error', (err) => {
    // Reconnect loops repeat the same error: say it once per change.
    if (err?.message !== lastError) logger.error?.(`[demo] Redis error: ${err?.message ?? err}`);
    lastError = err?.message;
  });
  // The store keeps a session a minute longer than it could live (its TTL is
  // reset by express-session's touch on every non-passive request); the
  // middleware decides the real end from the timestamps inside it. A session
  // with its own (longer) limits gets a TTL to match.
  const store = new RedisStore({
    client: redisClient,
    prefix: 'std:sess:',
    ttl: (sess) => Math.max(config.timeoutSeconds, st.limitsFor({ session: sess }).timeoutSeconds) + 60,
  });
  const ready = (async () => {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000);
    });
    try {
      await Promise.race([redisClient.connect(), timeout]);
    } catch (err) {
      try {
        redisClient.destroy();
      } catch {
        // already closed by the failed connect
      }
      throw new ConfigError(`Could not connect to Redis at REDIS_URL (${redactUrl(config.redisUrl)}): ${err?.message ?? err}`);
    } finally {
      clearTimeout(timer);
    }
  })();
  // Keep an unobserved rejection from crashing before start() awaits it.
  ready.catch(() => {});
  return { store, redisClient, ready };
}

function sweep(store, st) {
  store.all((err, sessions) => {
    if (err || !sessions) return;
    for (const [id, sess] of Object.entries(sessions)) if (st.isOver(sess)) store.destroy(id, () => {});
  });
}

function redactUrl(u) {
  try {
    const url = new URL(u);
    if (url.password) url.password = '***';
    if (url.username) url.username = '***';
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
}
