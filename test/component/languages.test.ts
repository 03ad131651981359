/**
 * Languages: the built-in texts of all 12 languages reach the dialog, the
 * countdown and the live region; Arabic is right-to-left; the language comes
 * from the element's own `lang`, its ancestors', the document's, then the
 * browser's, the first one with texts. English is built in; the others load
 * on demand, when the element connects, never before it is needed, with no
 * English shown first, and English when one cannot be loaded.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { stub } from 'sinon';
import '../../src/index.js';
import { formatDuration } from '../../src/core/countdown-text.js';
import { en, loaders, type Messages } from '../../src/i18n/index.js';
import type { SessionTimeoutDialog } from '../../src/session-timeout-dialog.js';
import { singleTab, type FakeEnv } from '../helpers/fake-env.js';

const LANGS = ['en', 'cy', 'de', 'fr', 'es', 'nl', 'pl', 'pt', 'it', 'sv', 'ja', 'ar'];

const element = (env: FakeEnv, lang?: string) => html`
  <session-timeout-dialog
    .environment=${env}
    lang=${lang ?? (null as unknown as string)}
    notice
    no-tab-sync
    signout-url="/logout"
    idle-seconds="60"
    timeout-seconds="180"
  ></session-timeout-dialog>
`;

const part = (el: SessionTimeoutDialog, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;
const text = (e: Element) => e.textContent!.trim();
const dialogOf = (el: SessionTimeoutDialog) => el.shadowRoot!.querySelector('dialog')!;
/** The language the element chose, read from its dialog. */
const chosen = (el: SessionTimeoutDialog) => dialogOf(el).lang;

async function openWarning(env: FakeEnv, el: SessionTimeoutDialog) {
  await env.browser.advance(60_000);
  await el.updateComplete;
  expect(dialogOf(el).open, 'dialog open').to.be.true;
}

/** Language modules the page has requested so far (by the file name in their URL). */
const requested = () =>
  performance
    .getEntriesByType('resource')
    .map((entry) => /\/i18n\/([a-z]+)\.[jt]s\b/.exec(entry.name)?.[1])
    .filter((lang): lang is string => !!lang && lang !== 'en' && lang !== 'index' && lang !== 'types');

// Runs first: the tables the tests below read are loaded after it.
describe('languages on demand', () => {
  it('importing the element loads no language; an English page never does', async () => {
    expect(requested()).to.deep.equal([]);
    const el = await fixture<SessionTimeoutDialog>(element(singleTab(), 'en'));
    expect(chosen(el)).to.equal('en');
    expect(requested()).to.deep.equal([]);
  });

  it('a language loads when the element connects, before any warning, and no English is ever shown first', async () => {
    const env = singleTab();
    const notices: string[] = [];
    const el = document.createElement('session-timeout-dialog');
    el.environment = env;
    el.lang = 'sv';
    el.notice = true;
    el.noTabSync = true;
    el.idleSeconds = 60;
    el.timeoutSeconds = 180;
    document.body.append(el);
    // The shadow root exists from connectedCallback on; the first render comes a microtask later.
    const observer = new MutationObserver(() => {
      const notice = el.shadowRoot!.querySelector('[part="notice"]');
      if (notice) notices.push(text(notice));
    });
    observer.observe(el.shadowRoot!, { subtree: true, childList: true, characterData: true });
    try {
      await el.updateComplete;
      const sv = (await loaders.sv!()).default;
      expect(requested()).to.deep.equal(['sv']);
      expect(dialogOf(el).open, 'no warning yet').to.be.false;
      expect(chosen(el)).to.equal('sv');
      expect(dialogOf(el).querySelector('[part="heading"]')!.textContent!.trim()).to.equal(sv.heading);
      expect(text(part(el, 'notice'))).to.equal(sv.notice.replace('{time}', formatDuration(180, 'sv')));
      expect(notices.length, 'the notice was rendered').to.be.greaterThan(0);
      for (const seen of notices) expect(seen).to.not.include(en.notice.split('{time}')[0]!.trim());
      await openWarning(env, el);
      expect(requested(), 'one request for the language, none when the dialog opens').to.deep.equal(['sv']);
    } finally {
      observer.disconnect();
      el.remove();
    }
  });

  it('a language that cannot be loaded gives English, said once with console.warn', async () => {
    // A language of its own, so that no other test sees its failure cached.
    loaders.xx = () => Promise.reject(new TypeError('Failed to fetch dynamically imported module'));
    const warn = stub(console, 'warn');
    try {
      const env = singleTab();
      const root = await fixture<HTMLDivElement>(html`<div lang="xx">${element(env)}${element(singleTab())}</div>`);
      const [el, second] = root.querySelectorAll('session-timeout-dialog');
      await second!.updateComplete;
      expect(chosen(el!)).to.equal('en');
      expect(text(part(el!, 'notice'))).to.equal(en.notice.replace('{time}', formatDuration(180, 'en')));
      await openWarning(env, el!);
      expect(text(part(el!, 'heading'))).to.equal(en.heading);
      const said = warn.getCalls().filter((call) => String(call.args[0]).startsWith('session-timeout-dialog:'));
      expect(said, 'one warning for the page').to.have.length(1);
      expect(String(said[0]!.args[0])).to.include('"xx"');
    } finally {
      warn.restore();
      delete loaders.xx;
    }
  });
});

/** Every table, read from the language modules themselves. */
const messages: Record<string, Messages> = { en };

describe('languages', () => {
  before(async () => {
    for (const [lang, load] of Object.entries(loaders)) messages[lang] = (await load()).default;
  });

  for (const lang of LANGS) {
    it(`${lang}: every visible and spoken text is the ${lang} one`, async () => {
      const env = singleTab();
      const root = await fixture<HTMLDivElement>(html`<div lang=${lang}>${element(env)}</div>`);
      const el = root.querySelector('session-timeout-dialog')!;
      await openWarning(env, el);
      const m = messages[lang]!;
      const en = messages.en!;
      const time = formatDuration(120, lang);
      const dialog = dialogOf(el);

      expect(dialog.lang).to.equal(lang);
      expect(dialog.dir).to.equal(lang === 'ar' ? 'rtl' : 'ltr');
      expect(text(part(el, 'heading'))).to.equal(m.heading);
      expect(text(part(el, 'message'))).to.equal(m.message.replace('{time}', time));
      expect(text(part(el, 'countdown'))).to.equal(time);
      expect(text(el.shadowRoot!.querySelector('#spoken')!)).to.equal(m.message.replace('{time}', time));
      expect(text(part(el, 'stay-button'))).to.equal(m.stay);
      expect(text(part(el, 'signout-button'))).to.equal(m.signOut);
      expect(text(part(el, 'notice'))).to.equal(m.notice.replace('{time}', formatDuration(180, lang)));
      expect(part(el, 'notice').dir).to.equal(m.dir);
      if (lang !== 'en') {
        for (const key of ['heading', 'stay', 'signOut', 'message', 'notice'] as const) {
          expect(m[key], key).to.not.equal(en[key]);
        }
        // Durations are worded in the language too (Intl), not left in English.
        expect(formatDuration(119, lang)).to.not.equal('1 minute, 59 seconds');
      }
    });
  }

  it('ar: the dialog lays out right to left', async () => {
    const env = singleTab();
    const root = await fixture<HTMLDivElement>(html`<div lang="ar">${element(env)}</div>`);
    const el = root.querySelector('session-timeout-dialog')!;
    await openWarning(env, el);
    const heading = part(el, 'heading').getBoundingClientRect();
    const dialog = dialogOf(el).getBoundingClientRect();
    expect(getComputedStyle(part(el, 'actions')).direction).to.equal('rtl');
    // The first button sits at the right-hand edge.
    const stay = part(el, 'stay-button').getBoundingClientRect();
    expect(dialog.right - stay.right).to.be.lessThan(stay.left - dialog.left);
    expect(heading.width).to.be.greaterThan(0);
  });

  describe('which language', () => {
    const docLang = document.documentElement.lang;
    afterEach(() => {
      document.documentElement.lang = docLang;
      delete (navigator as { languages?: unknown }).languages;
    });

    it("the element's own lang comes first", async () => {
      const root = await fixture<HTMLDivElement>(html`<div lang="de">${element(singleTab(), 'fr')}</div>`);
      expect(chosen(root.querySelector('session-timeout-dialog')!)).to.equal('fr');
    });

    it('then the nearest ancestor with lang (region subtags and case do not matter)', async () => {
      document.documentElement.lang = 'es';
      const root = await fixture<HTMLDivElement>(
        html`<div lang="de"><section lang="PT-br"><p>${element(singleTab())}</p></section></div>`,
      );
      expect(chosen(root.querySelector('session-timeout-dialog')!)).to.equal('pt');
    });

    it('an ancestor across a shadow root counts', async () => {
      const host = await fixture<HTMLDivElement>(html`<div lang="nl"></div>`);
      const shadow = host.attachShadow({ mode: 'open' });
      const el = document.createElement('session-timeout-dialog');
      el.environment = singleTab();
      el.noTabSync = true;
      shadow.append(el);
      await el.updateComplete;
      expect(chosen(el)).to.equal('nl');
    });

    it('a language without texts is skipped for the next candidate', async () => {
      const root = await fixture<HTMLDivElement>(html`<div lang="sv">${element(singleTab(), 'tlh')}</div>`);
      expect(chosen(root.querySelector('session-timeout-dialog')!)).to.equal('sv');
    });

    it('then the document', async () => {
      document.documentElement.lang = 'ja';
      const el = await fixture<SessionTimeoutDialog>(element(singleTab()));
      expect(chosen(el)).to.equal('ja');
    });

    it('then the browser', async () => {
      document.documentElement.lang = '';
      Object.defineProperty(navigator, 'languages', { configurable: true, get: () => ['zz', 'it-CH', 'en'] });
      const el = await fixture<SessionTimeoutDialog>(element(singleTab()));
      expect(chosen(el)).to.equal('it');
    });

    it('else English', async () => {
      document.documentElement.lang = 'tlh';
      Object.defineProperty(navigator, 'languages', { configurable: true, get: () => ['zz'] });
      const el = await fixture<SessionTimeoutDialog>(element(singleTab()));
      expect(chosen(el)).to.equal('en');
      expect(text(part(el, 'heading'))).to.equal(messages.en!.heading);
    });
  });

  it('follows a change of its own lang attribute after it connected', async () => {
    const env = singleTab();
    const el = await fixture<SessionTimeoutDialog>(element(env, 'en'));
    expect(text(part(el, 'notice'))).to.include(messages.en!.notice.split('{time}')[0].trim());
    el.setAttribute('lang', 'de');
    await el.updateComplete;
    expect(text(part(el, 'notice'))).to.include(messages.de!.notice.split('{time}')[0].trim());
    await openWarning(env, el);
    expect(chosen(el)).to.equal('de');
    expect(text(part(el, 'heading'))).to.equal(messages.de!.heading);
  });
});
