import type { Messages } from './types.js';
import en from './en.js';
import cy from './cy.js';
import de from './de.js';
import fr from './fr.js';
import es from './es.js';
import nl from './nl.js';
import pl from './pl.js';
import pt from './pt.js';
import it from './it.js';
import sv from './sv.js';
import ja from './ja.js';
import ar from './ar.js';

export type { Messages };

/** Built-in texts, keyed by lower-case primary language subtag. */
export const messages: Record<string, Messages> = {
  en, cy, de, fr, es, nl, pl, pt, it, sv, ja, ar,
};

const has = (tag: string): boolean => Object.hasOwn(messages, tag);

/**
 * The first candidate (a BCP 47 tag, any case, `_` tolerated) that has a
 * table — by full tag, else by primary subtag (`pt-BR` → `pt`) — else `'en'`.
 * Empty, null and undefined candidates are skipped.
 */
export function resolveLanguage(candidates: readonly (string | null | undefined)[]): string {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const tag = candidate.trim().toLowerCase().replace(/_/g, '-');
    if (has(tag)) return tag;
    const primary = tag.split('-')[0];
    if (primary && has(primary)) return primary;
  }
  return 'en';
}

/** The table for `lang` (resolved as by `resolveLanguage`), English when none. */
export function messagesFor(lang: string): Messages {
  return messages[resolveLanguage([lang])] as Messages;
}
