import type { Messages } from './types.js';
import en from './en.js';

export type { Messages };
export { en };

/**
 * The other languages, one module each, imported only when a page needs one:
 * a page pays for its own language, not for twelve. The paths are literal so
 * that every bundler (and the CDN build) splits each into its own file,
 * loaded relative to the module that imports it.
 */
export const loaders: Record<string, () => Promise<{ default: Messages }>> = {
  cy: () => import('./cy.js'),
  de: () => import('./de.js'),
  fr: () => import('./fr.js'),
  es: () => import('./es.js'),
  nl: () => import('./nl.js'),
  pl: () => import('./pl.js'),
  pt: () => import('./pt.js'),
  it: () => import('./it.js'),
  sv: () => import('./sv.js'),
  ja: () => import('./ja.js'),
  ar: () => import('./ar.js'),
};

/**
 * The first candidate (a BCP 47 tag, any case, `_` tolerated) that has
 * texts — by full tag, else by primary subtag (`pt-BR` → `pt`) — else `'en'`.
 * Empty, null and undefined candidates are skipped.
 */
export function resolveLanguage(candidates: readonly (string | null | undefined)[]): string {
  for (const candidate of candidates) {
    const tag = candidate?.trim().toLowerCase().replace(/_/g, '-');
    for (const t of tag ? [tag, tag.split('-')[0]!] : []) if (t === 'en' || Object.hasOwn(loaders, t)) return t;
  }
  return 'en';
}

/** Each language's texts once loaded, or the promise of them while loading (one request per page). */
const tables = new Map<string, Messages | Promise<Messages>>([['en', en]]);

/**
 * The texts of `lang` (a tag from `resolveLanguage`): the table when it is
 * here, else a promise of it, loading it on the first call. A language that
 * cannot be loaded (offline, a file left out when copying the build) gives
 * English, said once with console.warn; the page keeps working.
 */
export function messagesFor(lang: string): Messages | Promise<Messages> {
  let table = tables.get(lang);
  if (!table) {
    const load = loaders[lang] ?? (() => Promise.reject(new Error('no such language')));
    table = load().then(
      (module) => module.default,
      (error: unknown) => {
        console.warn(`session-timeout-dialog: could not load the "${lang}" texts, using English (${String(error)})`);
        return en;
      },
    );
    tables.set(lang, table);
    void table.then((loaded) => tables.set(lang, loaded));
  }
  return table;
}
