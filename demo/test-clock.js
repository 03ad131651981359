/**
 * A wall clock that tests can move: the real time plus an offset, or stopped
 * at an instant so that a busy machine cannot shift whole-second answers.
 * Only servers with their test hooks on expose it (POST /__test/clock); the
 * demo and the Django look-alikes share it.
 */

export const CLOCK_USAGE = 'expected {"advance": seconds}, {"reset": true}, {"freeze": boolean} or {"set": ms}';

/** @param {{ frozen?: boolean }} [options] */
export function createTestClock({ frozen = false } = {}) {
  let offsetMs = 0;
  /** @type {number | null} */
  let frozenAt = frozen ? Date.now() : null;
  const now = () => (frozenAt ?? Date.now()) + offsetMs;
  const finite = (v) => typeof v === 'number' && Number.isFinite(v);
  return {
    now,
    get offsetMs() {
      return offsetMs;
    },
    state: () => ({ now: now(), offset: offsetMs, frozen: frozenAt !== null }),
    /** @param {number} seconds */
    advance(seconds) {
      offsetMs += seconds * 1000;
      return now();
    },
    /**
     * Apply the body of a POST /__test/clock; false when it has none of the
     * known shapes.
     * @param {Record<string, unknown>} body
     */
    apply(body) {
      if (body.reset === true) {
        offsetMs = 0;
        frozenAt = null;
      } else if (finite(body.advance)) {
        offsetMs += /** @type {number} */ (body.advance) * 1000;
      } else if (finite(body.set)) {
        // Stop the clock at an absolute instant (ms), e.g. the same one in two processes.
        frozenAt = /** @type {number} */ (body.set);
        offsetMs = 0;
      } else if (typeof body.freeze === 'boolean') {
        if (body.freeze && frozenAt === null) frozenAt = Date.now();
        if (!body.freeze && frozenAt !== null) {
          offsetMs = now() - Date.now();
          frozenAt = null;
        }
      } else {
        return false;
      }
      return true;
    },
  };
}
