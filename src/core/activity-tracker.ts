/**
 * Records the last moment the person did something in the page. The
 * listeners do the least any tracker can do: store a time. Nothing is
 * scheduled, posted or compared per event; the session engine reads `last`
 * only when a decision is due (README, size and cost: ≤ 0.3 µs per event, 0 timer calls).
 */

/** Events whose `screenX/Y` show whether the pointer really moved. */
const MOVE_EVENTS = ['pointermove', 'mousemove'];

export class ActivityTracker {
  /** Wall-clock ms of the last activity; -Infinity before any. */
  last = -Infinity;

  #x = NaN;
  #y = NaN;
  #events: readonly string[] = [];
  /** The page's document and the documents of its same-origin iframes. */
  readonly #targets = new Set<EventTarget>();
  // One options object for add and remove: a capture flag that differs
  // leaves the listener behind (hmrc-frontend's focus listener did).
  readonly #options: AddEventListenerOptions = { capture: true, passive: true };

  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  readonly #onEvent = (event: Event): void => {
    // Script-made events are not a person (phantom activity).
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

  /**
   * Listen on `target` (capture, passive) for `events`; replaces earlier ones.
   * When `target` is a document, its same-origin iframes count too, nested
   * ones and later ones included (a rich-text editor in an iframe is the
   * person typing): see `#watch`.
   */
  start(target: EventTarget, events: readonly string[]): void {
    this.stop();
    this.#events = events;
    this.#watch(target);
  }

  stop(): void {
    for (const target of this.#targets) this.#listen(target, false);
    this.#targets.clear();
  }

  #listen(target: EventTarget, on: boolean): void {
    const method = on ? 'addEventListener' : 'removeEventListener';
    for (const type of this.#events) {
      target[method](type, MOVE_EVENTS.includes(type) ? this.#onMove : this.#onEvent, this.#options);
    }
    // `load` does not bubble, but a capture listener on the document hears
    // it: this is how an iframe that loads later (or loads another page) is
    // found, without a MutationObserver doing work on every DOM change.
    if (isDocument(target)) target[method]('load', this.#onLoad, this.#options);
  }

  /**
   * `target` and, for a document, its iframes' documents. A cross-origin (or
   * sandboxed) iframe has no `contentDocument`: its activity stays its own.
   */
  #watch(target: EventTarget | null): void {
    if (!target || this.#targets.has(target)) return;
    this.#targets.add(target);
    this.#listen(target, true);
    if (isDocument(target)) for (const frame of target.querySelectorAll('iframe')) this.#watch(frame.contentDocument);
  }

  readonly #onLoad = (event: Event): void => {
    const frame = event.target as HTMLIFrameElement;
    if (frame.localName !== 'iframe') return;
    // The document the iframe left is gone: let it go (it hears nothing more).
    for (const target of this.#targets) {
      if (isDocument(target) && !target.defaultView) this.#targets.delete(target);
    }
    this.#watch(frame.contentDocument);
  };

  /** Activity no DOM event shows (media playing, a canvas drag): `reportActivity()`. */
  report(): void {
    this.last = this.#now();
  }
}

/** By `nodeType`, not `instanceof`: an iframe's document belongs to another realm. */
function isDocument(target: EventTarget): target is Document {
  return (target as Node).nodeType === Node.DOCUMENT_NODE;
}
