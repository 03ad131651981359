import { expect } from '@open-wc/testing';
import {
  countdownText,
  splitTemplate,
  formatDuration,
  spokenSeconds,
} from '../../src/core/countdown-text.js';

type DurationFormatCtor = new (lang: string, options: object) => { format(duration: object): string };
type IntlWithDF = typeof Intl & { DurationFormat?: DurationFormatCtor };

/** Runs `fn` with `Intl.DurationFormat` hidden: the text must not depend on it. */
function withoutDurationFormat(fn: () => void): void {
  const intl = Intl as IntlWithDF;
  const had = 'DurationFormat' in intl;
  const saved = intl.DurationFormat;
  delete intl.DurationFormat;
  try {
    expect('DurationFormat' in Intl).to.equal(false);
    fn();
  } finally {
    if (had) intl.DurationFormat = saved;
  }
}

const EN_CASES: [number, string][] = [
  [0, '0 seconds'],
  [1, '1 second'],
  [45, '45 seconds'],
  [60, '1 minute'],
  [119, '1 minute, 59 seconds'],
  [120, '2 minutes'],
  [900, '15 minutes'],
  [3600, '1 hour'],
  [3900, '1 hour, 5 minutes'],
  [3661, '1 hour, 1 minute, 1 second'],
];

/** Seconds stated by an English duration ("1 hour, 2 minutes, 3 seconds" → 3723). */
function parseEn(text: string): number {
  const unit: Record<string, number> = { hour: 3600, minute: 60, second: 1 };
  let total = 0;
  for (const [, n, u] of text.matchAll(/(\d+) (hour|minute|second)s?/g)) total += Number(n) * unit[u!]!;
  return total;
}

function checkPaths(name: string, body: () => void): void {
  it(name, body);
  it(`${name} (Intl.DurationFormat hidden)`, () => withoutDurationFormat(body));
}

describe('formatDuration', () => {
  checkPaths('formats English durations, omitting zero parts', () => {
    for (const [s, text] of EN_CASES) expect(formatDuration(s, 'en'), `${s} s`).to.equal(text);
  });

  checkPaths('uses the right plural forms (1 minute vs 2 minutes)', () => {
    expect(formatDuration(60, 'en')).to.equal('1 minute');
    expect(formatDuration(120, 'en')).to.equal('2 minutes');
    expect(formatDuration(1, 'en')).to.equal('1 second');
    expect(formatDuration(2, 'en')).to.equal('2 seconds');
  });

  checkPaths('uses Polish few/many forms from Intl (2 minuty, 5 minut)', () => {
    expect(formatDuration(60, 'pl')).to.equal('1 minuta');
    expect(formatDuration(120, 'pl')).to.equal('2 minuty');
    expect(formatDuration(300, 'pl')).to.equal('5 minut');
    expect(formatDuration(22, 'pl')).to.equal('22 sekundy');
    expect(formatDuration(25, 'pl')).to.equal('25 sekund');
  });

  checkPaths('formats German and French', () => {
    expect(formatDuration(119, 'de')).to.equal('1 Minute, 59 Sekunden');
    expect(formatDuration(120, 'de')).to.equal('2 Minuten');
    expect(formatDuration(3900, 'de')).to.equal('1 Stunde, 5 Minuten');
    // French puts a (narrow) no-break space between number and unit.
    expect(formatDuration(119, 'fr')).to.match(/^1\sminute et 59\ssecondes$/);
    expect(formatDuration(45, 'fr')).to.match(/^45\ssecondes$/);
  });

  checkPaths('accepts region subtags (en-GB, pt-BR)', () => {
    expect(formatDuration(119, 'en-GB')).to.equal('1 minute, 59 seconds');
    expect(formatDuration(120, 'pt-BR')).to.equal('2 minutos');
  });

  checkPaths('words Welsh durations in Welsh, never in English', () => {
    for (const s of [1, 2, 45, 60, 119, 120, 300, 3900]) {
      const text = formatDuration(s, 'cy');
      expect(text, `${s} s`).to.not.match(/minute|second|hour/);
    }
    expect(formatDuration(120, 'cy')).to.equal('2 funud');
    expect(formatDuration(300, 'cy')).to.equal('5 munud');
    expect(formatDuration(45, 'cy')).to.match(/^45 eiliad$/);
    expect(formatDuration(119, 'cy')).to.match(/^1 [fm]unud.*59 eiliad$/);
  });

  checkPaths('supports short and narrow styles', () => {
    expect(formatDuration(119, 'en', { style: 'short' })).to.equal('1 min, 59 sec');
    expect(formatDuration(119, 'en', { style: 'narrow' })).to.equal('1m 59s');
    expect(formatDuration(0, 'en', { style: 'narrow' })).to.equal('0s');
  });

  it('gives the same English text with and without Intl.DurationFormat', () => {
    const native = EN_CASES.map(([s]) => formatDuration(s, 'en'));
    let without: string[] = [];
    withoutDurationFormat(() => {
      without = EN_CASES.map(([s]) => formatDuration(s, 'en'));
    });
    expect(without).to.deep.equal(native);
  });

  it('says what Intl.DurationFormat says, in every language and style (it is built from the same parts)', () => {
    const DF = (Intl as IntlWithDF).DurationFormat;
    expect(DF, 'Intl.DurationFormat in this engine').to.be.a('function');
    const differ: string[] = [];
    for (const lang of ['en', 'de', 'fr', 'es', 'nl', 'pl', 'pt', 'it', 'sv', 'ja', 'ar', 'pt-BR', 'en-GB']) {
      for (const style of ['long', 'short', 'narrow'] as const) {
        const df = new DF!(lang, { style });
        const zero = new DF!(lang, { style, secondsDisplay: 'always' });
        for (let t = 0; t < 7300; t += t < 130 ? 1 : 37) {
          const duration = { hours: Math.floor(t / 3600), minutes: Math.floor((t % 3600) / 60), seconds: t % 60 };
          const expected = (t ? df : zero).format(duration);
          const actual = formatDuration(t, lang, { style });
          if (actual !== expected) differ.push(`${lang} ${style} ${t} s: ${actual} (DurationFormat: ${expected})`);
        }
      }
    }
    expect(differ.slice(0, 10)).to.deep.equal([]);
  });

  it('clamps negative, NaN and fractional input', () => {
    expect(formatDuration(-5, 'en')).to.equal('0 seconds');
    expect(formatDuration(Number.NaN, 'en')).to.equal('0 seconds');
    expect(formatDuration(59.9, 'en')).to.equal('59 seconds');
    expect(formatDuration(0.9, 'en')).to.equal('0 seconds');
  });

  it('never states more than the time given: fractions round down', () => {
    for (let tenths = 0; tenths <= 1300; tenths++) {
      const seconds = tenths / 10;
      expect(parseEn(formatDuration(seconds, 'en')), `${seconds} s`).to.be.at.most(seconds);
    }
  });

  it('does not throw on a malformed language tag (falls back to English)', () => {
    expect(formatDuration(120, '!!not a tag')).to.equal('2 minutes');
    expect(formatDuration(120, '')).to.equal('2 minutes');
  });
});

describe('spokenSeconds', () => {
  it('follows the cadence, rounding down', () => {
    const table: [number, number][] = [
      [900, 900], [899, 840], [180, 180], [150, 120], [121, 120], [120, 120], [119.9, 60], [61, 60], [60, 60],
      [59.9, 40], [41, 40], [40, 40], [39, 20], [27, 20], [21, 20], [20, 20], [19.9, 10], [10, 10],
      [9.9, 5], [5, 5], [4.9, 0], [0.5, 0], [0, 0], [-3, 0], [Number.NaN, 0],
    ];
    for (const [remaining, spoken] of table) {
      expect(spokenSeconds(remaining), `${remaining} s`).to.equal(spoken);
    }
  });

  it('never states more than is left, at any tenth of a second up to an hour', () => {
    for (let tenths = 0; tenths <= 36_000; tenths++) {
      const remaining = tenths / 10;
      expect(spokenSeconds(remaining), `${remaining} s`).to.be.at.most(remaining);
    }
  });
});

describe('countdownText', () => {
  it('shows every second but speaks only on the cadence during a 2-minute countdown', () => {
    const visible = new Set<string>();
    const spoken: string[] = [];
    for (let remaining = 120; remaining >= 0; remaining--) {
      const text = countdownText(remaining, 'en');
      visible.add(text.visible);
      if (text.spoken !== spoken[spoken.length - 1]) spoken.push(text.spoken);
    }
    expect(visible.size).to.equal(121);
    expect(spoken).to.deep.equal(['2 minutes', '1 minute', '40 seconds', '20 seconds', '10 seconds', '5 seconds', '0 seconds']);
  });

  it('says at most the time left, visible and spoken, whatever the fraction (27.4 s → "20 seconds", not "40")', () => {
    expect(countdownText(27.4, 'en')).to.deep.equal({ visible: '27 seconds', spoken: '20 seconds' });
    expect(countdownText(19.5, 'en')).to.deep.equal({ visible: '19 seconds', spoken: '10 seconds' });
    expect(countdownText(119.5, 'en')).to.deep.equal({ visible: '1 minute, 59 seconds', spoken: '1 minute' });
    expect(countdownText(33, 'de')).to.deep.equal({ visible: '33 Sekunden', spoken: '20 Sekunden' });
    for (let hundredths = 0; hundredths <= 15_000; hundredths += 7) {
      const remaining = hundredths / 100;
      const { visible, spoken } = countdownText(remaining, 'en');
      expect(parseEn(visible), `visible at ${remaining} s`).to.be.at.most(remaining);
      expect(parseEn(spoken), `spoken at ${remaining} s`).to.be.at.most(remaining);
    }
  });
});

describe('splitTemplate', () => {
  it('splits a message at {time}', () => {
    expect(splitTemplate('For your security, we will sign you out in {time}.')).to.deep.equal([
      'For your security, we will sign you out in ',
      '.',
    ]);
    expect(splitTemplate('{time} left')).to.deep.equal(['', ' left']);
    expect(splitTemplate('ends in {time}')).to.deep.equal(['ends in ', '']);
  });

  it('keeps a template without {time} whole', () => {
    expect(splitTemplate('Stay signed in')).to.deep.equal(['Stay signed in', '']);
  });

  it('never interprets markup (parts are plain strings)', () => {
    const [before, after] = splitTemplate('<b>in</b> {time} <i>x</i>');
    expect(before).to.equal('<b>in</b> ');
    expect(after).to.equal(' <i>x</i>');
  });
});
