// Typed handles on the Django mimic servers (test/servers/*.js, plain JS).
// @ts-ignore -- plain JS, no types
import { start as startTimeoutMimic } from '../../servers/django-session-timeout.js';
// @ts-ignore -- plain JS, no types
import { start as startSecurityMimic } from '../../servers/django-session-security.js';

export interface Mimic {
  url: string;
  close(): Promise<void>;
  advance(seconds: number): number;
}

/** django-session-timeout (the fork with status/keepalive views): SESSION_IDLE_SECONDS, SESSION_TIMEOUT_SECONDS. */
export function startDjangoSessionTimeout(options: {
  idleSeconds?: number;
  timeoutSeconds?: number;
  gracePeriodSeconds?: number;
}): Promise<Mimic> {
  return startTimeoutMimic({ port: 0, frozen: true, ...options });
}

/** django-session-security: SESSION_SECURITY_WARN_AFTER / EXPIRE_AFTER. */
export function startDjangoSessionSecurity(options: { warnAfter?: number; expireAfter?: number }): Promise<Mimic> {
  return startSecurityMimic({ port: 0, frozen: true, ...options });
}
