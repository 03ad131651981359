/**
 * The demo's settings, read from the environment (see the list at the top of
 * server.js).
 */

export class ConfigError extends Error {
  name = 'ConfigError';
}

/**
 * Read the settings from the environment. Throws ConfigError listing every
 * bad variable at once, so a misconfigured deployment is fixed in one go.
 * @param {Record<string, string | undefined>} env
 */
export function configFromEnv(env = process.env) {
  const problems = [];
  const int = (name, fallback, { min = 0, optional = false } = {}) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return optional ? null : fallback;
    if (!/^\d+$/.test(raw.trim())) {
      problems.push(`${name} must be a whole number of seconds, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    const n = Number(raw.trim());
    if (n < min) problems.push(`${name} must be at least ${min}, got ${n}`);
    return n;
  };
  const config = {
    port: 5173,
    host: env.HOST?.trim() || '127.0.0.1',
    idleSeconds: int('SESSION_IDLE_SECONDS', 20, { min: 1 }),
    timeoutSeconds: int('SESSION_TIMEOUT_SECONDS', 50, { min: 1 }),
    expireSeconds: int('SESSION_EXPIRE_SECONDS', null, { min: 1, optional: true }),
    gracePeriodSeconds: int('SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD', 0),
    secret: env.SESSION_SECRET || undefined,
    draftSecret: env.SESSION_DRAFT_SECRET || undefined,
    redisUrl: env.REDIS_URL?.trim() || undefined,
    trustProxy: env.TRUST_PROXY?.trim() || undefined,
    testHooks: env.SESSION_TEST_HOOKS === '1',
  };
  if (env.PORT !== undefined && env.PORT.trim() !== '') {
    const p = env.PORT.trim();
    if (!/^\d+$/.test(p) || Number(p) > 65535) problems.push(`PORT must be a port number (0-65535), got ${JSON.stringify(env.PORT)}`);
    else config.port = Number(p);
  }
  if (config.idleSeconds >= config.timeoutSeconds) {
    problems.push(
      `SESSION_IDLE_SECONDS (${config.idleSeconds}) must be less than SESSION_TIMEOUT_SECONDS (${config.timeoutSeconds}); ` +
        'the timeout is the total idle time, not extra time after the warning',
    );
  }
  if (config.gracePeriodSeconds >= config.idleSeconds) {
    problems.push(
      `SESSION_EXPIRE_AFTER_LAST_ACTIVITY_GRACE_PERIOD (${config.gracePeriodSeconds}) must be less than SESSION_IDLE_SECONDS (${config.idleSeconds})`,
    );
  }
  if (config.draftSecret !== undefined && Buffer.byteLength(config.draftSecret) < 32) {
    problems.push('SESSION_DRAFT_SECRET must be at least 32 bytes long (e.g. 32 random bytes, base64url)');
  }
  if (env.SESSION_TEST_HOOKS !== undefined && !['', '0', '1'].includes(env.SESSION_TEST_HOOKS)) {
    problems.push(`SESSION_TEST_HOOKS must be 1 (on) or 0/unset (off), got ${JSON.stringify(env.SESSION_TEST_HOOKS)}`);
  }
  if (problems.length) throw new ConfigError(`Invalid demo configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
