/**
 * Composes the core (tracker, client, tab sync, engine) for the element, as
 * a Lit ReactiveController: it starts in hostConnected and releases every
 * listener, timer, channel, lock and pending request in hostDisconnected.
 * A move in the DOM (disconnect then connect in one task) keeps the state.
 *
 * The element pushes its configuration in (`configure`) and reads the
 * session through a small facade (`phase`, `remaining`, `limits`, …). The
 * controller turns the engine's decisions into the element's events and the
 * page's navigation; the element shows them.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ActivityTracker } from './core/activity-tracker.js';
import { DEFAULT_IDLE_SECONDS, DEFAULT_TIMEOUT_SECONDS, resolveConfig, onceReporter, type Config, type RawConfig } from './core/config.js';
import { browserEnvironment, type Environment, type TimerHandle } from './core/environment.js';
import { SessionClient, keepaliveTarget } from './core/session-client.js';
import type { Phase } from './core/session-clock.js';
import { SessionEngine, type EngineHost } from './core/session-engine.js';
import { TabSync } from './core/tab-sync.js';
import type { DraftKeeper } from './drafts/draft-keeper.js';
import { DRAFT_PREFIX, discardDrafts, draftStorage } from './drafts/draft-storage.js';
import {
  SessionTimeoutDraftEvent,
  SessionTimeoutErrorEvent,
  SessionTimeoutExpireEvent,
  SessionTimeoutExtendEvent,
  SessionTimeoutRestoreEvent,
  SessionTimeoutSignoutEvent,
  SessionTimeoutWarnEvent,
} from './events.js';

export interface ControllerHost extends ReactiveControllerHost, EventTarget {
  readonly isConnected: boolean;
  /** False until the host rendered once, with its configuration pushed in. */
  readonly hasUpdated: boolean;
}

/** The limits the session runs on, in seconds (the element's `limits`). */
export interface SessionLimits {
  readonly idleSeconds: number;
  readonly timeoutSeconds: number;
}

/**
 * What the element is told: the session changed (render it), and, with
 * `say`, words to announce politely: a draft was put back, or the session
 * ended and the page stays.
 */
export type OnChange = (say?: 'restored' | 'signedOut') => void;

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
  /** Time, timers, fetch and navigation; replaced (tests) before the host connects. */
  env: Environment = browserEnvironment();
  /** The warning the engine announced was not taken over by the app: the built-in dialog shows it. */
  dialogWanted = false;

  #engine: SessionEngine | null = null;
  #config: Config | null = null;
  #client: SessionClient | null = null;
  #channelKey = '';
  #started = false;
  /** The next start is this controller's first: the page load (or now) is the person's activity. */
  #fresh = true;
  #tick: TimerHandle | undefined;
  /** Where the page went when it left (null: reloaded); undefined while it has not. */
  #leftFor: string | null | undefined = undefined;
  readonly #tracker = new ActivityTracker(() => this.env.now());
  readonly #report = onceReporter();
  readonly #wakeOptions: AddEventListenerOptions = { passive: true };

  readonly #host: ControllerHost;
  readonly #onChange: OnChange;
  /** `keep-drafts`: the drafts code, loaded on demand, and the keeper once it runs. */
  #drafts: Promise<DraftKeeper> | null = null;
  #keeper: DraftKeeper | null = null;

  constructor(host: ControllerHost, onChange: OnChange) {
    this.#host = host;
    this.#onChange = onChange;
    host.addController(this);
  }

  // ---- the facade the element reads

  get phase(): Phase {
    return this.#engine?.phase ?? 'active';
  }

  /**
   * Seconds left with their fraction; the element's texts and
   * `remainingSeconds` round it down. Rounding up first would let the dialog
   * state up to a second (and, in spoken steps, up to a whole step) more
   * than is left.
   */
  get remaining(): number {
    const engine = this.#engine;
    if (!engine) return this.limits.timeoutSeconds;
    return engine.phase === 'expired' ? 0 : Math.max(0, (engine.deadlines.expireAt - this.env.now()) / 1000);
  }

  /** The limits planned with: the server's once it answered, else the attributes', else the defaults. */
  get limits(): SessionLimits {
    const ms = this.#engine?.limits;
    const c = this.#config;
    return ms
      ? { idleSeconds: ms.idle / 1000, timeoutSeconds: ms.timeout / 1000 }
      : { idleSeconds: c?.idleSeconds ?? DEFAULT_IDLE_SECONDS, timeoutSeconds: c?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS };
  }

  /** The session has an absolute end that no keepalive can move, and it comes first. */
  get absolute(): boolean {
    return Boolean(this.#engine?.deadlines.absolute);
  }

  /** The message of the last failed "stay signed in", shown in the dialog. */
  get extendError(): string | null {
    return this.#engine?.extendError ?? null;
  }

  get signoutUrl(): string | null {
    return this.#config?.signoutUrl ?? null;
  }

  extend(): Promise<boolean> {
    return this.#engine?.extend('user') ?? Promise.resolve(false);
  }

  check(): Promise<void> {
    return this.#engine?.check() ?? Promise.resolve();
  }

  reportActivity(): void {
    this.#engine?.reportActivity();
  }

  /** The person signed out here: leave for `signout-url` unless an app cancels (nothing before the element was configured). */
  signOut(): void {
    if (!this.#config || !this.#emit(new SessionTimeoutSignoutEvent())) return;
    this.#discardDrafts();
    this.#engine?.signedOut();
    this.#leave(this.#signoutTarget);
  }

  // ---- configuration and lifecycle

  /**
   * The element's configuration, pushed in at its first update and at every
   * change of a configuring property. With `run` false (a read of `limits`
   * before the element first rendered) it is only validated and kept.
   */
  configure(raw: RawConfig, run = true): void {
    this.#config = resolveConfig(raw, location, this.#report);
    if (run) this.#run();
  }

  hostConnected(): void {
    // The first start comes with the first update's configuration; this is
    // a reconnect after a real stop, or a waiting element taking over.
    if (this.#host.hasUpdated) this.#run();
  }

  hostDisconnected(): void {
    // A move in the DOM reconnects in the same task: stop only if it stays out.
    queueMicrotask(() => {
      if (this.#host.isConnected) return;
      waiting.delete(this);
      this.stop();
    });
  }

  /** Serve the page with the configuration: start, or plan again with new values. */
  #run(): void {
    const config = this.#config;
    if (!config || !this.#host.isConnected) return;
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
    const key = config.noTabSync ? '' : config.channel;
    if (!this.#engine || key !== this.#channelKey) {
      // The channel is part of the engine's identity: a new one starts a new
      // engine, with the facts known so far, and keeps serving the page.
      if (this.#started) this.stop(false);
      const facts = this.#engine?.facts;
      this.#channelKey = key;
      this.#client = this.#observed(new SessionClient(this.env.fetch, this.env, config));
      this.#engine = new SessionEngine(this.env, this.#client, this.#tracker, this.#engineHost, key ? new TabSync(this.env, key) : null);
      if (facts) this.#engine.facts = facts;
    }
    this.#client!.options = config;
    this.#tracker.start(document, config.activityEvents);
    this.#listen('addEventListener');
    const engineConfig = {
      limits: { idle: config.idleSeconds * 1000, timeout: config.timeoutSeconds * 1000 },
      limitsGiven: config.limitsGiven,
      hasStatus: config.statusUrl !== null,
      hasKeepalive: keepaliveTarget(config) !== null,
    };
    if (this.#started) {
      this.#engine.configure(engineConfig);
    } else {
      // A newcomer (promoted, or swapped in by an SPA) starts afresh: the app
      // removing the serving element is a route change, which is the person at
      // work (route changes must count as activity).
      this.#started = true;
      this.#engine.start(engineConfig, this.env.pageLoadedAt(), this.#fresh);
      this.#fresh = false;
    }
    this.#syncDrafts();
  }

  /** Release everything; `handOver` lets a waiting element serve the page. */
  stop(handOver = true): void {
    this.#started = false;
    this.stopTicking();
    this.#tracker.stop();
    this.#listen('removeEventListener');
    this.#engine?.stop();
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

  /** Add or remove the page listeners, with the same options object both ways. */
  #listen(method: 'addEventListener' | 'removeEventListener'): void {
    for (const type of WAKE_EVENTS) (type === 'visibilitychange' ? document : window)[method](type, this.#onWake, this.#wakeOptions);
    window[method]('pageshow', this.#onPageShow as EventListener, this.#wakeOptions);
  }

  readonly #onWake = (event: Event): void => {
    if (event.type === 'visibilitychange' && document.visibilityState !== 'visible') {
      // Hidden (another tab, or the page is leaving): share the last activity now.
      this.#engine?.shareActivity();
      return;
    }
    // The window also gets focus when the dialog's showModal() moves focus
    // back from an iframe, inside the element's own update: wake after it.
    if (event.type === 'focus') queueMicrotask(() => this.#engine?.wake(false));
    else this.#engine?.wake(false);
  };

  readonly #onPageShow = (event: PageTransitionEvent): void => {
    // Restored from the back/forward cache: the page may have slept for hours.
    if (!event.persisted) return;
    // A page that already left after its session ended (the person pressed
    // Back): leave again at once, before anyone reads it.
    if (this.#engine?.phase === 'expired') {
      if (this.#leftFor !== undefined) this.#leave(this.#leftFor);
    } else this.#engine?.wake(true);
  };

  // ---- the engine's decisions, as events and navigation

  readonly #engineHost: EngineHost = {
    warn: () => {
      // The element's own figure, rounded down like everything it states.
      this.dialogWanted = this.#emit(new SessionTimeoutWarnEvent(Math.floor(this.remaining)));
      this.#onChange();
    },
    extended: (source) => {
      this.#onChange();
      this.#emit(new SessionTimeoutExtendEvent(source));
    },
    expired: () => {
      this.#onChange();
      // The draft is taken before the app hears of the expiry (an SPA may
      // tear its forms down at once); the page leaves once it is sealed.
      const sealing = this.#sealDraft();
      if (this.#emit(new SessionTimeoutExpireEvent())) {
        const leave = (): void => {
          // A sealed page's fields and key go (see DraftKeeper.leave).
          this.#keeper?.leave();
          this.#leave(this.#config?.timeoutUrl ?? null);
        };
        if (sealing) void sealing.then(leave);
        else leave();
      } else {
        // The page stays (an SPA routes itself): say it, since nothing else
        // will. A moment later: while the modal dialog is open the page is
        // inert, and a live region is heard only if it was in the
        // accessibility tree before its text changed.
        this.env.setTimeout(() => this.#onChange('signedOut'), 500);
      }
    },
    signedOutElsewhere: () => {
      this.#onChange();
      // Signed out in another tab: deliberate, so this tab's drafts go too.
      this.#discardDrafts();
      if (this.#emit(new SessionTimeoutSignoutEvent())) this.#leave(this.#signoutTarget);
    },
    error: (detail) => this.#emit(new SessionTimeoutErrorEvent(detail)),
    changed: () => this.#onChange(),
  };

  #emit(event: Event): boolean {
    return this.#host.dispatchEvent(event);
  }

  get #signoutTarget(): string | null {
    return this.#config?.signoutUrl ?? this.#config?.timeoutUrl ?? null;
  }

  #leave(url: string | null): void {
    this.#leftFor = url;
    // Only http(s) URLs get here (config.ts refuses the rest).
    if (url) this.env.navigate(url);
    else this.env.reload();
  }

  // ---- the countdown's ticks

  /** Run `update` once per whole second of the countdown, for as long as it returns true. */
  startTicking(update: () => boolean): void {
    this.env.clearTimeout(this.#tick);
    const engine = this.#engine;
    if (!engine) return;
    // Just past the instant the time left crosses a whole second: the texts
    // round down, so at that very instant they would still show the second
    // that is ending, for a whole second more than is left.
    const msToNextSecond = (engine.deadlines.expireAt - this.env.now()) % 1000;
    this.#tick = this.env.setTimeout(() => update() && this.startTicking(update), Math.max(0, msToNextSecond) + 1);
  }

  stopTicking(): void {
    this.env.clearTimeout(this.#tick);
    this.#tick = undefined;
  }

  // ---- keep-drafts

  /** Start the drafts keeper when `keep-drafts` is set (loading its code), stop it when not. */
  #syncDrafts(): void {
    const wanted = this.#started && Boolean(this.#config?.keepDrafts);
    if (wanted && !this.#drafts) {
      const channelKey = this.#channelKey;
      const host = this.#host;
      const drafts = import('./drafts/draft-keeper.js').then((m) => {
        const keeper = new m.DraftKeeper(
          {
            draft: (data) => host.dispatchEvent(new SessionTimeoutDraftEvent(data)),
            restore: (content) => host.dispatchEvent(new SessionTimeoutRestoreEvent(content)),
            error: (message) => host.dispatchEvent(new SessionTimeoutErrorEvent({ operation: 'draft', message })),
            check: () => void this.#engine?.check(),
            announce: () => this.#onChange('restored'),
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
  #sealDraft(): Promise<void> | null {
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

  /** A deliberate sign-out (here or in another tab): this tab's drafts go. */
  #discardDrafts(): void {
    discardDrafts();
    this.#keeper?.forget();
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
}
