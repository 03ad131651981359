/**
 * Server calls for one person working in several tabs (SPEC §9, issue: tabs),
 * counted with the real engine, tab sync and client against a simulated
 * §4.1 server, on the fake clock of the tests (an hour takes a second).
 * `sync: false` is the per-tab design: every tab decides on its own
 * (the element with `no-tab-sync`, or the peers).
 */
import { ActivityTracker } from '../src/core/activity-tracker.js';
import { SessionClient } from '../src/core/session-client.js';
import { SessionEngine, type EngineHost } from '../src/core/session-engine.js';
import { TabSync } from '../src/core/tab-sync.js';
import { FakeBrowser, json } from '../test/helpers/fake-env.js';

export interface SimOptions {
  tabs: number;
  sync: boolean;
  idle?: number;
  timeout?: number;
  seconds?: number;
  /** The person moves to the next tab this often. */
  switchEvery?: number;
  /** A keystroke this often in the tab in use. */
  activityEvery?: number;
}

export async function simulate(o: SimOptions) {
  const { tabs, sync, idle = 300, timeout = 420, seconds = 3600, switchEvery = 600, activityEvery = 5 } = o;
  const browser = new FakeBrowser();
  let lastSeen = browser.now;
  const counts = { status: 0, keepalive: 0, warnings: 0, expiries: 0 };
  const answer = (idleTime: number) =>
    idleTime >= timeout
      ? json({ status: 'EXPIRED' })
      : json({ status: idleTime >= idle ? 'IDLE' : 'ACTIVE', idleTime, idleLimit: idle, timeoutLimit: timeout });

  const engines: Array<{ engine: SessionEngine; tracker: ActivityTracker }> = [];
  for (let i = 0; i < tabs; i++) {
    const env = browser.tab();
    env.respond = (call) => {
      if (call.url.startsWith('/session/status')) {
        counts.status++;
        return answer(Math.floor((browser.now - lastSeen) / 1000));
      }
      counts.keepalive++;
      lastSeen = browser.now;
      return answer(0);
    };
    const tracker = new ActivityTracker(env.now);
    const client = new SessionClient(env.fetch, env, {
      protocol: 'session-timeout',
      statusUrl: '/session/status',
      keepaliveUrl: '/session/keepalive',
      keepaliveMethod: 'POST',
      csrfCookie: 'csrftoken',
      csrfHeader: 'X-CSRFToken',
    });
    const host: EngineHost = {
      warn: () => counts.warnings++,
      extended: () => {},
      expired: () => counts.expiries++,
      signedOutElsewhere: () => {},
      error: () => {},
      changed: () => {},
    };
    const engine = new SessionEngine(env, client, tracker, host, sync ? new TabSync(env, 'bench') : null);
    engine.start(
      { limits: { idle: idle * 1000, timeout: timeout * 1000 }, limitsGiven: true, hasStatus: true, hasKeepalive: true },
      browser.now,
      true,
    );
    engines.push({ engine, tracker });
  }
  await browser.advance(0);
  for (let t = 0; t < seconds; t += activityEvery) {
    engines[Math.floor(t / switchEvery) % tabs].tracker.report();
    await browser.advance(activityEvery * 1000);
  }
  for (const { engine } of engines) engine.stop();
  return { ...counts, calls: counts.status + counts.keepalive };
}

(globalThis as { simulate?: typeof simulate }).simulate = simulate;
