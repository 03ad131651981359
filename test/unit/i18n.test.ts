import { expect } from '@open-wc/testing';
import { en, loaders, messagesFor, resolveLanguage } from '../../src/i18n/index.js';
import type { Messages } from '../../src/i18n/types.js';

const LANGS = ['en', 'cy', 'de', 'fr', 'es', 'nl', 'pl', 'pt', 'it', 'sv', 'ja', 'ar'];
const KEYS: (keyof Messages)[] = [
  'dir', 'heading', 'message', 'ending', 'stay', 'signOut', 'error', 'signedOut', 'notice', 'restored',
];

/** Every table, read from its module. */
const messages: Record<string, Messages> = { en };

describe('i18n tables', () => {
  before(async () => {
    for (const [lang, load] of Object.entries(loaders)) messages[lang] = (await load()).default;
  });

  it('has exactly the 12 built-in languages: English built in, the others on demand', () => {
    expect(['en', ...Object.keys(loaders)].sort()).to.deep.equal([...LANGS].sort());
  });

  for (const lang of LANGS) {
    describe(lang, () => {
      let m: Messages;
      before(() => {
        m = messages[lang]!;
      });

      it('has every key, non-empty, and no unknown key', () => {
        expect(Object.keys(m).sort()).to.deep.equal([...KEYS].sort());
        for (const key of KEYS) {
          expect(m[key], key).to.be.a('string');
          expect(m[key].trim(), key).to.not.equal('');
        }
      });

      it('has {time} exactly once in message, ending and notice, and nowhere else', () => {
        for (const key of ['message', 'ending', 'notice'] as const) {
          expect(m[key].split('{time}').length - 1, key).to.equal(1);
        }
        for (const key of ['heading', 'stay', 'signOut', 'error', 'signedOut', 'restored'] as const) {
          expect(m[key], key).to.not.include('{');
        }
      });

      it(lang === 'ar' ? 'is right-to-left' : 'is left-to-right', () => {
        expect(m.dir).to.equal(lang === 'ar' ? 'rtl' : 'ltr');
      });

      if (lang !== 'en') {
        it('is translated (heading, stay, signOut differ from English)', () => {
          for (const key of ['heading', 'stay', 'signOut', 'message', 'error', 'signedOut', 'restored'] as const) {
            expect(m[key], key).to.not.equal(messages.en![key]);
          }
        });
      }
    });
  }

  it('keeps the English texts of the spec', () => {
    expect(messages.en).to.deep.equal({
      dir: 'ltr',
      heading: 'You’re about to be signed out',
      message: 'For your security, we will sign you out in {time}.',
      ending: 'Your session will end in {time}. Save your work now.',
      stay: 'Stay signed in',
      signOut: 'Sign out',
      error: 'We could not keep you signed in. Check your connection and try again.',
      signedOut: 'You have been signed out.',
      notice: 'For your security, you will be signed out after {time} of inactivity.',
      restored: 'Your unsaved changes were restored.',
    });
  });
});

describe('resolveLanguage', () => {
  it('maps a tag to its primary language, case-insensitively', () => {
    expect(resolveLanguage(['pt-BR'])).to.equal('pt');
    expect(resolveLanguage(['EN-gb'])).to.equal('en');
    expect(resolveLanguage(['AR'])).to.equal('ar');
    expect(resolveLanguage(['cy-GB'])).to.equal('cy');
    expect(resolveLanguage(['sv_SE'])).to.equal('sv');
    expect(resolveLanguage(['zh-Hant-TW', 'de-CH-1996'])).to.equal('de');
  });

  it('falls back to English', () => {
    expect(resolveLanguage(['xx'])).to.equal('en');
    expect(resolveLanguage(['zh-CN', 'ko'])).to.equal('en');
    expect(resolveLanguage([])).to.equal('en');
    expect(resolveLanguage(['constructor', '__proto__', 'toString'])).to.equal('en');
  });

  it('takes the first candidate that has a table', () => {
    expect(resolveLanguage(['fr', 'de'])).to.equal('fr');
    expect(resolveLanguage(['ko', 'ja', 'fr'])).to.equal('ja');
  });

  it('skips null, undefined and empty candidates', () => {
    expect(resolveLanguage([null, undefined, '', 'nl'])).to.equal('nl');
    expect(resolveLanguage([null, undefined])).to.equal('en');
  });
});

describe('messagesFor', () => {
  it('gives English at once, with no import', () => {
    expect(messagesFor('en')).to.equal(en);
  });

  it("gives another language's table: a promise the first time, then the table itself", async () => {
    const first = messagesFor('de');
    const de = (await loaders.de!()).default;
    expect(await first).to.equal(de);
    expect(messagesFor('de')).to.equal(de);
    expect((await messagesFor('ar')).dir).to.equal('rtl');
  });
});
