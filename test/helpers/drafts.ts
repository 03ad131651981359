/** Helpers for the drafts tests: server-like keys and a storage that can be made full. */
import { toBase64url } from '../../src/drafts/draft-seal.js';

/** A draftKey as a server sends it: base64url of 32 bytes (random, or all `fill`). */
export function makeDraftKey(fill?: number): string {
  const bytes = new Uint8Array(32);
  if (fill === undefined) crypto.getRandomValues(bytes);
  else bytes.fill(fill);
  return toBase64url(bytes);
}

/** A Storage in memory; `full` makes setItem throw as a browser does when the quota is reached. */
export class MemoryStorage implements Storage {
  #items = new Map<string, string>();
  full = false;
  get length(): number {
    return this.#items.size;
  }
  clear(): void {
    this.#items.clear();
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  setItem(key: string, value: string): void {
    // Worded as Chromium words it: the message quotes the entry's name.
    if (this.full) throw new DOMException(`Setting the value of '${key}' exceeded the quota.`, 'QuotaExceededError');
    this.#items.set(key, String(value));
  }
  /** Every stored key and value, for scanning. */
  dump(): string {
    return JSON.stringify([...this.#items]);
  }
}
