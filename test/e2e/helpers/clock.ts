// One fake time for the browser and the server under test.
//
// The page runs on Playwright's fake clock (page.clock), paused: time moves
// only when a test advances it. The server's test clock (POST /__test/clock,
// spoken by the reference server, the Django mimics and the CDN test server)
// is frozen and set, before each step, to the instant the page is about to
// reach. Requests the page sends during a step thus meet a server that is at
// most one step ahead, never behind (a server ahead reports a longer idle
// time: it can never look like activity the page did not see).
//
// After each step the helper waits until the page's requests (fetches,
// navigations) have been answered, so the next step starts from settled
// facts. Nothing here waits real seconds.
import type { APIRequestContext, Page, Request } from '@playwright/test';
import { expect } from '@playwright/test';

/** A whole-second instant far from today: nothing in the page may depend on the real date. */
export const T0 = Date.UTC(2030, 0, 7, 9, 0, 0);

export interface ClockOptions {
  /** Origin of the server whose /__test/clock is driven; '' = the page's baseURL. */
  server?: string;
  /** Fake wall-clock instant where both clocks start (paused). */
  start?: number;
  /** Largest step of one advance (ms); requests sent during a step meet the server at the step's end. */
  step?: number;
  /** The request context that reaches the server (page.request by default). */
  request?: APIRequestContext;
}

/** Requests that never end by design and must not hold a step open. */
const LONG_LIVED = new Set(['eventsource', 'websocket']);
/** An answered request whose body the page does not read counts as done this long (real ms) after the answer. */
const ANSWERED_GRACE_MS = 300;

export class Clocks {
  /** The page's fake Date.now(). */
  now: number;
  /** Server time = page time + offset. */
  private offset = 0;
  /** Requests sent and not finished; the value is when (real ms) the server answered, if it did. */
  private readonly inflight = new Map<Request, number | null>();
  private readonly request: APIRequestContext;
  private readonly server: string;
  readonly start: number;
  step: number;

  private constructor(
    readonly page: Page,
    options: ClockOptions,
  ) {
    this.start = options.start ?? T0;
    this.now = this.start;
    this.server = options.server ?? '';
    this.step = options.step ?? 500;
    this.request = options.request ?? page.request;
    page.on('request', (req) => {
      const from = req.redirectedFrom();
      if (from) this.inflight.delete(from);
      if (!LONG_LIVED.has(req.resourceType())) this.inflight.set(req, null);
    });
    // A page that never reads a body (the demo's app request) gets no
    // 'requestfinished': the answer itself is then enough, a moment later.
    page.on('response', (res) => {
      if (this.inflight.has(res.request())) this.inflight.set(res.request(), Date.now());
    });
    const done = (req: Request) => this.inflight.delete(req);
    page.on('requestfinished', done);
    page.on('requestfailed', done);
  }

  /**
   * Install the page's fake clock (before any navigation), pause it at
   * `start` and stop the server's clock at the same instant.
   */
  static async install(page: Page, options: ClockOptions = {}): Promise<Clocks> {
    const clocks = new Clocks(page, options);
    await page.addInitScript(countFetches);
    // Paused at `start` from the first instant, without a separate install
    // before it: a paused clock never moves by itself, in this page and in
    // every page it navigates to. (A page replays the clock's calls: after an
    // install, the real milliseconds until the pause, longer on a busy
    // machine, became its performance.now() at load, so the element counted
    // from an instant before `start`.)
    await page.clock.pauseAt(clocks.start);
    // After the fake clock's own script, so that it wraps the fake setTimeout.
    await page.addInitScript(markCountdownTicks);
    await clocks.setServer(clocks.start);
    return clocks;
  }

  /** Milliseconds since `start` (the page load, in most tests). */
  get elapsed(): number {
    return this.now - this.start;
  }

  /** A server timestamp (its request log) as ms after `start` on the page's clock. */
  sinceStart(serverTime: number): number {
    return serverTime - this.offset - this.start;
  }

  /** The server's fake time. */
  get serverNow(): number {
    return this.now + this.offset;
  }

  private async setServer(t: number): Promise<void> {
    const res = await this.request.post(`${this.server}/__test/clock`, { data: { set: t } });
    expect(res.ok(), `POST ${this.server}/__test/clock {set}`).toBe(true);
  }

  /**
   * Make the server's clock read, at every page instant, the time since the
   * navigation started as the page sees it: as if the page request reached
   * the server with no latency. Call it right after the first page load.
   * (The page's own estimate of that instant is Date.now() − performance.now().)
   */
  async alignToPageLoad(): Promise<number> {
    const navigationStart = await this.page.evaluate(() => Date.now() - performance.now());
    // The server was frozen at `start` while it served the page.
    this.offset = this.start - navigationStart;
    await this.setServer(this.serverNow);
    return navigationStart;
  }

  /**
   * Move only the server's clock forward by `ms` (a server that jumped ahead,
   * or time the page did not see): from now on the server reads `ms` later.
   */
  async jumpServer(ms: number): Promise<void> {
    this.offset += ms;
    await this.setServer(this.serverNow);
  }

  /**
   * Advance both clocks by `ms`, in steps, settling the page's requests after
   * each. Steps in which no timer of the page is due are taken together
   * (`stretchOrStep`).
   */
  async advance(ms: number, options: { step?: number } = {}): Promise<void> {
    const step = options.step ?? this.step;
    const target = this.now + ms;
    while (this.now < target) {
      const { by, stretch } = await stretchOrStep(this.page.context().pages(), target - this.now, step);
      const next = this.now + by;
      await this.setServer(next + this.offset);
      try {
        if (stretch) await this.page.clock.fastForward(by);
        else await this.page.clock.runFor(by);
      } catch (error) {
        // A timer that navigated the page (timeout-url, signout-url) takes the
        // frame down in the middle of the run: the new page replays the same
        // clock, so time is where it should be.
        if (!isNavigationError(error)) throw error;
      }
      this.now = next;
      await this.settle();
    }
  }

  /** Advance both clocks to `ms` after `start`. */
  async to(ms: number, options: { step?: number } = {}): Promise<void> {
    if (ms < this.elapsed) throw new Error(`the clocks are at ${this.elapsed} ms, cannot go back to ${ms} ms`);
    await this.advance(ms - this.elapsed, options);
  }

  /** Wait until every request the page sent has been answered and the page had a moment to read it. */
  async settle(): Promise<void> {
    const pending = () => {
      for (const [req, answeredAt] of this.inflight) {
        if (answeredAt !== null && Date.now() - answeredAt > ANSWERED_GRACE_MS) this.inflight.delete(req);
      }
      return this.inflight.size;
    };
    const inPage = async () => {
      try {
        return await this.page.evaluate(() => (window as unknown as { __e2ePendingFetches?: number }).__e2ePendingFetches ?? 0);
      } catch (error) {
        if (!isNavigationError(error)) throw error;
        return 1; // a page is loading: look again
      }
    };
    await expect
      .poll(async () => (await inPage()) + pending(), {
        message: `requests still in flight: ${[...this.inflight.keys()].map((r) => r.url()).join(', ')}`,
        timeout: 15_000,
        intervals: [10, 20, 50, 100],
      })
      .toBe(0);
    // The body was read; the page's own reader resolves in the same turn or
    // the next: one more round trip.
    await inPage();
  }
}

/**
 * Marks the timers of the dialog's countdown, so that `nextTimerIn` can
 * look past them. While the warning is open, the countdown redraws at every
 * whole second of the time left: a timer due every second, which would make
 * every second of a warning a step of its own (a settle, a server-clock
 * update, about 80 ms of real time each). The countdown only redraws from the
 * clock; it never sends anything or decides anything. So, like a repeating
 * timer, it may fire once at the end of merged steps (it then shows what is
 * left at that instant), and the tests that read it mid-warning still see it
 * right after every advance.
 *
 * A countdown timer is the first setTimeout set in the same turn as a
 * `showModal()`, and every setTimeout a countdown timer sets when it runs
 * (the next tick). Installed after the fake clock, it wraps the fake
 * setTimeout; the ids it returns are the clock's own.
 */
export function markCountdownTicks(): void {
  const w = window as unknown as { __e2eTicks?: Set<unknown> };
  if (w.__e2eTicks) return;
  const ticks = (w.__e2eTicks = new Set<unknown>());
  const setTimeoutBefore = window.setTimeout;
  const clearTimeoutBefore = window.clearTimeout;
  let opening = false;
  let inTick = false;
  const showModal = HTMLDialogElement.prototype.showModal;
  HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
    opening = true;
    queueMicrotask(() => (opening = false));
    return showModal.call(this);
  };
  window.setTimeout = function (handler: TimerHandler, ms?: number, ...rest: unknown[]) {
    const isTick = (opening || inTick) && typeof handler === 'function';
    if (!isTick) return setTimeoutBefore(handler, ms, ...rest);
    opening = false;
    const run = handler as (...a: unknown[]) => void;
    const id = setTimeoutBefore(
      (...a: unknown[]) => {
        ticks.delete(id);
        inTick = true;
        try {
          run(...a);
        } finally {
          inTick = false;
        }
      },
      ms,
      ...rest,
    );
    ticks.add(id);
    return id;
  } as typeof window.setTimeout;
  window.clearTimeout = function (id?: number) {
    ticks.delete(id);
    return clearTimeoutBefore(id);
  } as typeof window.clearTimeout;
}

/** Steps taken, and how many of them were merged empty steps (E2E_PROFILE=1 prints them per test). */
export const stepStats = { steps: 0, merged: 0 };

/**
 * How far the next step of fake time goes: `step` (at most `left`), or, when
 * the steps just ahead have no one-off timer (setTimeout,
 * requestAnimationFrame…) due in any page, all those empty steps at once. The
 * steps are the same as one by one, ending on the same instants: the step in
 * which a timer is due still runs alone, with the server at its end. What is
 * saved is a server-clock update and a settle per empty step.
 *
 * The merged empty steps run with `fastForward`, so a repeating timer
 * (setInterval) due in them fires once at their end instead of once per
 * period. The element uses none; the demo's live panel redraws from what it
 * already knows every 250 ms (no request), and hundreds of redraws per fake
 * minute were most of the cost of a test on the demo page.
 */
export async function stretchOrStep(pages: Page[], left: number, step: number): Promise<{ by: number; stretch: boolean }> {
  stepStats.steps++;
  if (left <= step) return { by: left, stretch: false };
  const due = await nextTimerIn(pages);
  // Whole steps that end before the first due timer (one due exactly at a
  // step's end belongs to that step).
  const empty = due === null ? 0 : due === Infinity ? Infinity : Math.ceil(due / step) - 1;
  if (empty < 1) return { by: step, stretch: false };
  stepStats.merged++;
  return { by: Math.min(left, empty * step), stretch: true };
}

/**
 * Fake milliseconds until the first one-off timer due in any of these pages
 * (and their frames), read from Playwright's fake clock inside each page;
 * Infinity when none is pending (repeating timers do not count). null when
 * that cannot be told (a page still loading, whose scripts may not have set
 * their timers yet; a clock without that inner shape).
 */
export async function nextTimerIn(pages: Page[]): Promise<number | null> {
  const frames = pages.filter((page) => !page.isClosed()).flatMap((page) => page.frames());
  const dues = await Promise.all(
    frames.map(async (frame) => {
      try {
        return await frame.evaluate(() => {
          if (document.readyState !== 'complete') return null;
          // Playwright's injected clock (page.clock): its pending timers hold
          // `callAt` in the same ticks as its `_now.ticks`.
          type Timer = { type: string; callAt: number };
          const clock = (globalThis as { __pwClock?: { controller?: { _timers?: unknown; _now?: { ticks?: unknown } } } })
            .__pwClock?.controller;
          if (!clock && location.href === 'about:blank') return -1; // an empty tab runs nothing
          const timers = clock?._timers;
          const now = clock?._now?.ticks;
          if (!(timers instanceof Map) || typeof now !== 'number') return null;
          const ticks = (globalThis as { __e2eTicks?: Set<unknown> }).__e2eTicks;
          let first = Infinity;
          for (const [id, timer] of timers as Map<unknown, Timer>) {
            if (typeof timer?.callAt !== 'number') return null;
            if (timer.type !== 'Interval' && !ticks?.has(id)) first = Math.min(first, timer.callAt);
          }
          return first === Infinity ? -1 : Math.max(0, Math.ceil(first - now));
        });
      } catch (error) {
        if (!isNavigationError(error)) throw error;
        return null; // a page is loading or left: look again next step
      }
    }),
  );
  let soonest = Infinity;
  for (const due of dues) {
    if (due === null) return null;
    if (due >= 0) soonest = Math.min(soonest, due);
  }
  return soonest;
}

/**
 * Counts the page's fetches until their answer (body included) has arrived,
 * so a step ends only when the page has what the server said, and notes each
 * one with the page's (fake) time it was sent. Transparent to the page: the
 * same promise is returned.
 */
export function countFetches(): void {
  const w = window as unknown as { __e2ePendingFetches?: number; __e2eFetches: FetchRecord[]; fetch: typeof fetch };
  if (w.__e2ePendingFetches !== undefined) return;
  w.__e2ePendingFetches = 0;
  w.__e2eFetches = [];
  const original = w.fetch.bind(w);
  w.fetch = function (...args: Parameters<typeof fetch>) {
    const [input, init] = args;
    const url = input instanceof Request ? input.url : String(input);
    const record: FetchRecord = {
      url: new URL(url, location.href).href,
      method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(),
      t: Date.now(),
      status: null,
      body: null,
    };
    w.__e2eFetches.push(record);
    w.__e2ePendingFetches!++;
    let promise: Promise<Response>;
    try {
      promise = original(...args);
    } catch (error) {
      w.__e2ePendingFetches!--;
      throw error;
    }
    promise
      .then(async (response) => {
        record.status = response.status;
        record.body = await response.clone().text();
      }, () => undefined)
      .catch(() => undefined)
      .finally(() => w.__e2ePendingFetches!--);
    return promise;
  } as typeof fetch;
}

/** A fetch the page made: when (its fake Date.now()), where, and what came back. */
export interface FetchRecord {
  url: string;
  method: string;
  t: number;
  /** 0 for an opaque redirect (fetch with redirect: 'manual'); null while unanswered or failed. */
  status: number | null;
  body: string | null;
}

/** The fetches the current page made so far (a new page starts a new list). */
export async function pageFetches(page: Page): Promise<FetchRecord[]> {
  return page.evaluate(() => (window as unknown as { __e2eFetches?: FetchRecord[] }).__e2eFetches ?? []);
}

function isNavigationError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Execution context was destroyed|navigat|Target (page, context or browser )?(has been )?closed|frame was detached|Frame has been detached/i.test(
    message,
  );
}
