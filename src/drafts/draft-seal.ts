/**
 * Sealing a draft with the person's own key: AES-GCM 256 through WebCrypto.
 *
 * The key comes from the server (`draftKey`: base64url of 32 bytes, the same
 * for every session of one person and unknown to everybody else). It is
 * imported as a non-extractable CryptoKey: script on the page can use it but
 * never read it back, and it lives in memory only. What is stored names the
 * key by an id (a SHA-256 hash of the key with a fixed label, cut to 128 bits)
 * which tells whether a key fits without revealing it.
 *
 * The clear-text parts of a sealed draft (path, time, key id) are bound to
 * the ciphertext as additional authenticated data: moving a draft to another
 * page, or making it look younger, makes it fail to open.
 */
import type { DraftField } from './draft-form.js';

/** What a draft holds once opened. */
export interface DraftContent {
  fields: DraftField[];
  /** The app's own state, added in `session-timeout-draft`. */
  data: Record<string, unknown>;
}

/** A draft as stored: nothing typed is in clear text. */
export interface SealedDraft {
  v: 1;
  /** The page's path (origin is implied by the storage). */
  path: string;
  /** When it was sealed (ms since the epoch). */
  time: number;
  /** Id of the key it was sealed with. */
  kid: string;
  /** base64url of the 96-bit random IV. */
  iv: string;
  /** base64url of the ciphertext and its 128-bit tag. */
  ct: string;
}

export interface DraftKey {
  key: CryptoKey;
  id: string;
}

const KEY_ID_LABEL = 'session-timeout-dialog draft key id\u0000';
const encoder = new TextEncoder();

export function toBase64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Bytes of a base64url string (padding optional), or null when it is not one. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return null;
  try {
    const s = atob(text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * The CryptoKey and its id for a `draftKey` from the server, or null when it
 * is not base64url of 32 bytes. The bytes are wiped once WebCrypto has its
 * own copy (both calls copy their input before returning).
 */
export async function importDraftKey(draftKey: string): Promise<DraftKey | null> {
  const raw = fromBase64url(draftKey);
  if (!raw || raw.length !== 32) return null;
  const label = encoder.encode(KEY_ID_LABEL);
  const labelled = new Uint8Array(label.length + raw.length);
  labelled.set(label);
  labelled.set(raw, label.length);
  const key = crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  const hash = crypto.subtle.digest('SHA-256', labelled);
  raw.fill(0);
  labelled.fill(0);
  return { key: await key, id: toBase64url(new Uint8Array(await hash).subarray(0, 16)) };
}

const aad = (d: Pick<SealedDraft, 'v' | 'path' | 'time' | 'kid'>) =>
  encoder.encode(JSON.stringify([d.v, d.path, d.time, d.kid]));

export async function sealDraft(key: DraftKey, content: DraftContent, path: string, time: number): Promise<SealedDraft> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const head = { v: 1, path, time, kid: key.id } as const;
  const plain = encoder.encode(JSON.stringify(content));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(head) }, key.key, plain);
  plain.fill(0);
  return { ...head, iv: toBase64url(iv), ct: toBase64url(new Uint8Array(ct)) };
}

/**
 * The content of a draft sealed with `key`. Rejects when the key is not the
 * one it was sealed with, or when anything stored was changed.
 */
export async function openDraft(key: DraftKey, draft: SealedDraft): Promise<DraftContent> {
  if (draft.kid !== key.id) throw new Error('sealed with another key');
  const iv = fromBase64url(draft.iv);
  const ct = fromBase64url(draft.ct);
  if (!iv || iv.length !== 12 || !ct) throw new Error('malformed draft');
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad(draft) }, key.key, ct);
  const content = JSON.parse(new TextDecoder().decode(plain)) as DraftContent;
  if (!content || !Array.isArray(content.fields) || typeof content.data !== 'object' || content.data === null) {
    throw new Error('malformed draft');
  }
  return content;
}

/** A stored value read back as a sealed draft, or null when it is not one. */
export function parseSealed(text: string | null): SealedDraft | null {
  if (!text) return null;
  try {
    const d = JSON.parse(text) as SealedDraft;
    const ok =
      d?.v === 1 &&
      typeof d.path === 'string' &&
      Number.isFinite(d.time) &&
      typeof d.kid === 'string' &&
      typeof d.iv === 'string' &&
      typeof d.ct === 'string';
    return ok ? d : null;
  } catch {
    return null;
  }
}
