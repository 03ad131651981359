/**
 * What assistive technology gets (README, accessibility, WCAG 2.2 SC 2.2.1 and 2.2.6):
 * axe with the dialog open in every built-in language, the dialog's role,
 * name and description, the live region's cadence over a whole countdown,
 * the error of a failed "Stay signed in", the final "signed out", the
 * SC 2.2.6 notice, and the cancelable events around them.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/index.js';
import type { SessionTimeoutDialog } from '../../src/session-timeout-dialog.js';
import { json, singleTab, status, type FakeEnv } from '../helpers/fake-env.js';

const LANGS = ['en', 'cy', 'de', 'fr', 'es', 'nl', 'pl', 'pt', 'it', 'sv', 'ja', 'ar'];
const keepaliveOk = () => json({ status: 'ACTIVE', idleTime: 0, idleLimit: 60, timeoutLimit: 180 });

/** Client-only mode with a keepalive URL: the warning opens at 60 s, the end is at 180 s. */
async function mount(env: FakeEnv, lang = 'en', notice = false) {
  const root = await fixture<HTMLDivElement>(html`
    <div lang=${lang}>
      <session-timeout-dialog
        .environment=${env}
        ?notice=${notice}
        no-tab-sync
        keepalive-url="/session/keepalive"
        signout-url="/logout"
        timeout-url="/login?timed-out=1"
        idle-seconds="60"
        timeout-seconds="180"
      ></session-timeout-dialog>
    </div>
  `);
  const el = root.querySelector('session-timeout-dialog')!;
  await el.updateComplete;
  return el;
}

const shadow = (el: SessionTimeoutDialog) => el.shadowRoot!;
const dialogOf = (el: SessionTimeoutDialog) => shadow(el).querySelector('dialog')!;
const part = (el: SessionTimeoutDialog, name: string) => shadow(el).querySelector<HTMLElement>(`[part~="${name}"]`);
const spoken = (el: SessionTimeoutDialog) => shadow(el).querySelector<HTMLElement>('#spoken')!;

/** Seconds stated by an English text ("… in 1 minute, 20 seconds." → 80). */
function secondsIn(text: string): number {
  const unit: Record<string, number> = { hour: 3600, minute: 60, second: 1 };
  let total = 0;
  for (const [, n, u] of text.matchAll(/(\d+) (hour|minute|second)s?/g)) total += Number(n) * unit[u!]!;
  return total;
}

async function openWarning(env: FakeEnv, el: SessionTimeoutDialog) {
  await env.browser.advance(60_000);
  await el.updateComplete;
  expect(dialogOf(el).open, 'dialog open').to.be.true;
}

describe('accessibility', () => {
  describe('axe, with the dialog open', () => {
    for (const lang of LANGS) {
      it(`passes in ${lang}`, async () => {
        const env = singleTab();
        const el = await mount(env, lang, true);
        await openWarning(env, el);
        await expect(el).to.be.accessible();
      });
    }

    it('passes with the error of a failed "Stay signed in" shown', async () => {
      const env = singleTab();
      const el = await mount(env);
      await openWarning(env, el);
      part(el, 'stay-button')!.click();
      await env.browser.advance(0);
      await el.updateComplete;
      expect(Boolean(part(el, 'error')), 'error shown').to.be.true;
      await expect(el).to.be.accessible();
    });
  });

  describe('dialog semantics', () => {
    it('is a modal dialog named by its heading and described by the spoken sentence', async () => {
      const env = singleTab();
      const el = await mount(env);
      const behind = document.createElement('button');
      el.before(behind);
      await openWarning(env, el);
      const dialog = dialogOf(el);
      expect(dialog.matches(':modal'), 'opened with showModal()').to.be.true;
      const byIds = (attr: string) =>
        dialog.getAttribute(attr)!.split(' ').map((id) => shadow(el).getElementById(id)!.textContent!.trim()).join(' ');
      expect(byIds('aria-labelledby')).to.equal('You’re about to be signed out');
      expect(byIds('aria-describedby')).to.equal('For your security, we will sign you out in 2 minutes.');
      expect(part(el, 'heading')!.tagName).to.equal('H2');
      // The page behind is inert: it cannot take focus.
      behind.focus();
      expect(document.activeElement === behind, 'the page behind took focus').to.be.false;
      behind.remove();
    });

    it('hides the visible countdown and the message that holds it from screen readers', async () => {
      const env = singleTab();
      const el = await mount(env);
      await openWarning(env, el);
      expect(part(el, 'countdown')!.getAttribute('aria-hidden')).to.equal('true');
      expect(part(el, 'message')!.getAttribute('aria-hidden')).to.equal('true');
      expect(spoken(el).getAttribute('aria-atomic')).to.equal('true');
      expect(spoken(el).closest('[aria-hidden]') === null, 'spoken is not aria-hidden').to.be.true;
    });
  });

  describe('live region', () => {
    it('speaks on open (as the description), then each whole minute, then at 20-second steps, rounding down', async () => {
      const env = singleTab();
      const el = await mount(env);
      await openWarning(env, el);
      const announcements: Array<[second: number, text: string]> = [];
      const visible: string[] = [];
      for (let second = 0; second < 120; second++) {
        if (second > 0) await env.browser.advance(1_000);
        await el.updateComplete;
        const text = spoken(el).textContent!;
        if (announcements.at(-1)?.[1] !== text) announcements.push([second, text]);
        visible.push(part(el, 'countdown')!.textContent!);
      }
      // Each text holds until the next step is reached: "1 minute" from 119 s
      // left (while the region is still silent after the open), "40 seconds"
      // from 59 s, …, "0 seconds" only in the last 4 seconds.
      const say = (time: string) => `For your security, we will sign you out in ${time}.`;
      expect(announcements).to.deep.equal([
        [0, say('2 minutes')],
        [1, say('1 minute')],
        [61, say('40 seconds')],
        [81, say('20 seconds')],
        [101, say('10 seconds')],
        [111, say('5 seconds')],
        [116, say('0 seconds')],
      ]);
      // The visible countdown changes every second.
      expect(new Set(visible).size).to.equal(120);
      expect(visible.slice(0, 3)).to.deep.equal(['2 minutes', '1 minute, 59 seconds', '1 minute, 58 seconds']);
      expect(visible.at(-1)).to.equal('1 second');
      // And at the end the page leaves.
      await env.browser.advance(1_000);
      expect(env.navigations).to.deep.equal([new URL('/login?timed-out=1', location.href).href]);
    });

    it('never states more time than is left: a warning opened late with 26.7 s left says "20 seconds", never "40"', async () => {
      const env = singleTab();
      const root = await fixture<HTMLDivElement>(html`
        <div lang="en">
          <session-timeout-dialog .environment=${env} no-tab-sync keepalive-url="/session/keepalive"
            timeout-url="/login?timed-out=1" idle-seconds="153" timeout-seconds="180"></session-timeout-dialog>
        </div>
      `);
      const el = root.querySelector('session-timeout-dialog')!;
      await el.updateComplete;
      const expireAt = env.loadedAt + 180_000;
      // The warning's timer fires 300 ms late (a busy or sleeping machine).
      await env.browser.advance(152_700);
      env.browser.jump(600);
      await env.browser.advance(0);
      await el.updateComplete;
      expect(dialogOf(el).open, 'dialog open').to.be.true;
      expect(spoken(el).textContent).to.equal('For your security, we will sign you out in 20 seconds.');
      expect(part(el, 'countdown')!.textContent).to.equal('26 seconds');

      // Every 100 ms to the end: each text, spoken or visible, is at most the
      // time left at that instant (not only when it was rendered: a text
      // drawn on a whole second and kept for the next one would state up to
      // a second too much).
      const spokenTexts: string[] = [];
      while (env.now() < expireAt - 100) {
        const now = env.now();
        const leftThen = (expireAt - now) / 1000;
        const said = spoken(el).textContent!;
        if (spokenTexts.at(-1) !== said) spokenTexts.push(said);
        expect(secondsIn(said), `spoken at ${(expireAt - now) / 1000} s left`).to.be.at.most(leftThen);
        expect(secondsIn(part(el, 'countdown')!.textContent!), `visible at ${(expireAt - now) / 1000} s left`).to.be.at.most(leftThen);
        await env.browser.advance(100);
        await el.updateComplete;
      }
      // A handful of announcements, never one per second.
      expect(spokenTexts.map(secondsIn)).to.deep.equal([20, 10, 5, 0]);
    });

    it('does not announce the open twice: silent while the description is read, then assertive', async () => {
      const env = singleTab();
      const el = await mount(env);
      await openWarning(env, el);
      const region = spoken(el);
      const opened = region.textContent;
      expect(region.getAttribute('aria-live')).to.equal('off');
      await env.browser.advance(1_000);
      expect(region.getAttribute('aria-live')).to.equal('off');
      await env.browser.advance(1_000);
      expect(region.getAttribute('aria-live')).to.equal('assertive');
      await el.updateComplete;
      // The first step ("1 minute", a second after the open) came while silent.
      const stepped = region.textContent;
      expect(stepped).to.not.equal(opened);
      await env.browser.advance(57_000);
      await el.updateComplete;
      expect(region.textContent, 'no change before the next step').to.equal(stepped);
      // Open again after an extension: silent again at first.
      env.respond = keepaliveOk;
      part(el, 'stay-button')!.click();
      await env.browser.advance(0);
      await el.updateComplete;
      expect(dialogOf(el).open).to.be.false;
      await env.browser.advance(60_000);
      await el.updateComplete;
      expect(dialogOf(el).open).to.be.true;
      expect(region.getAttribute('aria-live')).to.equal('off');
    });
  });

  describe('"Stay signed in" fails', () => {
    it('shows and announces an error, keeps the dialog open, and a retry works', async () => {
      const env = singleTab();
      const el = await mount(env);
      await openWarning(env, el);
      expect(Boolean(part(el, 'error')), 'error shown').to.be.false;
      part(el, 'stay-button')!.click(); // the network is down (FakeEnv's default)
      await env.browser.advance(0);
      await el.updateComplete;
      const error = part(el, 'error')!;
      expect(error.getAttribute('role')).to.equal('alert');
      expect(error.textContent).to.equal('We could not keep you signed in. Check your connection and try again.');
      expect(error.closest('dialog') === dialogOf(el), 'error inside the dialog').to.be.true;
      expect(dialogOf(el).open).to.be.true;
      expect(el.state).to.equal('warning');

      // A second failure is announced again (the alert is inserted anew).
      let answer: (r: Response) => void = () => {};
      env.respond = () => new Promise<Response>((_, reject) => (answer = () => reject(new TypeError('Failed to fetch'))));
      part(el, 'stay-button')!.click();
      await el.updateComplete;
      expect(Boolean(part(el, 'error')), 'hidden while retrying').to.be.false;
      expect(part(el, 'stay-button')!.getAttribute('aria-disabled')).to.equal('true');
      answer(keepaliveOk());
      await env.browser.advance(0);
      await el.updateComplete;
      expect(Boolean(part(el, 'error')), 'error shown').to.be.true;
      expect(part(el, 'error') === error, 'a new alert element').to.be.false;

      env.respond = keepaliveOk;
      part(el, 'stay-button')!.click();
      await env.browser.advance(0);
      await el.updateComplete;
      expect(env.callsTo('/session/keepalive')).to.have.length(3);
      expect(el.state).to.equal('active');
      expect(dialogOf(el).open).to.be.false;
      expect(Boolean(part(el, 'error')), 'error shown').to.be.false;
    });
  });

  describe('events', () => {
    it('warn canceled: the dialog stays closed and timing goes on to the end', async () => {
      const env = singleTab();
      const el = await mount(env);
      const seen: string[] = [];
      el.addEventListener('session-timeout-warn', (e) => {
        seen.push(`warn ${e.detail.remainingSeconds}`);
        e.preventDefault();
      });
      el.addEventListener('session-timeout-expire', () => seen.push('expire'));
      await env.browser.advance(60_000);
      await el.updateComplete;
      expect(el.state).to.equal('warning');
      expect(dialogOf(el).open).to.be.false;
      await env.browser.advance(120_000);
      await el.updateComplete;
      expect(seen).to.deep.equal(['warn 120', 'expire']);
      expect(el.state).to.equal('expired');
      expect(env.navigations).to.deep.equal([new URL('/login?timed-out=1', location.href).href]);
    });

    it('expire canceled: the page stays and "You have been signed out." is announced outside the dialog', async () => {
      const env = singleTab();
      const el = await mount(env);
      const before = document.createElement('button');
      el.before(before);
      before.focus();
      el.addEventListener('session-timeout-expire', (e) => e.preventDefault());
      await openWarning(env, el);
      const status = shadow(el).querySelector<HTMLElement>('[role="status"]')!;
      expect(status.closest('dialog') === null, 'status outside the dialog').to.be.true;
      expect(status.textContent).to.equal('');
      await env.browser.advance(120_000);
      await el.updateComplete;
      expect(el.state).to.equal('expired');
      expect(env.navigations).to.deep.equal([]);
      expect(env.reloads).to.equal(0);
      expect(dialogOf(el).open).to.be.false;
      expect(document.activeElement === before, 'focus returned').to.be.true;
      // Not in the same moment: the region was inert behind the modal dialog
      // and must be back in the accessibility tree before its text changes.
      expect(status.textContent).to.equal('');
      await env.browser.advance(1_000);
      await el.updateComplete;
      expect(status.textContent).to.equal('You have been signed out.');
      before.remove();
    });

    it('says "signed out" in the element\'s language', async () => {
      const env = singleTab();
      const el = await mount(env, 'fr');
      el.addEventListener('session-timeout-expire', (e) => e.preventDefault());
      await env.browser.advance(181_000);
      await el.updateComplete;
      const status = shadow(el).querySelector<HTMLElement>('[role="status"]')!;
      expect(status.textContent).to.equal('Votre session a été fermée.');
      expect(status.lang).to.equal('fr');
    });
  });

  describe('notice (SC 2.2.6)', () => {
    it('is absent without the attribute', async () => {
      const el = await mount(singleTab());
      expect(Boolean(part(el, 'notice')), 'notice shown').to.be.false;
    });

    it('states the inactivity limit (the timeout) in words, outside the dialog', async () => {
      const el = await mount(singleTab(), 'en', true);
      const notice = part(el, 'notice')!;
      expect(notice.tagName).to.equal('P');
      expect(notice.textContent).to.equal('For your security, you will be signed out after 3 minutes of inactivity.');
      expect(notice.closest('dialog') === null, 'notice outside the dialog').to.be.true;
      expect(notice.checkVisibility()).to.be.true;
      await expect(el).to.be.accessible();
    });

    it('follows the attributes when they change, and appears when the attribute is added', async () => {
      const el = await mount(singleTab());
      el.setAttribute('notice', '');
      el.setAttribute('idle-seconds', '1500');
      el.setAttribute('timeout-seconds', '3900');
      await el.updateComplete;
      expect(part(el, 'notice')!.textContent).to.equal(
        'For your security, you will be signed out after 1 hour, 5 minutes of inactivity.',
      );
      el.notice = false;
      await el.updateComplete;
      expect(Boolean(part(el, 'notice')), 'notice shown').to.be.false;
    });

    it('follows the limits the server reports (the server is the authority)', async () => {
      const env = singleTab();
      env.respond = () => status(0, 600, 1200);
      const root = await fixture<HTMLDivElement>(html`
        <div lang="de">
          <session-timeout-dialog .environment=${env} notice no-tab-sync status-url="/session/status"
            idle-seconds="60" timeout-seconds="180"></session-timeout-dialog>
        </div>
      `);
      const el = root.querySelector('session-timeout-dialog')!;
      await el.updateComplete;
      expect(part(el, 'notice')!.textContent).to.equal(
        'Zu Ihrer Sicherheit werden Sie nach 3 Minuten ohne Aktivität abgemeldet.',
      );
      expect(part(el, 'notice')!.lang).to.equal('de');
      await el.check();
      await el.updateComplete;
      expect(part(el, 'notice')!.textContent).to.equal(
        'Zu Ihrer Sicherheit werden Sie nach 20 Minuten ohne Aktivität abgemeldet.',
      );
    });
  });

  describe('SC 2.2.1', () => {
    it('warns on the console when the warning comes less than 20 s before the end', async () => {
      const warnings: string[] = [];
      const original = console.warn;
      console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
      try {
        await fixture(html`<session-timeout-dialog .environment=${singleTab()} no-tab-sync
          idle-seconds="170" timeout-seconds="180"></session-timeout-dialog>`);
      } finally {
        console.warn = original;
      }
      expect(warnings.join('\n')).to.include('SC 2.2.1');
    });

    it('extends as often as asked (no limit on extensions)', async () => {
      const env = singleTab();
      env.respond = keepaliveOk;
      const el = await mount(env);
      for (let i = 0; i < 12; i++) {
        await openWarning(env, el);
        part(el, 'stay-button')!.click();
        await env.browser.advance(0);
        await waitUntil(() => !dialogOf(el).open);
      }
      expect(env.callsTo('/session/keepalive')).to.have.length(12);
      expect(el.state).to.equal('active');
    });
  });
});
