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
