/**
 * `keep-drafts`: what the person typed survives a timeout, sealed with their
 * own key, and comes back once after the same person signs in again.
 *
 * Loaded on demand, only by pages that set `keep-drafts`. It holds the
 * person's key (a non-extractable CryptoKey, in memory only), seals this
 * tab's page when the session times out, keeps the sealed draft in this tab's
 * sessionStorage, and opens it on a later load of the same path when the key
 * that the server hands out then is the same one.
 *
 * Tabs share the key (the CryptoKey object itself, never its bytes) over a
 * BroadcastChannel: only the leading tab talks to the server, but every tab
 * seals its own page.
 */
import type { ChannelLike } from '../core/environment.js';
import { collectFields, fillFields, resetFields } from './draft-form.js';
import { importDraftKey, openDraft, parseSealed, sealDraft, type DraftContent, type DraftKey, type SealedDraft } from './draft-seal.js';

// Nothing here imports a module of the element's own file (events, storage
// helpers): a shared module would become a third file that every page loads
// before the element works. The host dispatches the events instead.

/** A draft older than this is deleted unread. */
export const DRAFT_MAX_AGE_MS = 24 * 3600 * 1000;

export interface DraftHost {
  /** Fire `session-timeout-draft` with `data` as `detail.data`; false when cancelled. */
  draft(data: Record<string, unknown>): boolean;
  /** Fire `session-timeout-restore`; false when cancelled (the app restores it itself). */
  restore(content: DraftContent): boolean;
  /** Fire `session-timeout-error` with operation `draft`. */
  error(message: string): void;
  /** Ask the server for the status (its answer comes back through `answered`). */
  check(): void;
  /** Say politely that the page's fields were restored. */
  announce(): void;
}

export interface DraftKeeperOptions {
  /** This tab's sessionStorage (or null where it is blocked). */
  storage: Storage | null;
  /**
   * The storage entries of this page's drafts start with this; the key id
   * follows (`<storageKey>#<key id>`), so that one person's draft never
   * replaces another's on the same page.
   */
  storageKey: string;
  /** The page's path; drafts are per path. */
  path?: string;
  now?: () => number;
  /** A channel shared with the other tabs of this session, or null. */
  channel?: ChannelLike | null;
  doc?: Document;
  info?: (message: string) => void;
}

type KeyMessage = { type: 'draft-key'; key: DraftKey } | { type: 'draft-key?' };

/** Said once per page, however many elements or answers. */
let saidNoKey = false;

export class DraftKeeper {
  readonly #host: DraftHost;
  readonly #storage: Storage | null;
  readonly #storageKey: string;
  readonly #path: string;
  readonly #now: () => number;
  readonly #channel: ChannelLike | null;
  readonly #doc: Document;
  readonly #info: (message: string) => void;

  /** The person's key, once an answer (or another tab) gave it. */
  #key: Promise<DraftKey | null> = Promise.resolve(null);
  /** The draftKey string #key was imported from (to import each key once). */
  #from: string | null = null;
  /** Drafts waiting for this path (by storage entry), until opened; other people's stay. */
  #waiting = new Map<string, SealedDraft>();
  #closed = false;

  constructor(host: DraftHost, options: DraftKeeperOptions) {
    this.#host = host;
    this.#storage = options.storage;
    this.#storageKey = options.storageKey;
    this.#path = options.path ?? location.pathname;
    this.#now = options.now ?? Date.now;
    this.#channel = options.channel ?? null;
    this.#doc = options.doc ?? document;
    this.#info = options.info ?? console.info;
    this.#channel?.addEventListener('message', this.#onMessage);
    this.#waiting = this.#readWaiting();
    // The one request on load: only when a draft waits for this page, to
    // learn whose session this is now.
    if (this.#waiting.size) this.#host.check();
    this.#channel?.postMessage({ type: 'draft-key?' } satisfies KeyMessage);
  }

  /** True when a sealed draft waits for this page. */
  get waiting(): boolean {
    return this.#waiting.size > 0;
  }

  /** A status or keepalive answer of a live session: its `draftKey`, if any. */
  answered(draftKey: string | undefined): void {
    if (this.#closed) return;
    if (typeof draftKey !== 'string') {
      if (this.#from === null && !saidNoKey) {
        saidNoKey = true;
        this.#info(
          'session-timeout-dialog: keep-drafts does nothing here: the server sends no draftKey in its status and keepalive answers, so drafts cannot be sealed.',
        );
      }
      return;
    }
    if (draftKey === this.#from) return;
    this.#from = draftKey;
    const key = importDraftKey(draftKey).catch(() => null);
    this.#key = key;
    void key.then((k) => {
      if (!k || this.#closed || this.#key !== key) return;
      this.#channel?.postMessage({ type: 'draft-key', key: k } satisfies KeyMessage);
      void this.#tryOpen(k);
    });
  }

  readonly #onMessage = (event: MessageEvent): void => {
    const message = event.data as KeyMessage | null;
    if (message?.type === 'draft-key?') {
      void this.#key.then((k) => {
        if (k && !this.#closed) this.#channel?.postMessage({ type: 'draft-key', key: k } satisfies KeyMessage);
      });
    } else if (message?.type === 'draft-key' && message.key?.key instanceof CryptoKey) {
      const k = message.key;
      void this.#key.then((mine) => {
        // A key the server gave this tab wins over one heard on the channel.
        if (this.#closed || this.#from !== null || mine?.id === k.id) return;
        this.#key = Promise.resolve(k);
        this.#from = null;
        void this.#tryOpen(k);
      });
    }
  };

  /**
   * The session timed out and the page is about to leave: fire
   * `session-timeout-draft`, take the changed fields now (synchronously,
   * before the page goes), and seal them. Resolves when the draft is stored
   * (or could not be). Nothing is written when the app cancels the event,
   * when no key is known, or when nothing was changed.
   */
  seal(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const data: Record<string, unknown> = {};
    if (!this.#host.draft(data)) return Promise.resolve();
    const content = { fields: collectFields(this.#doc), data };
    if (content.fields.length === 0 && Object.keys(content.data).length === 0) return Promise.resolve();
    const time = this.#now();
    return this.#key.then(async (key) => {
      if (!key) return;
      try {
        const sealed = await sealDraft(key, content, this.#path, time);
        const entry = `${this.#storageKey}#${key.id}`;
        this.#storage?.setItem(entry, JSON.stringify(sealed));
        // Not to be opened again on this same page (an SPA that stays).
        this.#waiting.delete(entry);
        this.#sealed = true;
      } catch (error) {
        // A full storage (QuotaExceededError) or data the app added that does
        // not serialise: the page keeps everything it shows; only the draft is lost.
        // Named by kind only: a browser's message may quote the storage entry,
        // whose key id is the same for the person in every session.
        this.#error(`the draft could not be kept (${error instanceof Error ? error.name : 'error'})`);
      }
    });
  }

  /**
   * The page leaves after a timeout: once its draft is safely sealed, the
   * fields go back to the page's own values and the key is dropped, so that
   * neither comes back with the page (back button, back/forward cache).
   * When sealing failed the fields stay: they are all there is.
   */
  leave(): void {
    if (!this.#sealed) return;
    resetFields(this.#doc);
    this.forget();
  }

  /** A deliberate sign-out (the host removes the stored drafts): the key goes too. */
  forget(): void {
    this.#waiting.clear();
    this.#key = Promise.resolve(null);
    this.#from = null;
  }

  /** True once this page's draft was stored. */
  #sealed = false;

  close(): void {
    this.#closed = true;
    this.#channel?.removeEventListener('message', this.#onMessage);
    this.#channel?.close();
  }

  /** This page's drafts; malformed ones and those older than 24 h are deleted unread. */
  #readWaiting(): Map<string, SealedDraft> {
    const found = new Map<string, SealedDraft>();
    try {
      const storage = this.#storage;
      if (!storage) return found;
      const prefix = `${this.#storageKey}#`;
      for (let i = 0; i < storage.length; i++) {
        const entry = storage.key(i);
        if (!entry?.startsWith(prefix)) continue;
        const draft = parseSealed(storage.getItem(entry));
        const age = draft ? this.#now() - draft.time : Infinity;
        const ok = draft && draft.path === this.#path && `${prefix}${draft.kid}` === entry && Math.abs(age) <= DRAFT_MAX_AGE_MS;
        if (ok) found.set(entry, draft);
      }
      for (let i = storage.length - 1; i >= 0; i--) {
        const entry = storage.key(i);
        if (entry?.startsWith(prefix) && !found.has(entry)) storage.removeItem(entry);
      }
    } catch {
      // Storage that cannot be reached holds nothing for us.
    }
    return found;
  }

  #remove(entry: string): void {
    try {
      this.#storage?.removeItem(entry);
    } catch {
      // Storage that cannot be reached has nothing to remove.
    }
  }

  /** With a key: open the waiting draft if it was sealed with it; another person's stays untouched. */
  async #tryOpen(key: DraftKey): Promise<void> {
    const entry = `${this.#storageKey}#${key.id}`;
    const draft = this.#waiting.get(entry);
    if (!draft || draft.kid !== key.id) return;
    this.#waiting.delete(entry);
    let content;
    try {
      content = await openDraft(key, draft);
    } catch {
      // The right key but the draft does not open: it was changed on the
      // device. It can never be opened: delete it.
      this.#remove(entry);
      this.#error('the draft could not be opened: it was changed since it was sealed');
      return;
    }
    // Restored once: gone before anything else can read it again.
    this.#remove(entry);
    if (this.#doc.readyState === 'loading') {
      await new Promise((resolve) => this.#doc.addEventListener('DOMContentLoaded', resolve, { once: true }));
    }
    if (this.#closed) return;
    if (!this.#host.restore(content)) return;
    fillFields(content.fields, this.#doc);
    this.#host.announce();
  }

  #error(message: string): void {
    this.#host.error(message);
  }
}
