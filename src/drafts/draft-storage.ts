/**
 * Where sealed drafts are kept: this tab's sessionStorage, one entry per
 * page path. This small part is on the element's critical path (a sign-out
 * discards drafts even before the rest of the drafts code has loaded).
 */

/** Prefix of the storage entries; the page's path follows. */
export const DRAFT_PREFIX = 'session-timeout-draft:';

/** This tab's sessionStorage, or null where it is missing or blocked. */
export function draftStorage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    // Blocked storage (some privacy settings) throws on access.
    return null;
  }
}

/** Remove every draft of this tab. */
export function discardDrafts(storage: Storage | null = draftStorage()): void {
  try {
    if (!storage) return;
    for (let i = storage.length - 1; i >= 0; i--) {
      const key = storage.key(i);
      if (key?.startsWith(DRAFT_PREFIX)) storage.removeItem(key);
    }
  } catch {
    // Storage that cannot be reached has nothing to remove.
  }
}
