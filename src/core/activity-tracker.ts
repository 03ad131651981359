/**
 * Records the last moment the person did something in the page. The
 * listeners do the least any tracker can do: store a time. Nothing is
 * scheduled, posted or compared per event; the session engine reads `last`
 * only when a decision is due (SPEC §9: ≤ 0.3 µs per event, 0 timer calls).
 */

/** Events whose `screenX/Y` show whether the pointer really moved. */
const MOVE_EVENTS = new Set(['pointermove', 'mousemove']);

export class ActivityTracker {
  /** Wall-clock ms of the last activity; -Infinity before any. */
  last = -Infinity;

  #x = NaN;
  #y = NaN;
  #events: readonly string[] = [];
  #target: EventTarget | null = null;
  // One options object for add and remove: a capture flag that differs
  // leaves the listener behind (hmrc-frontend's focus listener did).
  readonly #options: AddEventListenerOptions = { capture: true, passive: true };

  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  readonly #onEvent = (event: Event): void => {
    // Script-made events are not a person (phantom activity, CONTEXT #9).
    if (event.isTrusted) this.last = this.#now();
  };

  readonly #onMove = (event: Event): void => {
    // Browsers fire pointermove without movement (layout shifts under a
    // still cursor, focus changes); only a new position is a person.
    // A script-made move must not even set the position: it would hide the
    // next real move to that spot.
    if (!event.isTrusted) return;
    const { screenX, screenY } = event as MouseEvent;
    if (screenX === this.#x && screenY === this.#y) return;
    this.#x = screenX;
    this.#y = screenY;
    this.last = this.#now();
  };

  /** Listen on `target` (capture, passive) for `events`; replaces earlier ones. */
  start(target: EventTarget, events: readonly string[]): void {
    this.stop();
    this.#target = target;
    this.#events = events;
    for (const type of events) {
      target.addEventListener(type, MOVE_EVENTS.has(type) ? this.#onMove : this.#onEvent, this.#options);
    }
  }

  stop(): void {
    const target = this.#target;
    if (!target) return;
    for (const type of this.#events) {
      target.removeEventListener(type, MOVE_EVENTS.has(type) ? this.#onMove : this.#onEvent, this.#options);
    }
    this.#target = null;
  }

  /** Activity no DOM event shows (media playing, a canvas drag): `reportActivity()`. */
  report(): void {
    this.last = this.#now();
  }
}
