/**
 * Server calls for one person working in several tabs (README, size and cost, issue: tabs),
 * counted with the real engine, tab sync and client against a simulated
 * §4.1 server, on the fake clock of the tests (an hour takes a second).
 * `sync: false` is the per-tab design: every tab decides on its own
 * (the element with `no-tab-sync`, or the peers).
 */
import { FakeBrowser, engineConfig, engineTab, json, type EngineTab } from '../test/helpers/fake-env.js';

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
  const counts = { status: 0, keepalive: 0 };
  const answer = (idleTime: number) =>
    idleTime >= timeout
      ? json({ status: 'EXPIRED' })
      : json({ status: idleTime >= idle ? 'IDLE' : 'ACTIVE', idleTime, idleLimit: idle, timeoutLimit: timeout });

  const open: EngineTab[] = [];
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
    const tab = engineTab(env, { channel: sync ? 'bench' : null });
    tab.engine.start(engineConfig(idle, timeout), browser.now, true);
    open.push(tab);
  }
  await browser.advance(0);
  for (let t = 0; t < seconds; t += activityEvery) {
    open[Math.floor(t / switchEvery) % tabs].tracker.report();
    await browser.advance(activityEvery * 1000);
  }
  for (const { engine } of open) engine.stop();
  const warnings = open.reduce((n, { host }) => n + host.warns.length, 0);
  const expiries = open.reduce((n, { host }) => n + host.expires.length, 0);
  return { ...counts, warnings, expiries, calls: counts.status + counts.keepalive };
}

(globalThis as { simulate?: typeof simulate }).simulate = simulate;
