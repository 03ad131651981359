/**
 * Customisation (README, API): slots replace the built-in texts, every visible
 * piece is a part, custom properties style it; and the defaults hold up:
 * the page's font, its colour scheme, reduced motion, a 320 CSS px viewport.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, setViewport } from '@web/test-runner-commands';
import type { TemplateResult } from 'lit';
import '../../src/index.js';
import { messagesFor } from '../../src/i18n/index.js';
import type { SessionTimeoutDialog } from '../../src/session-timeout-dialog.js';
import { canEmulateMedia, engine, frameViewport } from '../helpers/engine.js';
import { singleTab, type FakeEnv } from '../helpers/fake-env.js';

const LANGS = ['en', 'cy', 'de', 'fr', 'es', 'nl', 'pl', 'pt', 'it', 'sv', 'ja', 'ar'];

async function mount(env: FakeEnv, content: TemplateResult | string = '', lang = 'en', style = '') {
  const root = await fixture<HTMLDivElement>(html`
    <div lang=${lang} style=${style}>
      <session-timeout-dialog
        .environment=${env}
        notice
        no-tab-sync
        signout-url="/logout"
        idle-seconds="60"
        timeout-seconds="180"
      >${content}</session-timeout-dialog>
    </div>
  `);
  return root.querySelector('session-timeout-dialog')!;
}

const part = (el: SessionTimeoutDialog, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;
const dialogOf = (el: SessionTimeoutDialog) => el.shadowRoot!.querySelector('dialog')!;
/** The flat-tree text of a node: slotted content, else the slot's fallback. */
function flat(n: Node): string {
  if (n.nodeType === Node.TEXT_NODE) return n.textContent!;
  // By name, not instanceof: in WebKit the 320 px tests run in an iframe (another realm).
  const children = n.nodeName === 'SLOT' ? (n as HTMLSlotElement).assignedNodes({ flatten: true }) : [...n.childNodes];
  return children.map(flat).join('');
}
/** What a person sees in an element (slotted content included). */
const seen = (e: Node) => flat(e).replace(/\s+/g, ' ').trim();

async function openWarning(env: FakeEnv, el: SessionTimeoutDialog) {
  await env.browser.advance(60_000);
  await el.updateComplete;
  expect(dialogOf(el).open, 'dialog open').to.be.true;
}

describe('customisation', () => {
  describe('slots', () => {
    it('heading, stay-label and signout-label replace the built-in texts', async () => {
      const env = singleTab();
      const el = await mount(
        env,
        html`<span slot="heading">Still there?</span><span slot="stay-label">Keep working</span
          ><span slot="signout-label">Log off</span>`,
      );
      await openWarning(env, el);
      expect(seen(part(el, 'heading'))).to.equal('Still there?');
      expect(seen(part(el, 'stay-button'))).to.equal('Keep working');
      expect(seen(part(el, 'signout-button'))).to.equal('Log off');
      // The message keeps its built-in text and countdown.
      expect(seen(part(el, 'message'))).to.equal('For your security, we will sign you out in 2 minutes.');
      await expect(el).to.be.accessible();
    });

    it('message replaces the built-in message; the countdown still shows and ticks', async () => {
      const env = singleTab();
      const el = await mount(env, html`<span slot="message">Your draft is saved. The session ends in:</span>`);
      await openWarning(env, el);
      expect(seen(part(el, 'message'))).to.equal('Your draft is saved. The session ends in:');
      const countdowns = el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="countdown"]');
      expect(countdowns).to.have.length(1);
      expect(seen(countdowns[0]!)).to.equal('2 minutes');
      expect(countdowns[0]!.checkVisibility()).to.be.true;
      expect(countdowns[0]!.getAttribute('aria-hidden')).to.equal('true');
      await env.browser.advance(1_000);
      await el.updateComplete;
      expect(seen(part(el, 'countdown'))).to.equal('1 minute, 59 seconds');
      // The custom message is read: it is part of the description, and no longer aria-hidden.
      expect(dialogOf(el).getAttribute('aria-describedby')).to.equal('message spoken');
      expect(part(el, 'message').hasAttribute('aria-hidden')).to.be.false;
      await expect(el).to.be.accessible();
    });

    it('message slotted later, then removed, switches back and forth', async () => {
      const env = singleTab();
      const el = await mount(env);
      await openWarning(env, el);
      const custom = Object.assign(document.createElement('span'), { slot: 'message', textContent: 'Custom.' });
      el.append(custom);
      await new Promise((r) => setTimeout(r)); // slotchange
      await el.updateComplete;
      expect(seen(part(el, 'message'))).to.equal('Custom.');
      expect(seen(part(el, 'countdown'))).to.equal('2 minutes');
      custom.remove();
      await new Promise((r) => setTimeout(r));
      await el.updateComplete;
      expect(seen(part(el, 'message'))).to.equal('For your security, we will sign you out in 2 minutes.');
      expect(el.shadowRoot!.querySelectorAll('[part~="countdown"]')).to.have.length(1);
    });
  });

  describe('parts', () => {
    it('every visible piece is a part', async () => {
      const env = singleTab();
      env.respond = () => Promise.reject(new TypeError('Failed to fetch'));
      const el = await mount(env);
      el.keepaliveUrl = '/session/keepalive';
      await openWarning(env, el);
      part(el, 'stay-button').click();
      await env.browser.advance(0);
      await el.updateComplete;
      const names = ['notice', 'dialog', 'heading', 'message', 'countdown', 'error', 'actions', 'stay-button', 'signout-button'];
      for (const name of names) {
        expect(el.shadowRoot!.querySelectorAll(`[part~="${name}"]`), name).to.have.length(1);
        expect(part(el, name).checkVisibility(), `${name} visible`).to.be.true;
      }
      expect(part(el, 'stay-button').localName).to.equal('button');
      expect(part(el, 'dialog').localName).to.equal('dialog');
    });
  });

  describe('styling', () => {
    it('inherits the page font', async () => {
      const env = singleTab();
      const el = await mount(env, '', 'en', 'font: italic 19px Georgia, serif');
      await openWarning(env, el);
      for (const name of ['dialog', 'message', 'stay-button']) {
        const style = getComputedStyle(part(el, name));
        expect(style.fontFamily, name).to.equal('Georgia, serif');
        expect(style.fontStyle, name).to.equal('italic');
      }
      expect(getComputedStyle(part(el, 'notice')).fontFamily).to.equal('Georgia, serif');
    });

    it('takes its colours, spacing and font from the custom properties', async () => {
      const env = singleTab();
      const el = await mount(
        env,
        '',
        'en',
        [
          '--session-timeout-font: 20px monospace',
          '--session-timeout-color: rgb(1, 2, 3)',
          '--session-timeout-background: rgb(250, 240, 230)',
          '--session-timeout-accent: rgb(10, 100, 10)',
          '--session-timeout-accent-text: rgb(255, 255, 0)',
          '--session-timeout-radius: 3px',
          '--session-timeout-padding: 7px',
          '--session-timeout-gap: 9px',
          '--session-timeout-width: 300px',
        ].join(';'),
      );
      await openWarning(env, el);
      const dialog = getComputedStyle(part(el, 'dialog'));
      expect(dialog.fontFamily).to.equal('monospace');
      expect(dialog.color).to.equal('rgb(1, 2, 3)');
      expect(dialog.backgroundColor).to.equal('rgb(250, 240, 230)');
      expect(dialog.borderTopLeftRadius).to.equal('3px');
      expect(dialog.paddingTop).to.equal('7px');
      expect(dialog.rowGap).to.equal('9px');
      expect(dialog.width).to.equal('300px');
      const stay = getComputedStyle(part(el, 'stay-button'));
      expect(stay.backgroundColor).to.equal('rgb(10, 100, 10)');
      expect(stay.color).to.equal('rgb(255, 255, 0)');
    });

    it("follows the page's dark colour scheme with system colours", async () => {
      const env = singleTab();
      const el = await mount(env, '', 'en', 'color-scheme: dark');
      await openWarning(env, el);
      const luminance = (rgb: string) => {
        const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const dialog = getComputedStyle(part(el, 'dialog'));
      expect(luminance(dialog.backgroundColor)).to.be.below(60);
      expect(luminance(dialog.color)).to.be.above(200);
    });

    it('has no animation or transition with reduced motion', async function () {
      // Skipped outside Chromium: emulateMedia needs the Chrome DevTools
      // Protocol; Firefox over WebDriver BiDi and WebKit over WebDriver classic
      // cannot emulate prefers-reduced-motion (the styles have no animation or
      // transition at all, in any engine).
      if (!canEmulateMedia) this.skip();
      await emulateMedia({ reducedMotion: 'reduce' });
      try {
        const env = singleTab();
        const el = await mount(env);
        await openWarning(env, el);
        for (const e of [el, ...el.shadowRoot!.querySelectorAll('*')]) {
          const style = getComputedStyle(e);
          expect(style.transitionDuration, e.localName).to.match(/^0s(, 0s)*$/);
          expect(style.animationName, e.localName).to.equal('none');
        }
      } finally {
        await emulateMedia({ reducedMotion: 'no-preference' });
      }
    });
  });

  describe('a 320 CSS px wide viewport (400 % zoom)', () => {
    let frame: HTMLIFrameElement | undefined;
    afterEach(async () => {
      if (frame) {
        frame.remove();
        frame = undefined;
      } else {
        await setViewport({ width: 800, height: 600 });
      }
    });

    /**
     * The element in a 320 × 256 CSS px viewport (1280 × 1024 at 400 %): the
     * page's own viewport in Chromium and Firefox; in WebKit, whose WebDriver
     * cannot size the viewport and whose MiniBrowser window stays wider than
     * 320 px (its toolbar), an iframe of that size (see frameViewport).
     */
    async function mountIn320(env: FakeEnv, lang: string): Promise<SessionTimeoutDialog> {
      const size = { width: 320, height: 256 };
      if (engine !== 'webkit') {
        await setViewport(size);
        return mount(env, '', lang);
      }
      const framed = await frameViewport(size);
      frame = framed.frame;
      const wrapper = framed.doc.createElement('div');
      wrapper.lang = lang;
      const el = framed.doc.createElement('session-timeout-dialog') as SessionTimeoutDialog;
      el.environment = env;
      for (const [name, value] of [['notice', ''], ['no-tab-sync', ''], ['signout-url', '/logout'],
        ['idle-seconds', '60'], ['timeout-seconds', '180']]) el.setAttribute(name!, value!);
      wrapper.append(el);
      framed.doc.body.append(wrapper);
      await el.updateComplete;
      return el;
    }

    for (const lang of LANGS) {
      it(`fits without horizontal scrolling in ${lang}`, async () => {
        const env = singleTab();
        const el = await mountIn320(env, lang);
        el.keepaliveUrl = '/session/keepalive';
        env.respond = () => Promise.reject(new TypeError('Failed to fetch'));
        await openWarning(env, el);
        part(el, 'stay-button').click(); // the longest state: the error shows too
        await env.browser.advance(0);
        await el.updateComplete;
        const dialog = part(el, 'dialog');
        const box = dialog.getBoundingClientRect();
        expect(box.left, 'left edge').to.be.at.least(0);
        expect(box.right, 'right edge').to.be.at.most(320);
        expect(dialog.scrollWidth, 'no horizontal scrolling inside').to.be.at.most(dialog.clientWidth);
        expect(box.bottom, 'bottom edge').to.be.at.most(256);
        for (const name of ['heading', 'message', 'error', 'stay-button', 'signout-button']) {
          const r = part(el, name).getBoundingClientRect();
          expect(r.right - box.right, `${name} right`).to.be.at.most(0.5);
          expect(box.left - r.left, `${name} left`).to.be.at.most(0.5);
        }
        expect(seen(part(el, 'stay-button'))).to.equal((await messagesFor(lang)).stay);
      });
    }
  });
});

