/**
 * keep-drafts in the element: sealed at timeout before leaving, restored on
 * the next load for the same person (one status call), discarded on sign-out,
 * inert against servers without draftKey.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/index.js';
import { DRAFT_PREFIX, discardDrafts } from '../../src/drafts/draft-storage.js';
import type { SessionTimeoutDialog } from '../../src/session-timeout-dialog.js';
import { makeDraftKey } from '../helpers/drafts.js';
import { FakeServer, json, singleTab, type FakeEnv, type Responder } from '../helpers/fake-env.js';

const ALICE = makeDraftKey(1);
const BOB = makeDraftKey(2);

/** The fake server's answers, with `draftKey` in every live one when `key()` gives one. */
function withDraftKey(respond: Responder, key: () => string | undefined): Responder {
  return async (call) => {
    const response = await respond(call);
    if (!response.headers.get('Content-Type')?.includes('json')) return response;
    const body = await response.json();
    const k = key();
    const live = body.status === 'ACTIVE' || body.status === 'IDLE';
    return json(live && k ? { ...body, draftKey: k } : body, { status: response.status });
  };
}

function setup(key: () => string | undefined = () => ALICE) {
  const env = singleTab();
  const server = new FakeServer(env.browser, 60, 120);
  env.respond = withDraftKey(server.respond, key);
  return { env, server };
}

async function mount(env: FakeEnv, lang = 'en') {
  const root = await fixture<HTMLDivElement>(html`
    <div lang=${lang}>
      <form id="post">
        <input name="title" />
        <textarea name="body"></textarea>
        <input name="password" type="password" />
      </form>
      <session-timeout-dialog
        .environment=${env}
        keep-drafts
        no-tab-sync
        status-url="/session/status"
        keepalive-url="/session/keepalive"
        signout-url="/logout"
        timeout-url="/login?timed-out=1"
        idle-seconds="60"
        timeout-seconds="120"
      ></session-timeout-dialog>
    </div>
  `);
  const el = root.querySelector('session-timeout-dialog') as SessionTimeoutDialog;
  const field = (name: string) => root.querySelector<HTMLInputElement>(`[name=${name}]`)!;
  return { root, el, field };
}

/** Real time (WebCrypto works on it, at each engine's own pace): up to 10 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!done() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  if (!done()) throw new Error(`never happened: ${what}`);
}

const draftsStored = () => Object.keys(sessionStorage).filter((k) => k.startsWith(DRAFT_PREFIX));
const announced = (el: SessionTimeoutDialog) => el.shadowRoot!.querySelector('[role="status"]')!.textContent!.trim();

/** Type, then let the session time out; resolves once the page has left. */
async function typeAndTimeOut(env: FakeEnv, field: (name: string) => HTMLInputElement) {
  field('title').value = 'Annual report';
  field('body').value = 'Sales were up in the north';
  field('password').value = 'hunter2';
  // Let the keeper load (the element imports it on demand; this resolves once it is in).
  await import('../../src/drafts/draft-keeper.js');
  await env.browser.advance(0);
  // To the warning, where the status call answers (an answer is dated from
  // its arrival: one long step would make it a minute late), then to just
  // past the end: the seal runs on real time (WebCrypto), and its safety
  // limit is a timer on the fake clock that must not be run past.
  await env.browser.advance(60_000);
  // The status answer is applied on real time (its body is read in a task
  // of its own, later in some engines): wait for it, or the next step would
  // date it a minute late.
  const el = document.querySelector('session-timeout-dialog')!;
  await until(() => el.state === 'warning', 'warned');
  await env.browser.advance(60_500);
  await until(() => env.navigations.length === 1, 'left the page');
}

describe('keep-drafts', function () {
  // Sealing and opening run on real time (WebCrypto): Firefox takes about a
  // second for each under load, and a test seals and opens up to twice.
  this.timeout(20_000);
  beforeEach(() => discardDrafts(sessionStorage));
  afterEach(() => discardDrafts(sessionStorage));

  it('seals the changed fields at timeout before leaving, then restores them once after the same person signs in', async () => {
    const first = setup();
    const page1 = await mount(first.env);
    const order: string[] = [];
    page1.el.addEventListener('session-timeout-draft', () => order.push('draft'));
    page1.el.addEventListener('session-timeout-expire', () => order.push('expire'));
    // What is stored at the instant the page leaves (a real page may be gone right after).
    const navigate = first.env.navigate.bind(first.env);
    first.env.navigate = (url) => {
      order.push(`leave with ${draftsStored().length} draft`);
      navigate(url);
    };
    await typeAndTimeOut(first.env, page1.field);
    expect(order).to.deep.equal(['draft', 'expire', 'leave with 1 draft']);
    expect(first.env.navigations[0]).to.contain('/login?timed-out=1');
    const stored = draftsStored();
    expect(stored).to.have.length(1);
    const text = sessionStorage.getItem(stored[0]!)!;
    for (const typed of ['Annual', 'Sales', 'hunter2']) expect(text).not.to.contain(typed);
    // Sealed, the page left nothing typed in its fields (Back, or the
    // back/forward cache, would show them again)…
    for (const name of ['title', 'body', 'password']) expect(page1.field(name).value, name).to.equal('');
    // …and a page brought back from that cache leaves again at once.
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    expect(first.env.navigations).to.have.length(2);
    expect(first.env.navigations[1]).to.contain('/login?timed-out=1');
    page1.root.remove();

    // Signed in again, same person: the page loads again.
    const second = setup();
    // Listening before the element connects: the restore may come while it mounts.
    const restores: CustomEvent[] = [];
    const onRestore = (e: Event) => restores.push(e as CustomEvent);
    document.addEventListener('session-timeout-restore', onRestore);
    const page2 = await mount(second.env);
    await until(() => page2.field('title').value !== '', 'restored');
    document.removeEventListener('session-timeout-restore', onRestore);
    expect(second.server.count('status'), 'one status call on load').to.equal(1);
    expect(second.server.count('keepalive')).to.equal(0);
    expect(page2.field('body').value).to.equal('Sales were up in the north');
    expect(page2.field('password').value).to.equal('');
    expect(restores).to.have.length(1);
    expect(restores[0]!.detail.fields).to.have.length(2);
    await page2.el.updateComplete;
    expect(announced(page2.el)).to.equal('Your unsaved changes were restored.');
    expect(draftsStored()).to.have.length(0);
  });

  it('another person signs in: nothing restored, the draft stays sealed as it was', async () => {
    const first = setup();
    const page1 = await mount(first.env);
    await typeAndTimeOut(first.env, page1.field);
    page1.root.remove();
    const [key] = draftsStored();
    const before = sessionStorage.getItem(key!);

    const second = setup(() => BOB);
    const page2 = await mount(second.env);
    await until(() => second.server.count('status') === 1, 'status asked');
    await second.env.browser.advance(0);
    for (let i = 0; i < 30; i++) await new Promise((r) => setTimeout(r, 0));
    expect(page2.field('title').value).to.equal('');
    expect(sessionStorage.getItem(key!)).to.equal(before);
    expect(announced(page2.el)).to.equal('');
  });

  it('makes no request on load when no draft waits', async () => {
    const { env, server } = setup();
    await mount(env);
    await env.browser.advance(10_000);
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
    expect(server.calls).to.have.length(0);
  });

  it('announces the restore in the page’s language', async () => {
    const first = setup();
    const page1 = await mount(first.env, 'de');
    await typeAndTimeOut(first.env, page1.field);
    page1.root.remove();
    const second = setup();
    const page2 = await mount(second.env, 'de');
    await until(() => page2.field('title').value !== '', 'restored');
    // The German texts load on demand, on real time.
    const said = 'Ihre nicht gespeicherten Änderungen wurden wiederhergestellt.';
    await until(() => announced(page2.el) === said, 'announced in German');
    expect(announced(page2.el)).to.equal(said);
  });

  it('a deliberate sign-out discards this tab’s drafts', async () => {
    sessionStorage.setItem(`${DRAFT_PREFIX}/somewhere`, '{"v":1}');
    const { env } = setup();
    const { el } = await mount(env);
    el.signOut();
    expect(draftsStored()).to.have.length(0);
    expect(env.navigations[0]).to.contain('/logout');
  });

  it('servers without draftKey: nothing is kept, the page still leaves, and console.info says why once', async () => {
    const info: unknown[] = [];
    const original = console.info;
    console.info = (...args: unknown[]) => info.push(args[0]);
    try {
      const { env } = setup(() => undefined);
      const { field } = await mount(env);
      await typeAndTimeOut(env, field);
      expect(draftsStored()).to.have.length(0);
      // Once per page: the earlier tests of this file had a key, so it is said here.
      expect(info.filter((m) => String(m).includes('keep-drafts'))).to.have.length(1);
    } finally {
      console.info = original;
    }
  });
});
