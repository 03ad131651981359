/**
 * Lifecycle hygiene (issue: never wrong, never unsafe): everything the
 * element sets up is released on disconnect, a move in the DOM keeps its
 * state, attribute changes re-plan, and a second element on the page stays
 * inert until the first one leaves.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/index.js';
import type { SessionTimeoutDialog } from '../../src/session-timeout-dialog.js';
import { FakeBrowser, FakeServer, START, type FakeEnv } from '../helpers/fake-env.js';

const S = 1000;

function setup(idle = 60, timeout = 180) {
  const browser = new FakeBrowser();
  const env = browser.tab();
  const server = new FakeServer(browser, idle, timeout);
  env.respond = server.respond;
  return { browser, env, server };
}

const element = (env: FakeEnv, idle = 60, timeout = 180) => html`
  <session-timeout-dialog
    .environment=${env}
    status-url="/session/status"
    keepalive-url="/session/keepalive"
    signout-url="/logout"
    idle-seconds=${idle}
    timeout-seconds=${timeout}
  ></session-timeout-dialog>
`;

const at = (browser: FakeBrowser, ms: number) => browser.advance(START + ms - browser.now);
const dialogOpen = (el: SessionTimeoutDialog) => el.shadowRoot!.querySelector('dialog')!.open;

/** Count listeners added and removed on window and document while `body` runs. */
async function countListeners(body: () => Promise<void>): Promise<Map<string, number>> {
  const live = new Map<string, number>();
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const key = (target: EventTarget, type: string, options?: boolean | AddEventListenerOptions) =>
    `${target === window ? 'window' : 'document'}:${type}:${typeof options === 'boolean' ? options : Boolean(options?.capture)}`;
  const watched = (t: EventTarget) => t === window || t === document;
  const seen = new WeakMap<object, Set<string>>();
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (watched(this) && listener) {
      const k = key(this, type, options);
      const set = seen.get(listener) ?? new Set();
      if (!set.has(k)) live.set(k, (live.get(k) ?? 0) + 1); // the browser ignores duplicates too
      set.add(k);
      seen.set(listener, set);
    }
    return add.call(this, type, listener, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    if (watched(this) && listener) {
      const k = key(this, type, options);
      const set = seen.get(listener);
      if (set?.delete(k)) live.set(k, (live.get(k) ?? 0) - 1);
    }
    return remove.call(this, type, listener, options);
  };
  try {
    await body();
  } finally {
    EventTarget.prototype.addEventListener = add;
    EventTarget.prototype.removeEventListener = remove;
  }
  for (const [k, n] of live) if (n === 0) live.delete(k);
  return live;
}

describe('lifecycle', () => {
  it('leaves no listener on window or document and no timer after 100 connect/disconnect cycles', async () => {
    const { browser, env } = setup();
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('session-timeout-dialog') as SessionTimeoutDialog;
    el.environment = env;
    el.setAttribute('status-url', '/session/status');
    el.setAttribute('keepalive-url', '/session/keepalive');
    el.setAttribute('idle-seconds', '60');
    el.setAttribute('timeout-seconds', '180');
    let listenersWhileConnected = 0;
    const left = await countListeners(async () => {
      for (let i = 0; i < 100; i++) {
        host.append(el);
        await el.updateComplete;
        if (i === 0) listenersWhileConnected = browser.pendingTimers(env);
        el.remove();
        await Promise.resolve(); // the deferred stop (a move reconnects in the same task)
        await Promise.resolve();
      }
    });
    expect(listenersWhileConnected, 'the element did plan while connected').to.be.greaterThan(0);
    expect([...left.entries()], 'listeners left behind').to.deep.equal([]);
    expect(browser.pendingTimers(env), 'timers left behind').to.equal(0);
  });

  it('keeps its state, its timers and its dialog when moved in the DOM during a warning', async () => {
    const { browser, env, server } = setup();
    const root = await fixture<HTMLDivElement>(html`<div><section id="a">${element(env)}</section><section id="b"></section></div>`);
    const el = root.querySelector('session-timeout-dialog')!;
    await at(browser, 60 * S);
    await el.updateComplete;
    expect(el.state).to.equal('warning');
    expect(dialogOpen(el)).to.equal(true);
    const timers = browser.pendingTimers(env);
    root.querySelector('#b')!.append(el);
    await el.updateComplete;
    await browser.advance(0);
    expect(el.state).to.equal('warning');
    expect(browser.pendingTimers(env)).to.equal(timers);
    expect(server.count('status')).to.equal(1);
    await at(browser, 180 * S);
    expect(el.state).to.equal('expired');
    expect(server.count('status')).to.equal(2);
  });

  it('does not render again inside its own update when the window gets focus as the dialog opens', async () => {
    // Focus coming back from an iframe to the page: showModal() fires the
    // window's focus event synchronously, inside the element's updated().
    const { browser, env } = setup();
    const el = await fixture<SessionTimeoutDialog>(element(env));
    const proto = Object.getPrototypeOf(el) as { performUpdate(): void; requestUpdate(...a: unknown[]): void };
    const showModal = HTMLDialogElement.prototype.showModal;
    const { performUpdate, requestUpdate } = proto;
    let updating = 0;
    let requestedInside = 0;
    proto.performUpdate = function (this: SessionTimeoutDialog) {
      updating++;
      try {
        return performUpdate.call(this);
      } finally {
        updating--;
      }
    };
    proto.requestUpdate = function (this: SessionTimeoutDialog, ...args: unknown[]) {
      if (updating) requestedInside++;
      return requestUpdate.apply(this, args);
    };
    HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
      window.dispatchEvent(new Event('focus'));
      return showModal.call(this);
    };
    try {
      await at(browser, 60 * S);
      await el.updateComplete;
      expect(dialogOpen(el)).to.equal(true);
      await el.updateComplete;
      expect(requestedInside).to.equal(0);
      expect(el.state).to.equal('warning');
    } finally {
      // Both are inherited (ReactiveElement): drop the wrappers.
      delete (proto as Partial<typeof proto>).performUpdate;
      delete (proto as Partial<typeof proto>).requestUpdate;
      HTMLDialogElement.prototype.showModal = showModal;
    }
  });

  it('re-plans when the limits change while it runs', async () => {
    const { browser, env, server } = setup(120, 240);
    const el = await fixture<SessionTimeoutDialog>(element(env));
    await at(browser, 10 * S);
    el.setAttribute('idle-seconds', '120');
    el.setAttribute('timeout-seconds', '240');
    await el.updateComplete;
    await at(browser, 119 * S);
    expect(el.state).to.equal('active');
    expect(server.count('status')).to.equal(0);
    await at(browser, 120 * S);
    await el.updateComplete;
    expect(el.state).to.equal('warning');
  });

  it('keeps working when its channel changes while it runs', async () => {
    const { browser, env, server } = setup();
    const el = await fixture<SessionTimeoutDialog>(element(env));
    await at(browser, 10 * S);
    el.setAttribute('channel', 'another-channel');
    await el.updateComplete;
    await at(browser, 60 * S);
    await el.updateComplete;
    expect(server.count('status')).to.equal(1);
    expect(el.state).to.equal('warning');
  });

  /**
   * Counts reads of `key` on `el` while `body` runs (the accessor Lit put on
   * the prototype is wrapped: an own accessor on the element would shadow it).
   */
  async function countReads(el: SessionTimeoutDialog, key: string, body: (reads: () => number) => Promise<void>) {
    const proto = Object.getPrototypeOf(el);
    const own = Object.getOwnPropertyDescriptor(proto, key)!;
    let reads = 0;
    Object.defineProperty(proto, key, {
      ...own,
      get() {
        if (this === el) reads++;
        return own.get!.call(this);
      },
    });
    try {
      await body(() => reads);
    } finally {
      Object.defineProperty(proto, key, own);
    }
  }

  it('reads its configuration once per change, and opens one channel per connect and per channel', async () => {
    const { browser, env, server } = setup();
    const opened: string[] = [];
    const open = env.openChannel;
    env.openChannel = (name) => {
      opened.push(name);
      return open(name);
    };
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('session-timeout-dialog');
    el.environment = env;
    el.setAttribute('status-url', '/session/status');
    host.append(el);
    await el.updateComplete;
    await browser.advance(0);
    expect(opened, 'channels opened at connect').to.have.length(1);
    expect(server.count('status'), 'one status request learns the limits').to.equal(1);
    await countReads(el, 'keepaliveMethod', async (reads) => {
      el.setAttribute('idle-seconds', '30');
      await el.updateComplete;
      expect(reads(), 'reads after a limit changed').to.equal(1);
      el.setAttribute('channel', 'another-channel');
      await el.updateComplete;
      await browser.advance(0);
      expect(reads(), 'reads after the channel changed').to.equal(2);
    });
    expect(opened).to.deep.equal([opened[0], 'another-channel']);
    expect(server.count('status'), 'the limits are known: no new request').to.equal(1);
    el.remove();
  });

  it('uses a property set right after connecting, before the first render', async () => {
    const { browser, env, server } = setup(120, 240);
    const host = await fixture<HTMLDivElement>(html`<div></div>`);
    const el = document.createElement('session-timeout-dialog');
    el.environment = env;
    host.append(el);
    el.statusUrl = '/session/status';
    await el.updateComplete;
    await browser.advance(0);
    expect(server.count('status'), 'the limits were asked from status-url').to.equal(1);
    expect(el.limits).to.deep.equal({ idleSeconds: 120, timeoutSeconds: 240 });
    el.remove();
  });

  it('hands over without a word when an SPA swaps the element in one task', async () => {
    const { browser, env, server } = setup();
    const root = await fixture<HTMLDivElement>(html`<div>${element(env)}</div>`);
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.map(String).join(' '));
    try {
      const old = root.querySelector('session-timeout-dialog')!;
      const next = old.cloneNode() as SessionTimeoutDialog;
      next.environment = env;
      old.replaceWith(next); // old leaves and next arrives in the same task
      await next.updateComplete;
      await at(browser, 60 * S);
      await next.updateComplete;
      expect(next.state).to.equal('warning');
      expect(server.count('status')).to.equal(1);
    } finally {
      console.error = original;
    }
    expect(errors).to.deep.equal([]);
  });

  it('lets a second element on the page say so and stay inert, and take over when the first leaves', async () => {
    const { browser, env, server } = setup();
    expect(document.querySelectorAll('session-timeout-dialog').length, 'left from earlier tests').to.equal(0);
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args.map(String).join(' '));
    let root: HTMLDivElement;
    try {
      root = await fixture<HTMLDivElement>(html`<div>${element(env)}${element(env, 30, 90)}</div>`);
    } finally {
      console.error = original;
    }
    const [first, second] = root.querySelectorAll('session-timeout-dialog');
    expect(errors.filter((e) => e.includes('already serves this page')), errors.join(' || ')).to.have.length(1);
    await at(browser, 30 * S);
    await second.updateComplete;
    expect(second.state, 'the second one is inert').to.equal('active');
    expect(server.count('status')).to.equal(0);
    await at(browser, 60 * S);
    await first.updateComplete;
    expect(first.state).to.equal('warning');
    expect(server.count('status')).to.equal(1);
    first.remove();
    await browser.advance(0);
    await second.updateComplete;
    // The second one now serves, from scratch: the app removing the first
    // (a route change) was the person at work. The server's idle limit
    // (60 s; it wins over the attribute's 30 s) runs from now.
    expect(second.state).to.equal('active');
    await at(browser, 120 * S - 1);
    await second.updateComplete;
    expect(second.state).to.equal('active');
    await at(browser, 121 * S);
    await second.updateComplete;
    expect(second.state).to.equal('warning');
    expect(server.count('status')).to.be.within(2, 3);
  });
});
