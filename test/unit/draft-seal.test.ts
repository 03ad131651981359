import { expect } from '@open-wc/testing';
import {
  fromBase64url,
  importDraftKey,
  openDraft,
  parseSealed,
  sealDraft,
  toBase64url,
  type DraftContent,
} from '../../src/drafts/draft-seal.js';
import { makeDraftKey } from '../helpers/drafts.js';

const content: DraftContent = {
  fields: [{ form: 'id:f', control: 'name:story', value: 'Once upon a time in Cardiff' }],
  data: { editor: '<p>Rich text typed in the editor</p>' },
};

const textOf = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes);

describe('draft-seal: the key', () => {
  it('imports base64url of 32 bytes as a non-extractable AES-GCM key', async () => {
    const k = (await importDraftKey(makeDraftKey()))!;
    expect(k.key.extractable).to.equal(false);
    expect(k.key.algorithm).to.include({ name: 'AES-GCM', length: 256 });
    let exported = false;
    try {
      await crypto.subtle.exportKey('raw', k.key);
      exported = true;
    } catch {
      // expected: non-extractable
    }
    expect(exported).to.equal(false);
  });

  it('refuses anything but base64url of 32 bytes', async () => {
    for (const bad of ['', 'not base64!', toBase64url(new Uint8Array(16)), toBase64url(new Uint8Array(33)), '====']) {
      expect(await importDraftKey(bad), bad).to.equal(null);
    }
    // Padded base64url is fine.
    expect(await importDraftKey(`${makeDraftKey(7)}=`)).not.to.equal(null);
  });

  it('names a key by an id: the same for the same key, another for another key, and never the key itself', async () => {
    const draftKey = makeDraftKey(1);
    const a = (await importDraftKey(draftKey))!;
    const again = (await importDraftKey(draftKey))!;
    const other = (await importDraftKey(makeDraftKey(2)))!;
    expect(a.id).to.equal(again.id);
    expect(a.id).not.to.equal(other.id);
    expect(fromBase64url(a.id)!.length).to.equal(16);
    expect(draftKey).not.to.contain(a.id);
    // Not a bare hash of the key either (a labelled one).
    const bare = toBase64url(new Uint8Array(await crypto.subtle.digest('SHA-256', fromBase64url(draftKey)!)).subarray(0, 16));
    expect(a.id).not.to.equal(bare);
  });
});

describe('draft-seal: sealing and opening', () => {
  it('round-trips, with nothing typed in the stored text, and a fresh IV each time', async () => {
    const k = (await importDraftKey(makeDraftKey()))!;
    const sealed = await sealDraft(k, content, '/form', 1_000);
    const stored = JSON.stringify(sealed);
    expect(sealed).to.include({ v: 1, path: '/form', time: 1_000, kid: k.id });
    expect(fromBase64url(sealed.iv)!.length).to.equal(12);
    for (const typed of ['Once upon', 'Cardiff', 'Rich text', 'story']) {
      expect(stored).not.to.contain(typed);
      expect(textOf(fromBase64url(sealed.ct)!)).not.to.contain(typed);
    }
    expect(await openDraft(k, parseSealed(stored)!)).to.deep.equal(content);
    const twice = await sealDraft(k, content, '/form', 1_000);
    expect(twice.iv).not.to.equal(sealed.iv);
    expect(twice.ct).not.to.equal(sealed.ct);
  });

  it('does not open with another key', async () => {
    const mine = (await importDraftKey(makeDraftKey(1)))!;
    const theirs = (await importDraftKey(makeDraftKey(2)))!;
    const sealed = await sealDraft(mine, content, '/form', 1_000);
    let error: unknown = null;
    await openDraft(theirs, sealed).catch((e) => (error = e));
    expect(error).to.be.instanceOf(Error);
    // Even when the stored key id is made to match, the key does not fit.
    error = null;
    await openDraft(theirs, { ...sealed, kid: theirs.id }).catch((e) => (error = e));
    expect(error).not.to.equal(null);
  });

  it('does not open a tampered ciphertext, IV, path or time', async () => {
    const k = (await importDraftKey(makeDraftKey()))!;
    const sealed = await sealDraft(k, content, '/form', 1_000);
    const ct = fromBase64url(sealed.ct)!;
    ct[3]! ^= 1;
    const iv = fromBase64url(sealed.iv)!;
    iv[0]! ^= 1;
    const tampered = [
      { ...sealed, ct: toBase64url(ct) },
      { ...sealed, iv: toBase64url(iv) },
      { ...sealed, path: '/other' },
      { ...sealed, time: sealed.time + 3_600_000 },
      { ...sealed, ct: sealed.ct.slice(0, -4) },
    ];
    for (const draft of tampered) {
      let failed = false;
      await openDraft(k, draft).catch(() => (failed = true));
      expect(failed, JSON.stringify(draft).slice(0, 60)).to.equal(true);
    }
    expect(await openDraft(k, sealed)).to.deep.equal(content);
  });

  it('reads back only well-formed stored drafts', () => {
    expect(parseSealed(null)).to.equal(null);
    expect(parseSealed('not json')).to.equal(null);
    expect(parseSealed('{"v":2,"path":"/","time":1,"kid":"a","iv":"b","ct":"c"}')).to.equal(null);
    expect(parseSealed('{"v":1,"path":"/","time":1,"kid":"a","iv":"b","ct":"c"}')).to.include({ path: '/' });
  });
});
