import { expect, fixture, html } from '@open-wc/testing';
import '../../src/index.js';
import type { SessionTimeoutDialog } from '../../src/session-timeout-dialog.js';
import { FakeEnv, json, singleTab, status } from '../helpers/fake-env.js';

async function mount(env: FakeEnv) {
  const el = await fixture<SessionTimeoutDialog>(html`
    <session-timeout-dialog
      .environment=${env}
      no-tab-sync
      status-url="/session/status"
      keepalive-url="/session/keepalive"
      signout-url="/logout"
      timeout-url="/login?timed-out=1"
      idle-seconds="60"
      timeout-seconds="180"
    ></session-timeout-dialog>
  `);
  return el;
}

const dialogOf = (el: SessionTimeoutDialog) => el.shadowRoot!.querySelector('dialog')!;
const part = (el: SessionTimeoutDialog, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

describe('<session-timeout-dialog> warning cycle', () => {
  it('makes no request on load, warns after idle once the status confirms, and extends', async () => {
    const env = singleTab();
    let serverIdle = 0;
    env.respond = (call) =>
      call.url.startsWith('/session/status')
        ? status(serverIdle, 60, 180)
        : json({ status: 'ACTIVE', idleTime: 0, idleLimit: 60, timeoutLimit: 180 });
    const el = await mount(env);
    await env.browser.advance(59_000);
    expect(env.calls).to.have.length(0);
    expect(el.state).to.equal('active');
    serverIdle = 60;
    await env.browser.advance(1_000);
    expect(env.callsTo('/session/status')).to.have.length(1);
    await el.updateComplete;
    expect(el.state).to.equal('warning');
    expect(dialogOf(el).open).to.be.true;
    expect(part(el, 'countdown')!.textContent).to.equal('2 minutes');
    part(el, 'stay-button')!.click();
    await env.browser.advance(0);
    await el.updateComplete;
    const keepalive = env.callsTo('/session/keepalive');
    expect(keepalive).to.have.length(1);
    expect(keepalive[0].method).to.equal('POST');
    expect(el.state).to.equal('active');
    expect(dialogOf(el).open).to.be.false;
  });

  it('leaves for timeout-url at the end', async () => {
    const env = singleTab();
    // The server agrees: nobody has been active since the page load.
    env.respond = () => status(Math.floor((env.now() - env.loadedAt) / 1000), 60, 180);
    const el = await mount(env);
    await env.browser.advance(180_000);
    expect(el.state).to.equal('expired');
    expect(env.navigations).to.deep.equal([new URL('/login?timed-out=1', location.href).href]);
  });
});

describe('<session-timeout-dialog> configuration and answers it refuses', () => {
  /** console.error lines while `fn` runs. */
  async function errorsDuring(fn: () => Promise<void>): Promise<string[]> {
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.map(String).join(' '));
    try {
      await fn();
    } finally {
      console.error = original;
    }
    return errors;
  }

  it('refuses a keepalive-url equal to status-url: one console.error, and no keepalive is ever sent to it', async () => {
    const env = singleTab();
    env.respond = () => status(Math.floor((env.now() - env.loadedAt) / 1000), 60, 180);
    let el!: SessionTimeoutDialog;
    const errors = await errorsDuring(async () => {
      el = await fixture<SessionTimeoutDialog>(html`
        <session-timeout-dialog .environment=${env} no-tab-sync status-url="/session/status"
          keepalive-url="/session/status" idle-seconds="60" timeout-seconds="180"></session-timeout-dialog>
      `);
      // The person types for a while: a keepalive would be due at 60 s.
      for (let s = 0; s < 50; s += 10) {
        document.body.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true }));
        await env.browser.advance(10_000);
      }
      await env.browser.advance(30_000);
      el.idleSeconds = 61; // configured again: not said twice
      await el.updateComplete;
      await env.browser.advance(1_000);
    });
    expect(errors.filter((e) => e.includes('keepalive-url')), errors.join(' || ')).to.have.length(1);
    expect(errors[0]).to.include('"/session/status"');
    expect(env.calls.length, 'the status was asked').to.be.greaterThan(0);
    expect(env.calls.filter((c) => c.method !== 'GET'), 'no keepalive POST').to.deep.equal([]);
    el.remove();
  });

  it('treats absurd limits from the server (1e306) as an error: no Infinity, no NaN, a few retries, the attributes still hold', async () => {
    const env = singleTab();
    env.respond = () => json({ status: 'ACTIVE', idleTime: 0, idleLimit: 1e306, timeoutLimit: 1e307 });
    const el = await fixture<SessionTimeoutDialog>(html`
      <session-timeout-dialog .environment=${env} no-tab-sync notice status-url="/session/status"
        keepalive-url="/session/keepalive"></session-timeout-dialog>
    `);
    const messages: string[] = [];
    el.addEventListener('session-timeout-error', (e) => messages.push(e.detail.message));
    await env.browser.advance(60_000);
    await el.updateComplete;
    expect(messages.length, 'errors reported').to.be.greaterThan(0);
    expect(messages[0]).to.include('idleLimit').and.include('1e+306');
    // Backed off like an error: a handful of calls in a minute, not a storm.
    expect(env.callsTo('/session/status').length).to.be.within(1, 10);
    expect(el.state).to.equal('active');
    expect(Number.isFinite(el.remainingSeconds), `remainingSeconds ${el.remainingSeconds}`).to.be.true;
    // The defaults (780 / 900 s) still plan the session.
    expect(el.remainingSeconds).to.be.within(839, 840);
    expect(part(el, 'notice')!.textContent).to.include('15 minutes');
    el.remove();
  });
});

describe('<session-timeout-dialog> limits', () => {
  const server = (env: FakeEnv, idleLimit: number, timeoutLimit: number) => {
    env.respond = () => status(0, idleLimit, timeoutLimit);
  };

  it('are the attributes before the server answered, and the server\'s after', async () => {
    const env = singleTab();
    server(env, 120, 240);
    const el = await mount(env);
    expect(env.calls, 'limits given: no request on load').to.have.length(0);
    expect(el.limits).to.deep.equal({ idleSeconds: 60, timeoutSeconds: 180 });
    await el.check();
    expect(env.callsTo('/session/status')).to.have.length(1);
    expect(el.limits).to.deep.equal({ idleSeconds: 120, timeoutSeconds: 240 });
    el.remove();
  });

  it('are the defaults until the first status answer when the page gives none, then the server\'s', async () => {
    const env = singleTab();
    let answer!: () => void;
    env.respond = () => new Promise<Response>((resolve) => (answer = () => resolve(status(0, 300, 600))));
    const el = await fixture<SessionTimeoutDialog>(html`
      <session-timeout-dialog .environment=${env} no-tab-sync status-url="/session/status"></session-timeout-dialog>
    `);
    expect(env.callsTo('/session/status'), 'one status request learns them').to.have.length(1);
    expect(el.limits).to.deep.equal({ idleSeconds: 780, timeoutSeconds: 900 });
    answer();
    await env.browser.advance(0);
    expect(el.limits).to.deep.equal({ idleSeconds: 300, timeoutSeconds: 600 });
    expect(el.remainingSeconds).to.equal(600);
    el.remove();
  });

  it('are validated as the element plans with them, even before it connects (and reading them starts nothing)', () => {
    const env = singleTab();
    const el = document.createElement('session-timeout-dialog');
    el.environment = env;
    expect(el.limits).to.deep.equal({ idleSeconds: 780, timeoutSeconds: 900 });
    el.setAttribute('timeout-seconds', '100');
    // Only a timeout shorter than the default warning lead: it warns at half-time.
    expect(el.limits).to.deep.equal({ idleSeconds: 50, timeoutSeconds: 100 });
    el.idleSeconds = 30;
    expect(el.limits).to.deep.equal({ idleSeconds: 30, timeoutSeconds: 100 });
    expect(env.calls).to.have.length(0);
    expect(env.browser.pendingTimers(env)).to.equal(0);
  });

  it('are read-only: neither assigning the property nor changing the object read changes them', async () => {
    const env = singleTab();
    const el = await mount(env);
    expect(() => {
      (el as unknown as { limits: unknown }).limits = { idleSeconds: 1, timeoutSeconds: 2 };
    }).to.throw(TypeError);
    (el.limits as { idleSeconds: number }).idleSeconds = 1;
    expect(el.limits).to.deep.equal({ idleSeconds: 60, timeoutSeconds: 180 });
    el.remove();
  });
});

describe('<session-timeout-dialog> methods before it connects', () => {
  it('do nothing: no request, no navigation, no reload', async () => {
    const env = singleTab();
    const el = document.createElement('session-timeout-dialog');
    el.environment = env;
    el.signoutUrl = '/logout';
    el.signOut();
    expect(await el.extend()).to.be.false;
    await el.check();
    el.reportActivity();
    expect(env.calls).to.have.length(0);
    expect(env.navigations).to.deep.equal([]);
    expect(env.reloads).to.equal(0);
  });
});
