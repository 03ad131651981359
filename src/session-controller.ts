/**
 * Composes the core (tracker, client, tab sync, engine) for the element, as
 * a Lit ReactiveController: it starts in hostConnected and releases every
 * listener, timer, channel, lock and pending request in hostDisconnected.
 * A move in the DOM (disconnect then connect in one task) keeps the state.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ActivityTracker } from './core/activity-tracker.js';
import { resolveConfig, onceReporter, type Config, type RawConfig } from './core/config.js';
import { browserEnvironment, type Environment, type TimerHandle } from './core/environment.js';
import { SessionClient, keepaliveTarget } from './core/session-client.js';
import { SessionEngine, type EngineHost } from './core/session-engine.js';
import { TabSync, channelName } from './core/tab-sync.js';
import type { DraftKeeper } from './drafts/draft-keeper.js';
import { DRAFT_PREFIX, discardDrafts, draftStorage } from './drafts/draft-storage.js';
import { SessionTimeoutDraftEvent, SessionTimeoutErrorEvent, SessionTimeoutRestoreEvent } from './events.js';

export interface ControllerHost extends ReactiveControllerHost, EventTarget {
  readonly isConnected: boolean;
  /** The attribute values. */
  rawConfig(): RawConfig & { channel?: string | null; noTabSync?: boolean; keepDrafts?: boolean };
  /** The engine's callbacks (events, dialog). */
  readonly engineHost: EngineHost;
  /** A draft was put back into the page's fields: say so. */
  draftRestored(): void;
  /** The back/forward cache brought back a page whose session had ended. */
  pageRestoredAfterEnd(): void;
}

/** A sealing in progress never holds the page longer than this at timeout. */
const SEAL_WAIT_MS = 2000;

/** Page events after which the phase is derived again from the wall clock (docs/design.md, when it talks to the server). */
const WAKE_EVENTS = ['visibilitychange', 'online', 'resume', 'focus'] as const;

/**
 * One element serves a page (one session, one set of timers). A second one
 * says so and waits, inert; when the serving one leaves the DOM (an SPA
 * swapping layouts may connect the new element before the old one goes),
 * the first waiting one takes over.
 */
let serving: SessionController | null = null;
const waiting = new Set<SessionController>();


export class SessionController implements ReactiveController {
  engine: SessionEngine | null = null;
  config: Config | null = null;
  readonly env: Environment;

  #tracker: ActivityTracker;
  #client: SessionClient | null = null;
  #channelKey = '';
  #started = false;
  #tick: TimerHandle | undefined;
  readonly #report = onceReporter();
  readonly #wakeOptions: AddEventListenerOptions = { passive: true };

  readonly #host: ControllerHost;
  /** `keep-drafts`: the drafts code, loaded on demand, and the keeper once it runs. */
  #drafts: Promise<DraftKeeper> | null = null;
  #keeper: DraftKeeper | null = null;

  constructor(
    host: ControllerHost,
    env?: Environment,
  ) {
    this.#host = host;
    this.env = env ?? browserEnvironment();
    this.#tracker = new ActivityTracker(this.env.now);
    host.addController(this);
  }

  readonly #onWake = (event: Event): void => {
    if (event.type === 'visibilitychange' && document.visibilityState !== 'visible') {
      // Hidden (another tab, or the page is leaving): share the last activity now.
      this.engine?.shareActivity();
      return;
    }
    // The window also gets focus when the dialog's showModal() moves focus
    // back from an iframe, inside the element's own update: wake after it.
    if (event.type === 'focus') queueMicrotask(() => this.engine?.wake(false));
    else this.engine?.wake(false);
  };

  readonly #onPageShow = (event: PageTransitionEvent): void => {
    // Restored from the back/forward cache: the page may have slept for hours.
    if (!event.persisted) return;
    // A page that already left after its session ended (the person pressed
    // Back): leave again at once, before anyone reads it.
    if (this.engine?.phase === 'expired') this.#host.pageRestoredAfterEnd();
    else this.engine?.wake(true);
  };

  hostConnected(): void {
    // The serving element may have left the DOM in this same task (an SPA
    // swapping layouts): its deferred stop has not run yet. Stop it now.
    if (serving && serving !== this && !serving.#host.isConnected) serving.stop();
    if (serving && serving !== this) {
      if (!waiting.has(this)) {
        waiting.add(this);
        console.error('session-timeout-dialog: another one already serves this page; this one waits until it is removed.');
      }
      return;
    }
    serving = this;
    waiting.delete(this);
    // A newcomer (promoted, or swapped in by an SPA) starts afresh: the app
    // removing the serving element is a route change, which is the person at
    // work (route changes must count as activity).
    const firstStart = !this.engine;
    this.configure();
    const engine = this.engine!;
    this.#tracker.start(document, this.config!.activityEvents);
    for (const type of WAKE_EVENTS) {
      (type === 'visibilitychange' ? document : window).addEventListener(type, this.#onWake, this.#wakeOptions);
    }
    window.addEventListener('pageshow', this.#onPageShow, this.#wakeOptions);
    if (!this.#started) {
      this.#started = true;
      engine.start(this.#engineConfig(), this.env.pageLoadedAt(), firstStart);
    }
    this.#syncDrafts();
  }

  /** Start the drafts keeper when `keep-drafts` is set (loading its code), stop it when not. */
  #syncDrafts(): void {
    const wanted = this.#started && Boolean(this.#host.rawConfig().keepDrafts);
    if (wanted && !this.#drafts) {
      const channelKey = this.#channelKey;
      const drafts = import('./drafts/draft-keeper.js').then((m) => {
        const host = this.#host;
        const keeper = new m.DraftKeeper(
          {
            draft: (data) => host.dispatchEvent(new SessionTimeoutDraftEvent(data)),
            restore: (content) => host.dispatchEvent(new SessionTimeoutRestoreEvent(content)),
            error: (message) => host.dispatchEvent(new SessionTimeoutErrorEvent({ operation: 'draft', message })),
            check: () => void this.engine?.check(),
            announce: () => host.draftRestored(),
          },
          {
            storage: draftStorage(),
            storageKey: DRAFT_PREFIX + location.pathname,
            path: location.pathname,
            channel: channelKey ? this.env.openChannel(`${channelKey}:drafts`) : null,
          },
        );
        // Stopped (or keep-drafts removed) while the code was loading.
        if (this.#drafts !== drafts) keeper.close();
        else this.#keeper = keeper;
        return keeper;
      });
      this.#drafts = drafts;
    } else if (!wanted && this.#drafts) {
      void this.#drafts.then((keeper) => keeper.close());
      this.#drafts = null;
      this.#keeper = null;
    }
  }

  /**
   * The session timed out: seal this page's draft (`keep-drafts`). The
   * `session-timeout-draft` event and the reading of the fields happen now;
   * the returned promise resolves once the draft is stored (or after
   * SEAL_WAIT_MS at most), and null means there is nothing to wait for.
   */
  sealDraft(): Promise<void> | null {
    const drafts = this.#drafts;
    if (!drafts) return null;
    const sealing = this.#keeper ? this.#keeper.seal() : drafts.then((keeper) => keeper.seal());
    return new Promise<void>((resolve) => {
      const timer = this.env.setTimeout(resolve, SEAL_WAIT_MS);
      void sealing.then(() => {
        this.env.clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The page leaves after a timeout: a sealed page's fields and key go (see DraftKeeper.leave). */
  leavingAfterTimeout(): void {
    this.#keeper?.leave();
  }

  /** A deliberate sign-out (here or in another tab): this tab's drafts go. */
  discardDrafts(): void {
    discardDrafts();
    this.#keeper?.forget();
  }

  hostDisconnected(): void {
    // A move in the DOM reconnects in the same task: stop only if it stays out.
    queueMicrotask(() => {
      if (this.#host.isConnected) return;
      waiting.delete(this);
      this.stop();
    });
  }

  /** Attributes changed (or first start): validate and plan again. */
  configure(): void {
    const raw = this.#host.rawConfig();
    const config = resolveConfig(raw, location, this.#report);
    this.config = config;
    const clientOptions = {
      protocol: config.protocol,
      statusUrl: config.statusUrl,
      keepaliveUrl: config.keepaliveUrl,
      keepaliveMethod: config.keepaliveMethod,
      csrfCookie: config.csrfCookie,
      csrfHeader: config.csrfHeader,
    };
    const key = raw.noTabSync ? '' : raw.channel || channelName(location.origin, config.statusUrl);
    if (!this.engine || key !== this.#channelKey) {
      // The channel is part of the engine's identity: a new one starts a new
      // engine, with the facts known so far, and keeps serving the page.
      const wasStarted = this.#started;
      if (this.engine) this.stop(false);
      this.#channelKey = key;
      this.#client = this.#observed(new SessionClient(this.env.fetch, this.env, clientOptions));
      const tabs = key ? new TabSync(this.env, key) : null;
      const facts = this.engine?.facts;
      this.engine = new SessionEngine(this.env, this.#client, this.#tracker, this.#host.engineHost, tabs);
      if (facts) this.engine.facts = facts;
      if (this.#host.isConnected && wasStarted) this.hostConnected();
      return;
    }
    this.#client!.options = clientOptions;
    if (!this.#started) return; // inert, or not connected yet
    this.#tracker.start(document, config.activityEvents);
    this.engine.configure(this.#engineConfig());
    this.#syncDrafts();
  }

  /** The client, with every successful answer's `draftKey` passed on to the drafts keeper. */
  #observed(client: SessionClient): SessionClient {
    for (const op of ['status', 'keepalive'] as const) {
      const call = client[op].bind(client);
      client[op] = (idleFor, signal) =>
        call(idleFor, signal).then((result) => {
          if (result.kind === 'ok') void this.#drafts?.then((keeper) => keeper.answered(result.draftKey));
          return result;
        });
    }
    return client;
  }

  #engineConfig() {
    const c = this.config!;
    return {
      limits: { idle: c.idleSeconds * 1000, timeout: c.timeoutSeconds * 1000 },
      limitsGiven: c.limitsGiven,
      hasStatus: c.statusUrl !== null,
      hasKeepalive: keepaliveTarget(c) !== null,
    };
  }

  /** Run `update` once per whole second of the countdown, while `running()` says so. */
  startTicking(update: () => void, running: () => boolean): void {
    this.env.clearTimeout(this.#tick);
    if (!running() || !this.engine) return;
    // Just past the instant the time left crosses a whole second: the texts
    // round down, so at that very instant they would still show the second
    // that is ending, for a whole second more than is left.
    const msToNextSecond = (this.engine.deadlines.expireAt - this.env.now()) % 1000;
    this.#tick = this.env.setTimeout(() => {
      update();
      this.startTicking(update, running);
    }, Math.max(0, msToNextSecond) + 1);
  }

  stopTicking(): void {
    this.env.clearTimeout(this.#tick);
    this.#tick = undefined;
  }

  /** Release everything; `handOver` lets a waiting element serve the page. */
  stop(handOver = true): void {
    this.#started = false;
    this.stopTicking();
    this.#tracker.stop();
    for (const type of WAKE_EVENTS) {
      (type === 'visibilitychange' ? document : window).removeEventListener(type, this.#onWake, this.#wakeOptions);
    }
    window.removeEventListener('pageshow', this.#onPageShow, this.#wakeOptions);
    this.engine?.stop();
    this.#syncDrafts();
    if (serving === this && handOver) {
      serving = null;
      const next = waiting.values().next().value;
      if (next) {
        waiting.delete(next);
        next.hostConnected();
      }
    }
  }
}
