import { expect, fixture, html } from '@open-wc/testing';
import { DRAFT_MAX_AGE_MS, DraftKeeper, type DraftHost } from '../../src/drafts/draft-keeper.js';
import { importDraftKey, parseSealed } from '../../src/drafts/draft-seal.js';
import { DRAFT_PREFIX, discardDrafts } from '../../src/drafts/draft-storage.js';
import {
  SessionTimeoutDraftEvent,
  SessionTimeoutErrorEvent,
  SessionTimeoutRestoreEvent,
} from '../../src/events.js';
import { MemoryStorage, makeDraftKey } from '../helpers/drafts.js';

const T = Date.UTC(2030, 0, 7, 9, 0, 0);
const ALICE = makeDraftKey(1);
const BOB = makeDraftKey(2);

/** Wait (real tasks: WebCrypto answers in a task) until `done()` holds. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 0));
  if (!done()) throw new Error(`never happened: ${what}`);
}
const tasks = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};

function host() {
  const target = document.createElement('div');
  const events: Event[] = [];
  for (const type of ['session-timeout-draft', 'session-timeout-restore', 'session-timeout-error']) {
    target.addEventListener(type, (e) => events.push(e));
  }
  // As the element does: the events are dispatched on it.
  const h = {
    target,
    checks: 0,
    announced: 0,
    events,
    draft: (data) => target.dispatchEvent(new SessionTimeoutDraftEvent(data)),
    restore: (content) => target.dispatchEvent(new SessionTimeoutRestoreEvent(content)),
    error: (message) => target.dispatchEvent(new SessionTimeoutErrorEvent({ operation: 'draft', message })),
    check: () => void h.checks++,
    announce: () => void h.announced++,
  } satisfies DraftHost & Record<string, unknown>;
  return h;
}

async function page() {
  return fixture<HTMLFormElement>(html`
    <form id="f">
      <input name="title" />
      <textarea name="story"></textarea>
      <input name="pw" type="password" />
    </form>
  `);
}
function type(form: HTMLFormElement, title: string, story: string, pw = 'hunter2') {
  form.querySelector<HTMLInputElement>('[name=title]')!.value = title;
  form.querySelector<HTMLTextAreaElement>('[name=story]')!.value = story;
  form.querySelector<HTMLInputElement>('[name=pw]')!.value = pw;
}

/** The one stored entry of /form's drafts (its storage key and parsed value). */
function onlyDraft(storage: MemoryStorage): { key: string; sealed: ReturnType<typeof parseSealed> } {
  const keys = [...Array(storage.length).keys()].map((i) => storage.key(i)!).filter((k) => k.startsWith(`${DRAFT_PREFIX}/form#`));
  expect(keys, 'one draft of /form').to.have.length(1);
  return { key: keys[0]!, sealed: parseSealed(storage.getItem(keys[0]!)) };
}

let clock = T;
const options = (storage: MemoryStorage, extra = {}) => ({
  storage,
  storageKey: `${DRAFT_PREFIX}/form`,
  path: '/form',
  now: () => clock,
  info: () => {},
  ...extra,
});

/** A sealed draft of `/form` in `storage`, as a timed-out page leaves it. */
async function sealedBy(draftKey: string, storage: MemoryStorage, title = 'My title', story = 'My story') {
  const form = await page();
  type(form, title, story);
  const h = host();
  const keeper = new DraftKeeper(h, options(storage));
  keeper.answered(draftKey);
  await tasks();
  await keeper.seal();
  keeper.close();
  form.remove();
}

describe('draft-keeper', () => {
  beforeEach(() => (clock = T));

  it('servers without draftKey: inert, and says so once with console.info', async () => {
    const form = await page();
    type(form, 'typed', 'typed');
    const said: string[] = [];
    const storage = new MemoryStorage();
    const a = new DraftKeeper(host(), options(storage, { info: (m: string) => said.push(m) }));
    const b = new DraftKeeper(host(), options(storage, { info: (m: string) => said.push(m) }));
    a.answered(undefined);
    a.answered(undefined);
    b.answered(undefined);
    await a.seal();
    expect(storage.length).to.equal(0);
    expect(said).to.have.length(1);
    expect(said[0]).to.contain('keep-drafts').and.to.contain('draftKey');
    a.close();
    b.close();
  });

  it('seals at timeout: draft event first (app data added), path, time and key id stored, nothing typed in clear', async () => {
    const form = await page();
    type(form, 'Quarterly report', 'Revenue grew');
    const storage = new MemoryStorage();
    const h = host();
    h.target.addEventListener('session-timeout-draft', (e) => {
      (e as CustomEvent).detail.data.editor = 'Editor content here';
    });
    const keeper = new DraftKeeper(h, options(storage));
    expect(h.checks, 'no request on load without a waiting draft').to.equal(0);
    keeper.answered(ALICE);
    await tasks();
    await keeper.seal();
    expect(h.events.map((e) => e.type)).to.deep.equal(['session-timeout-draft']);
    expect((h.events[0] as CustomEvent).cancelable).to.equal(true);
    const { key, sealed } = onlyDraft(storage);
    const alice = (await importDraftKey(ALICE))!;
    expect(sealed).to.include({ path: '/form', time: T, kid: alice.id });
    expect(key).to.equal(`${DRAFT_PREFIX}/form#${alice.id}`);
    for (const typed of ['Quarterly', 'Revenue', 'Editor content', 'hunter2']) expect(storage.dump()).not.to.contain(typed);
    expect(storage.dump()).not.to.contain(ALICE);
    keeper.close();
  });

  it('writes nothing when the app cancels the draft event, when no key is known, or when nothing changed', async () => {
    const storage = new MemoryStorage();
    const form = await page();
    const h = host();
    const keeper = new DraftKeeper(h, options(storage));
    keeper.answered(ALICE);
    await tasks();
    await keeper.seal(); // nothing changed
    type(form, 'a', 'b');
    h.target.addEventListener('session-timeout-draft', (e) => e.preventDefault(), { once: true });
    await keeper.seal(); // cancelled
    expect(storage.length).to.equal(0);
    const keyless = new DraftKeeper(host(), options(storage));
    await keyless.seal();
    expect(storage.length).to.equal(0);
    await keeper.seal();
    expect(storage.length).to.equal(1);
    keeper.close();
    keyless.close();
  });

  it('a full storage: the page keeps every value, and an error event says the draft was not kept', async () => {
    const form = await page();
    type(form, 'Keep me', 'On the page');
    const storage = new MemoryStorage();
    storage.full = true;
    const h = host();
    const keeper = new DraftKeeper(h, options(storage));
    keeper.answered(ALICE);
    await tasks();
    await keeper.seal();
    expect(storage.length).to.equal(0);
    const error = h.events.find((e) => e.type === 'session-timeout-error') as SessionTimeoutErrorEvent;
    expect(error.detail.operation).to.equal('draft');
    expect(error.detail.message).to.contain('QuotaExceededError');
    // Not the browser's words: they name the entry, whose key id is the
    // person's in every session (an error often goes to an app's telemetry).
    expect(error.detail.message).not.to.contain('session-timeout-draft');
    // Leaving the page does not reset fields that were not kept.
    keeper.leave();
    expect(form.querySelector<HTMLInputElement>('[name=title]')!.value).to.equal('Keep me');
    expect(form.querySelector<HTMLTextAreaElement>('[name=story]')!.value).to.equal('On the page');
    keeper.close();
  });

  it('restores once for the same person: one status call, restore event before filling, input/change, announce, deleted', async () => {
    const storage = new MemoryStorage();
    await sealedBy(ALICE, storage, 'Draft title', 'Draft story');
    clock = T + 60_000;
    const form = await page();
    const seen: string[] = [];
    form.addEventListener('input', (e) => seen.push(`input:${(e.target as HTMLInputElement).name}`));
    form.addEventListener('change', (e) => seen.push(`change:${(e.target as HTMLInputElement).name}`));
    const h = host();
    h.target.addEventListener('session-timeout-restore', () => {
      seen.push(`restore:${form.querySelector<HTMLInputElement>('[name=title]')!.value}`);
    });
    const keeper = new DraftKeeper(h, options(storage));
    expect(keeper.waiting).to.equal(true);
    expect(h.checks).to.equal(1);
    keeper.answered(ALICE);
    await until(() => h.announced === 1, 'announced');
    const restore = h.events.find((e) => e.type === 'session-timeout-restore') as SessionTimeoutRestoreEvent;
    expect(restore.cancelable).to.equal(true);
    expect(restore.detail.fields.map((f) => f.value)).to.deep.equal(['Draft title', 'Draft story']);
    expect(restore.detail.data).to.deep.equal({});
    expect(seen).to.deep.equal(['restore:', 'input:title', 'change:title', 'input:story', 'change:story']);
    expect(form.querySelector<HTMLInputElement>('[name=title]')!.value).to.equal('Draft title');
    expect(form.querySelector<HTMLInputElement>('[name=pw]')!.value).to.equal('');
    expect(storage.length, 'deleted once restored').to.equal(0);
    keeper.close();

    // The next load: nothing waits, no request, nothing restored.
    const again = host();
    const next = new DraftKeeper(again, options(storage));
    next.answered(ALICE);
    await tasks();
    expect(again.checks).to.equal(0);
    expect(again.events).to.have.length(0);
    next.close();
  });

  it("another person signs in: nothing is opened, and the draft stays sealed and untouched", async () => {
    const storage = new MemoryStorage();
    await sealedBy(ALICE, storage);
    const before = storage.dump();
    const form = await page();
    const h = host();
    const keeper = new DraftKeeper(h, options(storage));
    keeper.answered(BOB);
    await tasks();
    expect(h.events).to.have.length(0);
    expect(h.announced).to.equal(0);
    expect(form.querySelector<HTMLInputElement>('[name=title]')!.value).to.equal('');
    expect(storage.dump()).to.equal(before);
    keeper.close();
  });

  it("another person's timeout on the same page keeps the first person's draft; each gets their own back", async () => {
    const storage = new MemoryStorage();
    await sealedBy(ALICE, storage, 'Alice title', 'Alice story');
    await sealedBy(BOB, storage, 'Bob title', 'Bob story');
    expect(storage.length).to.equal(2);
    for (const [who, title] of [[ALICE, 'Alice title'], [BOB, 'Bob title']] as const) {
      const form = await page();
      const h = host();
      const keeper = new DraftKeeper(h, options(storage));
      keeper.answered(who);
      await until(() => h.announced === 1, `${title} restored`);
      expect(form.querySelector<HTMLInputElement>('[name=title]')!.value).to.equal(title);
      keeper.close();
      form.remove();
    }
    expect(storage.length).to.equal(0);
  });

  it('a draft older than 24 h is deleted unread, with no request', async () => {
    const storage = new MemoryStorage();
    await sealedBy(ALICE, storage);
    clock = T + DRAFT_MAX_AGE_MS + 1;
    const h = host();
    const keeper = new DraftKeeper(h, options(storage));
    expect(keeper.waiting).to.equal(false);
    expect(h.checks).to.equal(0);
    expect(storage.length).to.equal(0);
    keeper.close();
  });

  it('a draft at 24 h minus a second still opens', async () => {
    const storage = new MemoryStorage();
    await sealedBy(ALICE, storage);
    clock = T + DRAFT_MAX_AGE_MS - 1000;
    await page();
    const h = host();
    const keeper = new DraftKeeper(h, options(storage));
    keeper.answered(ALICE);
    await until(() => h.announced === 1, 'announced');
    keeper.close();
  });

  it('a tampered draft is not opened: an error event, and it is deleted', async () => {
    const storage = new MemoryStorage();
    await sealedBy(ALICE, storage);
    const { key, sealed: parsed } = onlyDraft(storage);
    const sealed = parsed!;
    storage.setItem(key, JSON.stringify({ ...sealed, ct: `${sealed.ct.slice(0, -2)}AA` }));
    const form = await page();
    const h = host();
    const keeper = new DraftKeeper(h, options(storage));
    keeper.answered(ALICE);
    await until(() => h.events.length > 0, 'an event');
    expect(h.events.map((e) => e.type)).to.deep.equal(['session-timeout-error']);
    expect((h.events[0] as SessionTimeoutErrorEvent).detail.operation).to.equal('draft');
    expect(form.querySelector<HTMLInputElement>('[name=title]')!.value).to.equal('');
    expect(storage.length).to.equal(0);
    keeper.close();
  });

  it('the app takes over: a cancelled restore fills nothing and announces nothing, and the draft is gone', async () => {
    const storage = new MemoryStorage();
    await sealedBy(ALICE, storage);
    const form = await page();
    const h = host();
    h.target.addEventListener('session-timeout-restore', (e) => e.preventDefault());
    const keeper = new DraftKeeper(h, options(storage));
    keeper.answered(ALICE);
    await until(() => h.events.length > 0, 'restore event');
    await tasks();
    expect(form.querySelector<HTMLInputElement>('[name=title]')!.value).to.equal('');
    expect(h.announced).to.equal(0);
    expect(storage.length).to.equal(0);
    keeper.close();
  });

  it('a deliberate sign-out discards every draft of this tab, and forgets the key', async () => {
    const storage = new MemoryStorage();
    await sealedBy(ALICE, storage);
    storage.setItem('other-app', 'kept');
    storage.setItem(`${DRAFT_PREFIX}/elsewhere`, '{}');
    const form = await page();
    type(form, 'x', 'y');
    const keeper = new DraftKeeper(host(), options(storage));
    keeper.answered(ALICE);
    await tasks();
    // What the element does on sign-out.
    discardDrafts(storage);
    keeper.forget();
    expect(storage.dump()).to.equal(JSON.stringify([['other-app', 'kept']]));
    await keeper.seal();
    expect(storage.length, 'no key after sign-out: nothing sealed').to.equal(1);
    keeper.close();
  });

  it('tabs share the key (the CryptoKey, never its bytes): a tab that made no call seals its own page', async () => {
    const name = `drafts-test-${Math.random()}`;
    const form = await page();
    type(form, 'follower text', 'follower story');
    const leaderStorage = new MemoryStorage();
    const followerStorage = new MemoryStorage();
    const leaderChannel = new BroadcastChannel(name);
    const posted: unknown[] = [];
    const spy = new BroadcastChannel(name);
    spy.onmessage = (e) => posted.push(e.data);
    const leader = new DraftKeeper(host(), options(leaderStorage, { channel: leaderChannel }));
    const follower = new DraftKeeper(host(), options(followerStorage, { channel: new BroadcastChannel(name) }));
    // The follower's question was heard before the leader had a key: the
    // leader must pass the key on when it learns it.
    await tasks();
    leader.answered(ALICE);
    await until(() => posted.some((m) => (m as { type: string }).type === 'draft-key'), 'key posted');
    await tasks();
    await follower.seal();
    const sealed = onlyDraft(followerStorage).sealed!;
    expect(sealed.kid).to.equal((await importDraftKey(ALICE))!.id);
    expect(JSON.stringify(posted)).not.to.contain(ALICE);
    const message = posted.find((m) => (m as { type: string }).type === 'draft-key') as { key: { key: CryptoKey } };
    expect(message.key.key.extractable).to.equal(false);
    // A tab opened later asks, and the tab with the key answers.
    const lateStorage = new MemoryStorage();
    const late = new DraftKeeper(host(), options(lateStorage, { channel: new BroadcastChannel(name) }));
    await tasks();
    await late.seal();
    expect(lateStorage.length).to.equal(1);
    leader.close();
    follower.close();
    late.close();
    spy.close();
  });
});
