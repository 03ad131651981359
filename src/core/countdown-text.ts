/**
 * Remaining time → visible and spoken text. Pure: no DOM, no Lit, importable
 * in Node. Durations are worded by `Intl` only (no hand-made plurals).
 */

export type DurationStyle = 'long' | 'short' | 'narrow';

export interface FormatDurationOptions {
  style?: DurationStyle;
}

interface DurationFormatLike {
  format(duration: { hours: number; minutes: number; seconds: number }): string;
}
type DurationFormatCtor = new (
  locale: string,
  options: { style: DurationStyle; secondsDisplay?: 'always' },
) => DurationFormatLike;

type Formatter = (h: number, m: number, s: number) => string;

/** Formatters per (lang, style); built once, reused every second. */
const cache = new Map<string, Formatter>();
/** The DurationFormat the cache was built with (a polyfill may arrive later). */
let cachedDF: unknown;

/**
 * Unit words for languages whose `Intl` unit data some engines leave out
 * (Chromium ships no Welsh units and would say "2 minutes"). The words are
 * CLDR's; the form is still chosen by `Intl.PluralRules` (which Chromium has).
 * Order: hour, minute, second; keys are plural categories, `other` the default.
 */
const UNIT_WORDS: Record<string, Record<string, string>[]> = {
  cy: [{ other: 'awr' }, { two: 'funud', other: 'munud' }, { other: 'eiliad' }],
};

function build(lang: string, style: DurationStyle, DF: DurationFormatCtor | undefined): Formatter {
  let units: ((n: number) => string)[];
  let join: (parts: string[]) => string;
  const words = UNIT_WORDS[lang.split('-')[0]!.toLowerCase()];
  if (words && !Intl.NumberFormat.supportedLocalesOf(lang).length) {
    const pr = new Intl.PluralRules(lang);
    units = words.map((w) => (n: number) => `${n} ${w[pr.select(n)] ?? w.other}`);
    join = (parts) => parts.join(', ');
  } else if (DF) {
    // Zero units are omitted by default; a total of 0 still reads "0 seconds".
    const df = new DF(lang, { style });
    const zero = new DF(lang, { style, secondsDisplay: 'always' });
    return (h, m, s) =>
      (h || m || s ? df : zero).format({ hours: h, minutes: m, seconds: s });
  } else {
    units = ['hour', 'minute', 'second'].map((unit) => {
      const nf = new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: style });
      return (n: number) => nf.format(n);
    });
    const lf = new Intl.ListFormat(lang, { type: 'unit', style });
    join = (parts) => lf.format(parts);
  }
  return (h, m, s) => {
    const parts: string[] = [];
    if (h) parts.push(units[0]!(h));
    if (m) parts.push(units[1]!(m));
    if (s || !parts.length) parts.push(units[2]!(s));
    return join(parts);
  };
}

function formatterFor(lang: string, style: DurationStyle): Formatter {
  // Feature-detected at call time (tests may hide Intl.DurationFormat).
  const DF =
    'DurationFormat' in Intl
      ? (Intl as unknown as { DurationFormat: DurationFormatCtor }).DurationFormat
      : undefined;
  if (DF !== cachedDF) {
    cache.clear();
    cachedDF = DF;
  }
  const key = `${lang}|${style}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = build(lang, style, DF);
    } catch {
      // Malformed language tag: never throw out of the element.
      f = lang === 'en' ? build('en', style, DF) : formatterFor('en', style);
    }
    cache.set(key, f);
  }
  return f;
}

/**
 * Whole seconds (fractions rounded down: never more than is left; negatives
 * and NaN → 0) in words: en "1 minute, 59 seconds", "2 minutes",
 * "0 seconds", "1 hour, 5 minutes".
 */
export function formatDuration(
  seconds: number,
  lang: string,
  opts: FormatDurationOptions = {},
): string {
  const total = seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return formatterFor(lang, opts.style ?? 'long')(h, m, total % 60);
}

/**
 * The spoken cadence: the last step reached, rounded DOWN, so that what a
 * screen reader hears (now, or later when it reads the description again)
 * never states more time than is left. Steps: whole minutes from 60 s up,
 * then 40 and 20 s, then 10 and 5 s. The last two are there so that the
 * words never say "0 seconds" while there are still 20 s to act; the text
 * changes a handful of times per warning, never every second.
 * 150→120, 119→60, 60→60, 59.9→40, 27→20, 20→20, 19→10, 9→5, 4→0.
 */
export function spokenSeconds(remaining: number): number {
  if (!(remaining > 0)) return 0;
  if (remaining >= 60) return Math.floor(remaining / 60) * 60;
  if (remaining >= 20) return Math.floor(remaining / 20) * 20;
  if (remaining >= 10) return 10;
  return remaining >= 5 ? 5 : 0;
}

/**
 * Visible text (changes every second) and spoken text (changes on the
 * cadence), both rounded down. `remaining` is the exact time left in seconds,
 * fractions included: rounding it up first would overstate it.
 */
export function countdownText(remaining: number, lang: string): { visible: string; spoken: string } {
  return {
    visible: formatDuration(remaining, lang),
    spoken: formatDuration(spokenSeconds(remaining), lang),
  };
}

/**
 * Splits a message at its first `{time}`; without one → [template, '']. The
 * caller renders the time between the two parts (text nodes, no innerHTML).
 */
export function splitTemplate(template: string): [before: string, after: string] {
  const i = template.indexOf('{time}');
  return i < 0 ? [template, ''] : [template.slice(0, i), template.slice(i + 6)];
}
