import { expect } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import { ActivityTracker } from '../../src/core/activity-tracker.js';
import { DEFAULT_EVENTS } from '../../src/core/config.js';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

/** Resolves after the next `type` event reaches `target` (so the tracker, listening in capture, has seen it). */
function next(type: string, target: EventTarget = document): Promise<Event> {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

describe('activity-tracker: trusted events', () => {
  let tracker: ActivityTracker;
  const c = clock();

  beforeEach(async () => {
    await resetMouse();
    tracker = new ActivityTracker(c.now);
  });
  afterEach(async () => {
    tracker.stop();
    await resetMouse();
  });

  it('counts a trusted pointermove that moved, and ignores one at the same position', async () => {
    tracker.start(document, ['pointermove']);
    c.t = 2_000_000;
    let seen = next('pointermove');
    await sendMouse({ type: 'move', position: [40, 40] });
    expect((await seen).isTrusted).to.equal(true);
    expect(tracker.last).to.equal(2_000_000);

    // The browser fires pointermove without movement (a layout shift under a
    // still cursor); replay the same position as a trusted event.
    c.t = 3_000_000;
    const moves: PointerEvent[] = [];
    const count = (e: Event) => moves.push(e as PointerEvent);
    document.addEventListener('pointermove', count);
    await sendMouse({ type: 'move', position: [40, 40] });
    await new Promise((r) => setTimeout(r, 50));
    document.removeEventListener('pointermove', count);
    // Chromium does fire it (one trusted event); other engines may not.
    if (/Chrome/.test(navigator.userAgent)) expect(moves.length).to.be.at.least(1);
    expect(moves.every((m) => m.isTrusted)).to.equal(true);
    expect(tracker.last).to.equal(2_000_000);

    c.t = 4_000_000;
    seen = next('pointermove');
    await sendMouse({ type: 'move', position: [41, 40] });
    await seen;
    expect(tracker.last).to.equal(4_000_000);
  });

  it('counts a trusted key press', async () => {
    tracker.start(document, DEFAULT_EVENTS);
    c.t = 5_000_000;
    const seen = next('keydown');
    await sendKeys({ press: 'Shift' });
    await seen;
    expect(tracker.last).to.equal(5_000_000);
  });

  it('counts a trusted pointerdown', async () => {
    tracker.start(document, DEFAULT_EVENTS);
    c.t = 6_000_000;
    const seen = next('pointerdown');
    await sendMouse({ type: 'down' });
    await seen;
    await sendMouse({ type: 'up' });
    expect(tracker.last).to.equal(6_000_000);
  });

  it('does not let a script-made pointermove hide the next real move', async () => {
    tracker.start(document, ['pointermove']);
    let seen = next('pointermove');
    await sendMouse({ type: 'move', position: [20, 20] });
    const first = (await seen) as PointerEvent;
    seen = next('pointermove');
    await sendMouse({ type: 'move', position: [60, 60] });
    await seen;
    // A script fires a fake move at the position where the pointer goes next.
    document.dispatchEvent(
      new PointerEvent('pointermove', { screenX: first.screenX, screenY: first.screenY, bubbles: true }),
    );
    c.t = 7_000_000;
    seen = next('pointermove');
    await sendMouse({ type: 'move', position: [20, 20] });
    await seen;
    expect(tracker.last).to.equal(7_000_000);
  });
});

describe('activity-tracker: same-origin iframes', () => {
  // A rich-text editor in an iframe, or an app framed in a portal: the person
  // types there, and the page's own listeners never hear it.
  const c = clock();
  let tracker: ActivityTracker;
  const frames: HTMLIFrameElement[] = [];

  /** An iframe over the page's top-left corner, loaded. */
  async function frame(html: string, parent: Document = document, attrs: Record<string, string> = {}): Promise<HTMLIFrameElement> {
    const f = parent.createElement('iframe');
    f.style.cssText = 'position:fixed;left:0;top:0;width:300px;height:150px;border:0';
    for (const [name, value] of Object.entries(attrs)) f.setAttribute(name, value);
    const loaded = new Promise((resolve) => f.addEventListener('load', resolve, { once: true }));
    f.srcdoc = html;
    parent.body.append(f);
    if (parent === document) frames.push(f);
    await loaded;
    return f;
  }

  /** A trusted key press in the iframe's text field. */
  async function typeIn(f: HTMLIFrameElement): Promise<void> {
    const doc = f.contentDocument!;
    doc.querySelector('input')!.focus();
    const seen = next('keydown', doc);
    await sendKeys({ press: 'a' });
    await seen;
  }

  beforeEach(async () => {
    await resetMouse();
    tracker = new ActivityTracker(c.now);
  });
  afterEach(async () => {
    tracker.stop();
    for (const f of frames.splice(0)) f.remove();
    await resetMouse();
  });

  it('counts a key typed and a pointer moved in an iframe that was there before start()', async () => {
    const f = await frame('<input>');
    tracker.start(document, DEFAULT_EVENTS);
    c.t = 11_000_000;
    await typeIn(f);
    expect(tracker.last).to.equal(11_000_000);

    c.t = 12_000_000;
    const seen = next('pointermove', f.contentDocument!);
    await sendMouse({ type: 'move', position: [50, 50] });
    await seen;
    expect(tracker.last).to.equal(12_000_000);
  });

  it('counts activity in an iframe added after start(), and in the page it loads next', async () => {
    tracker.start(document, DEFAULT_EVENTS);
    const f = await frame('<input>');
    c.t = 13_000_000;
    await typeIn(f);
    expect(tracker.last).to.equal(13_000_000);

    const reloaded = new Promise((resolve) => f.addEventListener('load', resolve, { once: true }));
    f.srcdoc = '<p>next page</p><input>';
    await reloaded;
    c.t = 14_000_000;
    await typeIn(f);
    expect(tracker.last).to.equal(14_000_000);
  });

  it('counts activity in an iframe inside an iframe', async () => {
    const outer = await frame('<p>outer</p>');
    const inner = await frame('<input>', outer.contentDocument!);
    tracker.start(document, DEFAULT_EVENTS);
    c.t = 15_000_000;
    await typeIn(inner);
    expect(tracker.last).to.equal(15_000_000);
  });

  it('ignores script-made events in an iframe', async () => {
    const f = await frame('<input>');
    tracker.start(document, DEFAULT_EVENTS);
    c.t = 16_000_000;
    const doc = f.contentDocument!;
    const win = doc.defaultView as Window & typeof globalThis;
    doc.dispatchEvent(new win.KeyboardEvent('keydown', { key: 'a', bubbles: true }));
    doc.dispatchEvent(new win.PointerEvent('pointermove', { screenX: 5, screenY: 5, bubbles: true }));
    expect(tracker.last).to.equal(-Infinity);
  });

  it('hears nothing from an iframe after stop()', async () => {
    const f = await frame('<input>');
    tracker.start(document, DEFAULT_EVENTS);
    tracker.stop();
    c.t = 17_000_000;
    await typeIn(f);
    expect(tracker.last).to.equal(-Infinity);
  });

  it('leaves a sandboxed (opaque-origin) iframe alone, and still hears the page', async () => {
    const f = await frame('<input>', document, { sandbox: '' });
    expect(f.contentDocument).to.equal(null);
    tracker.start(document, DEFAULT_EVENTS);
    c.t = 18_000_000;
    const seen = next('keydown');
    await sendKeys({ press: 'Shift' });
    await seen;
    expect(tracker.last).to.equal(18_000_000);
  });
});

describe('activity-tracker: script-made events', () => {
  it('never counts untrusted events', () => {
    const c = clock();
    const tracker = new ActivityTracker(c.now);
    tracker.start(document, DEFAULT_EVENTS);
    c.t = 9_000_000;
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }));
    document.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    document.dispatchEvent(new PointerEvent('pointermove', { screenX: 123, screenY: 456, bubbles: true }));
    document.dispatchEvent(new WheelEvent('wheel', { bubbles: true }));
    document.dispatchEvent(new Event('scroll'));
    document.dispatchEvent(new Event('touchstart', { bubbles: true }));
    tracker.stop();
    expect(tracker.last).to.equal(-Infinity);
  });

  it('report() counts activity at the current time', () => {
    const c = clock();
    const tracker = new ActivityTracker(c.now);
    expect(tracker.last).to.equal(-Infinity);
    c.t = 1_234_567;
    tracker.report();
    expect(tracker.last).to.equal(1_234_567);
    c.t = 2_000_000;
    tracker.report();
    expect(tracker.last).to.equal(2_000_000);
  });
});

describe('activity-tracker: listeners', () => {
  type Entry = { type: string; listener: EventListenerOrEventListenerObject | null; capture: boolean; passive?: boolean };
  const capture = (options?: boolean | AddEventListenerOptions | EventListenerOptions) =>
    typeof options === 'boolean' ? options : !!options?.capture;

  /** A target that records adds and removes, and keeps the live set as the browser would. */
  class CountingTarget extends EventTarget {
    added: Entry[] = [];
    removed: Entry[] = [];
    live: Entry[] = [];
    override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions) {
      const entry = {
        type,
        listener,
        capture: capture(options),
        passive: typeof options === 'object' ? options.passive : undefined,
      };
      this.added.push(entry);
      if (!this.live.some((e) => e.type === type && e.listener === listener && e.capture === entry.capture)) this.live.push(entry);
      super.addEventListener(type, listener, options);
    }
    override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions) {
      const entry = { type, listener, capture: capture(options) };
      this.removed.push(entry);
      this.live = this.live.filter((e) => !(e.type === type && e.listener === listener && e.capture === entry.capture));
      super.removeEventListener(type, listener, options);
    }
  }

  it('listens passively in capture to every configured event', () => {
    const target = new CountingTarget();
    const tracker = new ActivityTracker(() => 0);
    tracker.start(target, DEFAULT_EVENTS);
    expect(target.live.map((e) => e.type).sort()).to.deep.equal([...DEFAULT_EVENTS].sort());
    expect(target.live.every((e) => e.capture && e.passive === true)).to.equal(true);
    tracker.stop();
  });

  it('stop() removes every listener it added', () => {
    const target = new CountingTarget();
    const tracker = new ActivityTracker(() => 0);
    tracker.start(target, [...DEFAULT_EVENTS, 'mousemove', 'click']);
    expect(target.live).to.have.length(DEFAULT_EVENTS.length + 2);
    tracker.stop();
    expect(target.live).to.deep.equal([]);
    tracker.stop(); // twice is harmless
    expect(target.removed).to.have.length(DEFAULT_EVENTS.length + 2);
  });

  it('start() again replaces the earlier listeners (new events, new target)', () => {
    const a = new CountingTarget();
    const b = new CountingTarget();
    const tracker = new ActivityTracker(() => 0);
    tracker.start(a, DEFAULT_EVENTS);
    tracker.start(a, ['keydown']);
    expect(a.live.map((e) => e.type)).to.deep.equal(['keydown']);
    tracker.start(b, ['wheel']);
    expect(a.live).to.deep.equal([]);
    expect(b.live.map((e) => e.type)).to.deep.equal(['wheel']);
    tracker.stop();
    expect(b.live).to.deep.equal([]);
  });

  it('leaves nothing on the document after stop() (prototype spy)', () => {
    const live = new Set<string>();
    const key = (t: EventTarget, type: string, l: unknown, o: unknown) =>
      `${t === document ? 'doc' : 'other'}|${type}|${String(capture(o as boolean))}|${listenerId(l)}`;
    const ids = new WeakMap<object, number>();
    let nextId = 0;
    const listenerId = (l: unknown) => {
      if (!l || typeof l !== 'object' && typeof l !== 'function') return -1;
      if (!ids.has(l as object)) ids.set(l as object, nextId++);
      return ids.get(l as object)!;
    };
    const proto = EventTarget.prototype;
    const add = proto.addEventListener;
    const remove = proto.removeEventListener;
    proto.addEventListener = function (this: EventTarget, type: string, l: EventListenerOrEventListenerObject | null, o?: boolean | AddEventListenerOptions) {
      if (this === document) live.add(key(this, type, l, o));
      return add.call(this, type, l, o);
    };
    proto.removeEventListener = function (this: EventTarget, type: string, l: EventListenerOrEventListenerObject | null, o?: boolean | EventListenerOptions) {
      if (this === document) live.delete(key(this, type, l, o));
      return remove.call(this, type, l, o);
    };
    try {
      const tracker = new ActivityTracker(() => 0);
      tracker.start(document, DEFAULT_EVENTS);
      // Plus `load`, which finds the iframes that load later.
      expect([...live].map((k) => k.split('|')[1]).sort()).to.deep.equal([...DEFAULT_EVENTS, 'load'].sort());
      tracker.stop();
      expect([...live]).to.deep.equal([]);
    } finally {
      proto.addEventListener = add;
      proto.removeEventListener = remove;
    }
  });
});
