/**
 * The outside world the core talks to: time, timers, the network and
 * navigation. Everything has a real default; tests pass their own (a fake
 * clock, a scripted fetch, a navigate spy) instead of patching globals.
 */

export type TimerHandle = ReturnType<typeof setTimeout>;

export interface Clock {
  /** Wall-clock milliseconds (`Date.now()`): deadlines survive sleep and throttling. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** The part of `BroadcastChannel` the tab sync uses. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** The part of `navigator.locks` the leader election uses. */
export interface LocksLike {
  request(
    name: string,
    options: { signal?: AbortSignal; steal?: boolean; ifAvailable?: boolean },
    callback: (lock: unknown) => Promise<unknown> | unknown,
  ): Promise<unknown>;
}

export interface Environment extends Clock {
  fetch(input: string, init: RequestInit): Promise<Response>;
  /** Leave the page for `url` (`location.assign`). */
  navigate(url: string): void;
  /** Reload the page (no `timeout-url`). */
  reload(): void;
  /** [0, 1): retry jitter. */
  random(): number;
  /** A cross-tab channel, or null where BroadcastChannel is missing. */
  openChannel(name: string): ChannelLike | null;
  /** The Web Locks API, or null where it is missing. */
  locks: LocksLike | null;
  /**
   * When the server had surely seen the page request: the first byte of its
   * answer (`responseStart`), else navigation start. The person's clock
   * starts there; counting from navigation start instead (before the request
   * even left) made the status at warnAt read one whole second short on the
   * server's floored clock and cost a second status call.
   */
  pageLoadedAt(): number;
}

/**
 * The real environment. Globals are read when this is called (at connect
 * time), never at module top level, so importing the package is SSR-safe.
 */
export function browserEnvironment(): Environment {
  const g = globalThis as typeof globalThis & { navigator?: Navigator };
  return {
    now: () => Date.now(),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle),
    fetch: (input, init) => fetch(input, init),
    navigate: (url) => location.assign(url),
    reload: () => location.reload(),
    random: Math.random,
    openChannel: (name) =>
      typeof BroadcastChannel === 'function' ? new BroadcastChannel(name) : null,
    locks: (g.navigator?.locks as LocksLike | undefined) ?? null,
    pageLoadedAt: () => {
      if (typeof performance === 'undefined') return Date.now();
      const origin = Date.now() - performance.now();
      const nav = performance.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined;
      return origin + (nav && nav.responseStart > 0 ? nav.responseStart : 0);
    },
  };
}
