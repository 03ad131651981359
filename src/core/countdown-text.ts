/**
 * Remaining time → visible and spoken text. Pure: no DOM, no Lit, importable
 * in Node. Durations are worded by `Intl` only (no hand-made plurals).
 */

export type DurationStyle = 'long' | 'short' | 'narrow';

export interface FormatDurationOptions {
  style?: DurationStyle;
}

type Formatter = (h: number, m: number, s: number) => string;

/** Formatters per (lang, style); built once, reused every second. */
const cache = new Map<string, Formatter>();

/**
 * Unit words for languages whose `Intl` unit data some engines leave out
 * (Chromium ships no Welsh units and would say "2 minutes"). The words are
 * CLDR's; the form is still chosen by `Intl.PluralRules` (which Chromium has).
 * Order: hour, minute, second; keys are plural categories, `other` the default.
 */
const UNIT_WORDS: Record<string, Record<string, string>[]> = {
  cy: [{ other: 'awr' }, { two: 'funud', other: 'munud' }, { other: 'eiliad' }],
};

/**
 * Each unit by `Intl.NumberFormat`, joined by `Intl.ListFormat` (type unit):
 * what `Intl.DurationFormat` does by its definition, with the same text in
 * every engine that has it, and in the engines that do not.
 */
function build(lang: string, style: DurationStyle): Formatter {
  let units: { format(n: number): string }[];
  let list: { format(parts: string[]): string };
  const words = UNIT_WORDS[lang.split('-')[0]!.toLowerCase()];
  if (words && !Intl.NumberFormat.supportedLocalesOf(lang).length) {
    const pr = new Intl.PluralRules(lang);
    units = words.map((w) => ({ format: (n) => `${n} ${w[pr.select(n)] ?? w.other}` }));
    list = { format: (parts) => parts.join(', ') };
  } else {
    units = ['hour', 'minute', 'second'].map((unit) => new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: style }));
    list = new Intl.ListFormat(lang, { type: 'unit', style });
  }
  // Zero units are left out; a total of 0 still reads "0 seconds".
  return (h, m, s) => list.format([h, m, s].flatMap((n, i) => (n || (i === 2 && !h && !m) ? units[i]!.format(n) : [])));
}

function formatterFor(lang: string, style: DurationStyle): Formatter {
  const key = `${lang}|${style}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = build(lang, style);
    } catch {
      // Malformed language tag: never throw out of the element.
      f = build('en', style);
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
