/**
 * Tabs of one session act as one (docs/design.md, tabs). A BroadcastChannel carries facts
 * as absolute wall-clock instants (never "N seconds from now", so a late
 * message cannot stretch a deadline), and the Web Locks API elects the one
 * tab that makes the timed server calls. When the leader closes or crashes
 * the browser releases its lock and the next waiting tab takes over.
 */
import type { ChannelLike, Environment } from './environment.js';
import type { Limits, Phase, SessionFacts } from './session-clock.js';

export type TabMessage =
  | { type: 'activity'; at: number }
  /** `notBefore`: the leader backs off from answers without progress until then. */
  | { type: 'facts'; facts: SessionFacts; limits: Limits | null; notBefore?: number }
  | { type: 'warn'; facts: SessionFacts }
  | { type: 'extend'; facts: SessionFacts; source: string }
  | { type: 'expire' }
  | { type: 'signout' }
  /** Leader, before it decides: tell me your latest activity. */
  | { type: 'poll' }
  /** A new tab: its page load is activity; answer with the current state. */
  | { type: 'hello'; facts: SessionFacts }
  | { type: 'state'; facts: SessionFacts; limits: Limits | null; phase: Phase };

/** Tabs share one wall clock: a past instant from a tab is never later than this ahead of ours. */
const CLOCK_SLACK_MS = 5000;

const isNumber = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/**
 * Another script may share the channel name, or an older version of the
 * element may run in another tab: only well-formed messages of our shapes are
 * heard, and instants that should be past must not lie in the future (they
 * would keep the session "active" forever). Limits are the engine's to judge
 * (only sane ones, and only shorter than its own).
 */
function wellFormed(data: unknown, now: number): data is TabMessage {
  if (!data || typeof data !== 'object') return false;
  const m = data as Record<string, unknown>;
  const past = (v: unknown) => isNumber(v) && v <= now + CLOCK_SLACK_MS;
  const facts = (f: unknown) => {
    if (!f || typeof f !== 'object') return false;
    const x = f as Record<string, unknown>;
    return (
      past(x.localActivityAt) &&
      Number.isFinite(x.localActivityAt) &&
      past(x.serverActivityAt) &&
      past(x.serverSeenAt) &&
      isNumber(x.absoluteEndAt) &&
      x.absoluteEndAt > 0
    );
  };
  switch (m.type) {
    case 'activity':
      return past(m.at) && Number.isFinite(m.at);
    case 'facts':
      return facts(m.facts);
    case 'warn':
    case 'hello':
      return facts(m.facts);
    case 'extend':
      return facts(m.facts) && typeof m.source === 'string';
    case 'state':
      return facts(m.facts) && (m.phase === 'active' || m.phase === 'warning' || m.phase === 'expired');
    case 'expire':
    case 'signout':
    case 'poll':
      return true;
    default:
      return false;
  }
}

export class TabSync {
  /** True while this tab holds the lock (or when no lock is to be had: every tab then leads). */
  leader = false;
  /** The leader waits this long for other tabs' activity before it warns. */
  readonly graceMs = 250;
  /** Another tab of this session has been heard: deciding needs a poll round first. */
  peers = false;
  /** A follower waits this long for the leader's word before deciding alone (leader frozen). */
  readonly fallbackMs = 7000;
  /** Spread of the followers' fallback, so the first to act is heard by the others. */
  readonly fallbackJitterMs = 3000;

  #channel: ChannelLike | null = null;
  #lockAbort: AbortController | null = null;
  #release: (() => void) | null = null;
  #onMessage: ((message: TabMessage) => void) | null = null;
  #onLeader: (() => void) | null = null;

  readonly #env: Environment;

  constructor(
    env: Environment,
    readonly name: string,
  ) {
    this.#env = env;
  }

  readonly #listener = (event: MessageEvent): void => {
    const data: unknown = event.data;
    if (!wellFormed(data, this.#env.now())) return;
    this.peers = true;
    this.#onMessage?.(data);
  };

  start(onMessage: (message: TabMessage) => void, onLeader: () => void): void {
    if (this.#channel) return;
    this.#onMessage = onMessage;
    this.#onLeader = onLeader;
    this.#channel = this.#env.openChannel(this.name);
    this.#channel?.addEventListener('message', this.#listener);
    const locks = this.#env.locks;
    if (!this.#channel || !locks) {
      // No channel or no locks: nobody to coordinate with safely, so this tab
      // makes its own calls (correct, just not de-duplicated).
      this.leader = true;
      return;
    }
    const abort = new AbortController();
    this.#lockAbort = abort;
    locks
      .request(`${this.name}:leader`, { signal: abort.signal }, () => {
        if (abort.signal.aborted) return undefined;
        this.leader = true;
        this.#onLeader?.();
        return new Promise<void>((resolve) => (this.#release = resolve));
      })
      .catch(() => {
        /* aborted on stop: nothing to do */
      });
  }

  stop(): void {
    this.#lockAbort?.abort();
    this.#lockAbort = null;
    this.#release?.();
    this.#release = null;
    this.leader = false;
    this.#channel?.removeEventListener('message', this.#listener);
    this.#channel?.close();
    this.#channel = null;
    this.#onMessage = null;
    this.#onLeader = null;
  }

  post(message: TabMessage): void {
    this.#channel?.postMessage(message);
  }
}

/** Default channel name: the origin and the status URL, so two apps (or two sessions' endpoints) on one origin never mix. */
export function channelName(origin: string, statusUrl: string | null): string {
  return `session-timeout-dialog|${origin}|${statusUrl ?? ''}`;
}
