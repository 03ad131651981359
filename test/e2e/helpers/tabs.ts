// A session of one person in one browser context, for the end-to-end tests
// of tabs, sleep, faults and CSP: one fake clock for every page (Playwright's
// clock is per context) kept in step with the reference server's test clock,
// several pages (tabs) that share BroadcastChannel and Web Locks, and a record
// of what each tab did (element events, dialog openings, CSP violations,
// session calls, navigations) that survives the page leaving.
//
// Time model: the browser clock is paused and the server clock frozen at the
// same instant T0; `advance()` moves both in steps of `step` seconds (server
// first, so that the server is never behind a request the browser sends),
// and after each step waits until no session call is in flight and every
// page has run its queued tasks. No real waiting for timeouts anywhere.
import type { APIRequestContext, BrowserContext, Locator, Page, Request } from '@playwright/test';
import { expect } from '../fixtures.js';
import { countFetches, markCountdownTicks, stretchOrStep } from './clock.js';

/** The two session calls of docs/design.md, server contract (the demo's URLs). */
export const STATUS_PATH = '/session/status';
export const KEEPALIVE_PATH = '/session/keepalive';
const SESSION_CALL = /\/session\/(status|keepalive)(?:[?#]|$)/;

export const ELEMENT_EVENTS = [
  'session-timeout-warn',
  'session-timeout-extend',
  'session-timeout-expire',
  'session-timeout-signout',
  'session-timeout-error',
] as const;

/** Something a page reported through the recorder binding. */
export interface Recorded {
  /** An element event name, 'dialog-open' (showModal was called) or 'csp-violation'. */
  type: string;
  /** Seconds since T0 on the page's (fake) clock when it happened. */
  at: number;
  detail: any;
  url: string;
}

/** A session call as the server logged it. */
export interface LoggedCall {
  op: 'status' | 'keepalive';
  /** Seconds since T0 on the server's test clock. */
  at: number;
  method: string;
  status: number | null;
  activity: string;
}

export type FaultKind = '500' | '502' | '503' | '403' | '401' | '440' | '302' | 'html' | 'badjson' | 'truncated' | 'hang';

// Runs in every page before its own scripts. Reports through a binding (not
// page state) so that what happened just before the page left is not lost.
// Uses no eval, no inline HTML: it must not itself break the page's CSP.
const RECORDER = `(() => {
  const T0 = __T0__;
  const send = (type, detail) => {
    try { window.__stdRecord({ type, at: (Date.now() - T0) / 1000, detail: detail ?? null, url: location.href }); } catch {}
  };
  for (const type of ${JSON.stringify(ELEMENT_EVENTS)}) {
    document.addEventListener(type, (e) => send(type, e.detail), true);
  }
  const showModal = HTMLDialogElement.prototype.showModal;
  HTMLDialogElement.prototype.showModal = function () {
    send('dialog-open', null);
    return showModal.call(this);
  };
  const onViolation = (e) => send('csp-violation', {
    directive: e.violatedDirective, effective: e.effectiveDirective, blocked: e.blockedURI,
    sample: e.sample, source: e.sourceFile, line: e.lineNumber,
  });
  document.addEventListener('securitypolicyviolation', onViolation, true);
})();`;

export class Tab {
  readonly events: Recorded[] = [];
  /** Session calls this page sent (attributed by Playwright, so a test can tell which tab leads). */
  readonly calls: { op: 'status' | 'keepalive'; at: number }[] = [];
  /** Main-frame URLs this page navigated to, in order. */
  readonly visited: string[] = [];
  closed = false;

  constructor(
    readonly page: Page,
    readonly name: string,
  ) {}

  get element(): Locator {
    return this.page.locator('session-timeout-dialog');
  }
  /** Playwright's CSS engine pierces open shadow roots. */
  part(name: string): Locator {
    return this.page.locator(`session-timeout-dialog [part~="${name}"]`);
  }
  get dialog(): Locator {
    return this.part('dialog');
  }
  get countdown(): Locator {
    return this.part('countdown');
  }
  get stayButton(): Locator {
    return this.part('stay-button');
  }
  get signoutButton(): Locator {
    return this.part('signout-button');
  }
  get error(): Locator {
    return this.part('error');
  }

  of(type: string): Recorded[] {
    return this.events.filter((e) => e.type === type || e.type === `session-timeout-${type}`);
  }

  /** Did the warning dialog ever open in this tab (showModal called or a warn event)? */
  get warned(): boolean {
    return this.of('dialog-open').length > 0 || this.of('warn').length > 0;
  }

  /** Trusted pointer movement (a new position each time, as a person makes). */
  private x = 100;
  async moveMouse(): Promise<void> {
    this.x = this.x === 100 ? 140 : 100;
    await this.page.mouse.move(this.x, 200);
  }

  async type(text = 'a'): Promise<void> {
    await this.page.locator('#notes').focus();
    await this.page.keyboard.type(text);
  }

  /** The countdown in whole seconds ("1 minute, 5 seconds", "30 seconds", "1:05"). */
  async countdownSeconds(): Promise<number> {
    return parseDuration(await this.countdown.innerText());
  }
}

/** Seconds in a countdown text: "2 minutes", "1 minute, 59 seconds", "0 seconds", "1:05". */
export function parseDuration(text: string): number {
  const clock = /(\d+):(\d{2})/.exec(text);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  const h = /(\d+)\s*(?:h|hours?)\b/.exec(text);
  const m = /(\d+)\s*(?:min|minutes?)\b/.exec(text);
  const s = /(\d+)\s*(?:s|sec|seconds?)\b/.exec(text);
  if (!h && !m && !s) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return Number(h?.[1] ?? 0) * 3600 + Number(m?.[1] ?? 0) * 60 + Number(s?.[1] ?? 0);
}

export class Harness {
  readonly tabs: Tab[] = [];
  /** Fake milliseconds since T0 (both clocks). */
  private elapsedMs = 0;
  private readonly pending = new Set<Request>();
  private seen = 0;
  private seenAtSettle = 0;
  /** Calls of this operation may hang (a 'hang' fault, a held route): settle() does not wait for them. */
  hangs: 'status' | 'keepalive' | 'any' | null = null;
  /** The session's CSRF token (for app requests made "from another device"). */
  csrfToken = '';

  private constructor(
    readonly context: BrowserContext,
    readonly T0: number,
  ) {}

  get api(): APIRequestContext {
    return this.context.request;
  }

  /** Seconds since T0. */
  get now(): number {
    return this.elapsedMs / 1000;
  }

  /**
   * Pause the browser clock and freeze the server's at the same whole-second
   * instant, sign a person in (the context's cookies), record every page.
   * Call before opening any page.
   */
  static async start(context: BrowserContext, { user = 'tester', demoScript = false } = {}): Promise<Harness> {
    const T0 = Math.ceil(Date.now() / 1000) * 1000 + 60_000;
    const h = new Harness(context, T0);
    // Other work in this repository may be rebuilding dist/ while a test runs
    // (the server then answers 503 "not built yet" for a moment): wait for
    // the build rather than fail on it. The answer is passed on unchanged.
    await context.route('**/static/session-timeout-dialog.js', async (route) => {
      for (let attempt = 0; ; attempt++) {
        const response = await route.fetch();
        if (response.status() !== 503 || attempt >= 60) return route.fulfill({ response });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    });
    if (!demoScript) {
      // The demo's live panel (demo.js) redraws every 250 ms and holds an
      // event stream per tab: with a fake clock each redraw is a timer to
      // run, which makes every step of time several times slower. It only
      // listens to the element, so the element's behaviour is the same
      // without it; the CSP test keeps it.
      await context.route('**/static/demo.js', (route) =>
        route.fulfill({ contentType: 'text/javascript; charset=utf-8', body: '// demo.js left out by the test\n' }),
      );
    }
    // Paused at T0 from the first instant, without an install before it: a
    // page replays the clock's calls, and the real milliseconds between an
    // install and the pause (hundreds on a busy machine) became its
    // performance.now() at load, so the element counted from before T0 and
    // left that much early by the test's clock.
    await context.clock.pauseAt(T0);
    await h.serverClock({ set: T0 });
    await context.exposeBinding('__stdRecord', ({ page }, entry: Recorded) => {
      h.tabs.find((t) => t.page === page)?.events.push(entry);
    });
    await context.addInitScript({ content: RECORDER.replace('__T0__', String(T0)) });
    await context.addInitScript(markCountdownTicks);
    await context.addInitScript(countFetches);
    context.on('request', (r) => {
      if (!SESSION_CALL.test(r.url())) return;
      h.pending.add(r);
      h.seen++;
      const tab = h.tabs.find((t) => t.page === r.frame().page());
      tab?.calls.push({ op: r.url().includes('/keepalive') ? 'keepalive' : 'status', at: h.now });
    });
    const done = (r: Request) => h.pending.delete(r);
    context.on('requestfinished', done);
    context.on('requestfailed', done);
    // An error answer's body is never read by the element, and Chromium then
    // reports no 'requestfinished' for it: its headers are the whole answer.
    context.on('response', (r) => {
      if (r.status() >= 400) done(r.request());
    });
    const login = await h.api.post('/__test/login', { data: { user } });
    expect(login.ok(), 'test sign-in').toBe(true);
    h.csrfToken = (await login.json()).csrfToken;
    return h;
  }

  private async serverClock(body: object): Promise<void> {
    const res = await this.api.post('/__test/clock', { data: body });
    expect(res.ok(), `server clock ${JSON.stringify(body)}`).toBe(true);
  }

  /** Open a tab on `path` (the demo's protected page) and wait for the element to run. */
  async open(path = '/', name = `tab ${this.tabs.length + 1}`): Promise<Tab> {
    // The context is reused from test to test (playwright.config.ts): its
    // first page, left blank by the reset, serves as the first tab.
    const blank = this.context.pages().find((p) => p.url() === 'about:blank' && !this.tabs.some((t) => t.page === p));
    const page = blank ?? (await this.context.newPage());
    const tab = new Tab(page, name);
    this.tabs.push(tab);
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) tab.visited.push(f.url());
    });
    page.on('close', () => (tab.closed = true));
    // Not until 'load': the element runs before DOMContentLoaded (a module
    // script), and the rest of the page (the editor's iframe, images) is the
    // demo's, not the session's.
    await page.goto(path, { waitUntil: 'domcontentloaded' });
    if (path === '/') await expect(tab.element).toHaveAttribute('state', 'active');
    await this.settle();
    return tab;
  }

  async close(tab: Tab): Promise<void> {
    await tab.page.close();
    await this.settle();
  }

  get open_(): Tab[] {
    return this.tabs.filter((t) => !t.closed);
  }

  /**
   * Move both clocks forward by `seconds`, in steps of `step` seconds: each
   * step advances the server, then runs the browser's timers up to the same
   * instant, then waits until the calls it caused were answered and applied.
   * Steps in which no tab has a timer due are taken together
   * (helpers/clock.ts, `stretchOrStep`).
   */
  async advance(seconds: number, { step = 1 }: { step?: number } = {}): Promise<void> {
    let left = Math.round(seconds * 1000);
    const stepMs = Math.round(step * 1000);
    while (left > 0) {
      const { by: d, stretch } = await stretchOrStep(this.context.pages(), left, stepMs);
      await this.serverClock({ advance: d / 1000 });
      if (stretch) await this.context.clock.fastForward(d);
      else await this.context.clock.runFor(d);
      this.elapsedMs += d;
      left -= d;
      await this.settle({ step: true });
    }
  }

  /** Advance until `seconds` since T0. */
  async advanceTo(seconds: number, options?: { step?: number }): Promise<void> {
    await this.advance(seconds - this.now, options);
  }

  /**
   * Sleep, a frozen or throttled tab: the wall clock jumps and no timer fires
   * (`setSystemTime`). The server's clock moves with it.
   */
  async jump(seconds: number): Promise<void> {
    const ms = Math.round(seconds * 1000);
    await this.serverClock({ advance: ms / 1000 });
    this.elapsedMs += ms;
    await this.context.clock.setSystemTime(this.T0 + this.elapsedMs);
  }

  /** Sleep, then the late timers fire once at the new time (`fastForward`). */
  async fastForward(seconds: number): Promise<void> {
    const ms = Math.round(seconds * 1000);
    await this.serverClock({ advance: ms / 1000 });
    this.elapsedMs += ms;
    await this.context.clock.fastForward(ms);
    await this.settle();
  }

  /**
   * Wait until no session call is in flight (unless a hang fault holds one)
   * and every open page ran the tasks already queued (answers applied,
   * BroadcastChannel messages heard), with nothing new sent meanwhile.
   */
  async settle({ step = false }: { step?: boolean } = {}): Promise<void> {
    const waitable = () => [...this.pending].filter((r) => !this.mayHang(r)).length;
    // A step of time in a single tab: the timers it ran finished inside
    // runFor(), and no other tab can have news for it. One round trip lets
    // a call those timers started be reported; if none was, that is all.
    // (The page's own count of fetches in flight too: Playwright may report
    // a request the timers just sent a moment after that round trip, and the
    // next step would then move the server's clock under it.)
    if (step && this.open_.length <= 1) {
      const inPage = await Promise.all(this.open_.map((t) => drain(t.page)));
      if (this.seen === this.seenAtSettle && waitable() === 0 && inPage.every((n) => n === 0)) return;
    }
    for (let round = 0; round < 50; round++) {
      const before = this.seen;
      if (waitable() > 0) {
        // A count kept here (no round trip to read it): look often.
        await expect
          .poll(waitable, { message: 'session calls still in flight', timeout: 10_000, intervals: [5, 10, 20, 50] })
          .toBe(0);
      }
      // Twice: an answer applied in one tab is broadcast, then heard in the others.
      await Promise.all(this.open_.map((t) => drain(t.page)));
      const inPage = await Promise.all(this.open_.map((t) => drain(t.page)));
      // A hung call stays in flight in the page by design: then only ours count.
      const quiet = this.hangs !== null || inPage.every((n) => n === 0);
      if (this.seen === before && waitable() === 0 && quiet) {
        this.seenAtSettle = this.seen;
        return;
      }
    }
    throw new Error('settle(): the pages kept sending session calls');
  }

  private mayHang(r: Request): boolean {
    if (!this.hangs) return false;
    return this.hangs === 'any' || r.url().includes(this.hangs === 'status' ? STATUS_PATH : KEEPALIVE_PATH);
  }

  /** The session calls the server saw (status and keepalive), oldest first. */
  async serverCalls(): Promise<LoggedCall[]> {
    const res = await this.api.get('/__test/log');
    const log: { t: number; method: string; path: string; status: number | null; activity: string }[] = await res.json();
    return log
      .filter((e) => e.path === STATUS_PATH || e.path === KEEPALIVE_PATH)
      .map((e) => ({
        op: e.path === STATUS_PATH ? 'status' : 'keepalive',
        at: (e.t - this.T0) / 1000,
        method: e.method,
        status: e.status,
        activity: e.activity,
      }));
  }

  async clearLog(): Promise<void> {
    await this.api.delete('/__test/log');
  }

  async fault(operation: 'status' | 'keepalive' | 'any', kind: FaultKind, { count = 1, retryAfter }: { count?: number; retryAfter?: number } = {}): Promise<void> {
    const res = await this.api.post('/__test/faults', { data: { operation, kind, count, ...(retryAfter === undefined ? {} : { retryAfter }) } });
    expect(res.ok(), `fault ${operation} ${kind}`).toBe(true);
    if (kind === 'hang') this.hangs = operation;
  }

  async clearFaults(): Promise<void> {
    await this.api.delete('/__test/faults');
    this.hangs = null;
  }

  /**
   * An ordinary app request from outside the browser (another device, the
   * same session): activity the server sees and the element did not cause.
   */
  async appRequest(): Promise<void> {
    const res = await this.api.post('/api/echo', { headers: { 'X-CSRFToken': this.csrfToken }, data: { message: 'elsewhere' } });
    expect(res.status(), 'app request').toBe(200);
  }

  /** What the server says about the session now. A passive status call: it appears in the server's log. */
  async serverStatus(): Promise<{ status: string; idleTime?: number }> {
    const res = await this.api.get(STATUS_PATH);
    return res.json();
  }
}

/**
 * Let a page run every task queued so far (a real macrotask; fake timers do
 * not touch MessageChannel); resolves the page's fetches still in flight.
 */
async function drain(page: Page): Promise<number> {
  try {
    return await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const c = new MessageChannel();
          c.port1.onmessage = () => resolve((window as unknown as { __e2ePendingFetches?: number }).__e2ePendingFetches ?? 0);
          c.port2.postMessage(0);
        }),
    );
  } catch {
    // The page is navigating (it left for timeout-url) or closed: nothing to wait for.
    return 0;
  }
}
