/**
 * Keyboard and focus (README, accessibility, WAI-ARIA APG modal dialog pattern): focus
 * moves to "Stay signed in" on open (to "Sign out" or the heading when no
 * "stay" is offered), Tab stays inside, Escape means "Stay signed in", and
 * focus returns where it was.
 */
import { aTimeout, expect, fixture, html, nextFrame, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.js';
import type { SessionTimeoutDialog } from '../../src/session-timeout-dialog.js';
import { pressShiftTab } from '../helpers/engine.js';
import { json, singleTab, type FakeEnv } from '../helpers/fake-env.js';

const keepaliveOk = () => json({ status: 'ACTIVE', idleTime: 0, idleLimit: 60, timeoutLimit: 180 });

/** A page with a button before the element; the element is in client-only mode with a keepalive URL. */
async function page(env: FakeEnv, signout = true) {
  const root = await fixture<HTMLDivElement>(html`
    <div>
      <button id="before">Page button</button>
      <session-timeout-dialog
        .environment=${env}
        no-tab-sync
        keepalive-url="/session/keepalive"
        signout-url=${signout ? '/logout' : ''}
        idle-seconds="60"
        timeout-seconds="180"
      ></session-timeout-dialog>
      <a href="#after">Page link</a>
    </div>
  `);
  const el = root.querySelector('session-timeout-dialog')!;
  await el.updateComplete;
  return { root, el, before: root.querySelector<HTMLButtonElement>('#before')! };
}

const dialogOf = (el: SessionTimeoutDialog) => el.shadowRoot!.querySelector('dialog')!;
const part = (el: SessionTimeoutDialog, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
/** The focused element, inside shadow roots, by its part or id (chai cannot print Lit elements). */
function focused(): string {
  let a = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a ? a.getAttribute('part') || a.id || a.localName : 'nothing';
}

async function openWarning(env: FakeEnv, el: SessionTimeoutDialog) {
  await env.browser.advance(60_000);
  await el.updateComplete;
  expect(dialogOf(el).open, 'dialog open').to.be.true;
}

describe('keyboard and focus', () => {
  it('moves focus to "Stay signed in" on open', async () => {
    const env = singleTab();
    const { el, before } = await page(env);
    before.focus();
    await openWarning(env, el);
    expect(focused()).to.equal('stay-button');
  });

  it('keeps Tab and Shift+Tab inside the dialog (the page behind is inert)', async () => {
    const env = singleTab();
    const { el, before } = await page(env);
    before.focus();
    await openWarning(env, el);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      await sendKeys({ press: 'Tab' });
      seen.push(focused());
    }
    for (let i = 0; i < 6; i++) {
      await pressShiftTab();
      seen.push(focused());
    }
    // Nothing of the page behind ever gets focus; both buttons are reached
    // each way: Tab from the last control goes to the first, Shift+Tab from
    // the first to the last (APG), in every engine (Firefox alone would bring
    // focus back from its toolbar to "Sign out" only; Firefox and WebKit
    // would stop on the <dialog> itself).
    for (const e of seen) expect(['stay-button', 'signout-button'], seen.join(' ')).to.include(e);
    expect(seen.slice(0, 6)).to.include('stay-button').and.to.include('signout-button');
    expect(seen.slice(6)).to.include('stay-button').and.to.include('signout-button');
    expect(seen[0]).to.equal('signout-button'); // from "stay", Tab goes to "sign out"
    expect(seen[1]).to.equal('stay-button'); // from the last, Tab wraps to the first
    expect(seen[6]).to.equal('signout-button'); // from the first, Shift+Tab wraps to the last
  });

  it('Escape means "Stay signed in": a keepalive is sent, the dialog closes, focus returns', async () => {
    const env = singleTab();
    env.respond = keepaliveOk;
    const { el, before } = await page(env);
    before.focus();
    await openWarning(env, el);
    const extended: string[] = [];
    el.addEventListener('session-timeout-extend', (e) => extended.push(e.detail.source));
    await sendKeys({ press: 'Escape' });
    await env.browser.advance(0);
    await waitUntil(() => !dialogOf(el).open, 'dialog closes');
    await aTimeout(0); // the close event
    expect(env.callsTo('/session/keepalive')).to.have.length(1);
    expect(extended).to.deep.equal(['user']);
    expect(el.state).to.equal('active');
    expect(focused()).to.equal('before');
  });

  it('Escape twice in a row still extends and never leaves time running out unseen', async () => {
    const env = singleTab();
    let answer: (r: Response) => void = () => {};
    env.respond = () => new Promise<Response>((resolve) => (answer = resolve));
    const { el, before } = await page(env);
    before.focus();
    await openWarning(env, el);
    await sendKeys({ press: 'Escape' });
    await sendKeys({ press: 'Escape' });
    // The close events, if the browser closed it: Chromium dispatches a
    // dialog's close event with the next animation frame, and a page that is
    // not being painted (two test pages run side by side) gets about one
    // frame per second, so wait for a frame, not for a fixed time.
    await nextFrame();
    await aTimeout(0);
    // The keepalive is pending: the dialog is still (or again) open and modal.
    expect(dialogOf(el).open).to.be.true;
    expect(dialogOf(el).matches(':modal')).to.be.true;
    expect(env.callsTo('/session/keepalive')).to.have.length(1);
    answer(keepaliveOk());
    await env.browser.advance(0);
    await waitUntil(() => !dialogOf(el).open, 'dialog closes');
    await aTimeout(0);
    expect(el.state).to.equal('active');
    expect(focused()).to.equal('before');
  });

  it('Enter on the focused "Stay signed in" extends and returns focus', async () => {
    const env = singleTab();
    env.respond = keepaliveOk;
    const { el, before } = await page(env);
    before.focus();
    await openWarning(env, el);
    await sendKeys({ press: 'Enter' });
    await env.browser.advance(0);
    await waitUntil(() => !dialogOf(el).open, 'dialog closes');
    await aTimeout(0);
    expect(env.callsTo('/session/keepalive')).to.have.length(1);
    expect(focused()).to.equal('before');
  });

  describe('when no "stay" is offered (an absolute end comes first)', () => {
    async function absolutePage(signout: boolean) {
      const env = singleTab();
      env.respond = () =>
        json({ status: 'ACTIVE', idleTime: 0, idleLimit: 60, timeoutLimit: 180, expiresIn: 100 });
      const root = await fixture<HTMLDivElement>(html`
        <div>
          <button id="before">Page button</button>
          <session-timeout-dialog
            .environment=${env}
            no-tab-sync
            status-url="/session/status"
            keepalive-url="/session/keepalive"
            signout-url=${signout ? '/logout' : ''}
            idle-seconds="60"
            timeout-seconds="180"
          ></session-timeout-dialog>
        </div>
      `);
      const el = root.querySelector('session-timeout-dialog')!;
      root.querySelector<HTMLButtonElement>('#before')!.focus();
      await el.check(); // learns expiresIn: 100 s, so the warning (120 s lead) is due at once
      await env.browser.advance(0);
      await el.updateComplete;
      expect(dialogOf(el).open, 'dialog open').to.be.true;
      expect(Boolean(part(el, 'stay-button')), 'stay offered').to.be.false;
      return { env, el };
    }

    it('focuses "Sign out"', async () => {
      const { el } = await absolutePage(true);
      expect(focused()).to.equal('signout-button');
      expect(part(el, 'message')!.textContent!.trim()).to.match(/^Your session will end in 1 minute, 40 seconds\./);
    });

    it('focuses the heading when there is no "Sign out" either', async () => {
      await absolutePage(false);
      expect(focused()).to.equal('heading');
    });

    it('Escape keeps the dialog open and sends nothing (nothing can move an absolute end)', async () => {
      const { env, el } = await absolutePage(true);
      await sendKeys({ press: 'Escape' });
      await env.browser.advance(0);
      await aTimeout(0);
      expect(dialogOf(el).open).to.be.true;
      expect(env.callsTo('/session/keepalive')).to.have.length(0);
    });
  });
});
