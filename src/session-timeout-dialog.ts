import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { countdownText, formatDuration, splitTemplate } from './core/countdown-text.js';
import { DEFAULT_TIMEOUT_SECONDS, type RawConfig } from './core/config.js';
import type { Environment } from './core/environment.js';
import type { EngineHost, ExtendSource } from './core/session-engine.js';
import {
  SessionTimeoutErrorEvent,
  SessionTimeoutExpireEvent,
  SessionTimeoutExtendEvent,
  SessionTimeoutSignoutEvent,
  SessionTimeoutWarnEvent,
} from './events.js';
import { en, messagesFor, resolveLanguage, type Messages } from './i18n/index.js';
import { SessionController } from './session-controller.js';
import { styles } from './session-timeout-dialog.styles.js';

/**
 * Warns before a server session times out, keeps it alive while the person
 * really works, and leaves the page when time runs out — as one across tabs.
 *
 * The default colours are system colours: they follow the page's
 * `color-scheme` (light or dark) and forced colours (Windows high contrast).
 *
 * @summary An accessible session timeout warning for server-rendered pages and SPAs.
 *
 * @tagname session-timeout-dialog
 *
 * @slot heading - Replaces the built-in heading.
 * @slot message - Replaces the built-in message (the countdown then shows below it).
 * @slot stay-label - Replaces the "Stay signed in" label.
 * @slot signout-label - Replaces the "Sign out" label.
 *
 * @event session-timeout-warn - Before the warning opens; cancelable (the app shows its own UI). detail: `{ remainingSeconds }`.
 * @event session-timeout-extend - After the session was extended. detail: `{ source: 'user' | 'activity' | 'tab' | 'server' }`.
 * @event session-timeout-expire - Before leaving for `timeout-url`; cancelable (an SPA routes itself).
 * @event session-timeout-signout - Before leaving for `signout-url`; cancelable.
 * @event session-timeout-error - A server call failed, or a draft could not be kept or opened. detail: `{ operation: 'status' | 'keepalive' | 'draft', status?, message }`.
 * @event session-timeout-draft - Before a draft is sealed at timeout (`keep-drafts`); cancelable (nothing is kept). Add the app's own state to `detail.data`.
 * @event session-timeout-restore - A draft was opened after the same person signed in again, before its fields are filled; cancelable (the app restores it itself). detail: `{ fields, data }`.
 *
 * @csspart dialog - The native `<dialog>`.
 * @csspart heading - The heading.
 * @csspart message - The message paragraph.
 * @csspart countdown - The visible time left, every second (hidden from screen readers: a live region speaks it on a calmer cadence).
 * @csspart error - The error shown when "Stay signed in" failed.
 * @csspart actions - The row of buttons.
 * @csspart stay-button - "Stay signed in".
 * @csspart signout-button - "Sign out".
 * @csspart notice - The SC 2.2.6 notice of the inactivity limit, in the page (with the `notice` attribute).
 *
 * @attr {string} lang - Language of the built-in texts. Default: the nearest `[lang]`, else the browser's
 *
 * @cssproperty [--session-timeout-font=inherit] - Font of the dialog (the page's by default).
 * @cssproperty [--session-timeout-color=CanvasText] - Text colour.
 * @cssproperty [--session-timeout-background=Canvas] - Dialog background.
 * @cssproperty [--session-timeout-accent=#1d70b8] - Primary button background, button borders.
 * @cssproperty [--session-timeout-accent-text=#fff] - Primary button text.
 * @cssproperty [--session-timeout-focus=var(--session-timeout-color)] - Focus ring of the buttons.
 * @cssproperty [--session-timeout-error=#d4351c] - Bar beside the error message.
 * @cssproperty [--session-timeout-radius=0.5rem] - Corner radius of the dialog and buttons.
 * @cssproperty [--session-timeout-padding=min(1.5rem, 5vw)] - Padding inside the dialog (less on narrow screens).
 * @cssproperty [--session-timeout-gap=1rem] - Space between the dialog's parts.
 * @cssproperty [--session-timeout-width=32rem] - Largest width of the dialog.
 * @cssproperty [--session-timeout-backdrop=rgb(0 0 0 / 0.6)] - The backdrop behind the dialog.
 */
export class SessionTimeoutDialog extends LitElement {
  static override styles = styles;

  // Reactive properties declared here rather than with decorators: no
  // decorator helper in the package and no lit/decorators in the CDN file.
  // Each one's JSDoc (the contract, read by the manifest) is on its field below.
  static override properties = {
    statusUrl: { attribute: 'status-url' },
    keepaliveUrl: { attribute: 'keepalive-url' },
    keepaliveMethod: { attribute: 'keepalive-method' },
    signoutUrl: { attribute: 'signout-url' },
    timeoutUrl: { attribute: 'timeout-url' },
    idleSeconds: { attribute: 'idle-seconds', type: Number },
    timeoutSeconds: { attribute: 'timeout-seconds', type: Number },
    protocol: { attribute: 'protocol' },
    csrfCookie: { attribute: 'csrf-cookie' },
    csrfHeader: { attribute: 'csrf-header' },
    activityEvents: { attribute: 'activity-events' },
    channel: { attribute: 'channel' },
    noTabSync: { attribute: 'no-tab-sync', type: Boolean },
    notice: { attribute: 'notice', type: Boolean },
    keepDrafts: { attribute: 'keep-drafts', type: Boolean },
    state: { attribute: 'state', reflect: true },
  };

  /** `lang` is a native attribute, not a Lit property: watch it so the texts follow it. */
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang') this.requestUpdate();
  }

  /** GET endpoint that reports the session without counting as activity. Absent: client-only mode. */
  statusUrl: string | null = null;
  /** Endpoint that marks the session active. */
  keepaliveUrl: string | null = null;
  /** `POST` or `GET`. */
  keepaliveMethod: 'POST' | 'GET' = 'POST';
  /** Where "Sign out" goes. No URL: no sign-out button. */
  signoutUrl: string | null = null;
  /** Where the page goes when time runs out. Default: `signout-url`, else a reload */
  timeoutUrl: string | null = null;
  /** Seconds of inactivity after which the warning shows (limits the server reports win). Default: 780. */
  idleSeconds: number | null = null;
  /** Seconds of inactivity after which the session is over (total, not extra: the countdown lasts `timeout-seconds − idle-seconds`). Default: 900. */
  timeoutSeconds: number | null = null;
  /** Wire protocol: `session-timeout` or `django-session-security`. */
  protocol: 'session-timeout' | 'django-session-security' = 'session-timeout';
  /** Cookie whose value is sent as the CSRF header on non-GET calls. */
  csrfCookie = 'csrftoken';
  /** Header name for the CSRF token. */
  csrfHeader = 'X-CSRFToken';
  /** Space-separated DOM events that count as activity. Default: `keydown pointerdown pointermove wheel touchstart scroll` */
  activityEvents: string | null = null;
  /** Name of the cross-tab channel. Default: derived from the origin and `status-url` */
  channel: string | null = null;
  /** This tab neither sends nor hears other tabs. */
  noTabSync = false;
  /** Show, where the element stands, how long inactivity may last before sign-out (WCAG 2.2 SC 2.2.6). */
  notice = false;
  /**
   * What the person typed survives a timeout: sealed with their own key (from
   * the server's `draftKey`) in this tab, and put back once after the same
   * person signs in again. Passwords and other secrets are never kept.
   */
  keepDrafts = false;

  /**
   * The phase: `active`, `warning` or `expired` (reflected as the `state`
   * attribute). The element sets it: a value written from outside does not
   * change the phase, and is replaced at the next change.
   */
  state: 'active' | 'warning' | 'expired' = 'active';

  /**
   * Time, timers, fetch and navigation. Set it before the element connects
   * to run it against a fake clock or fetch (tests, storybooks).
   * @internal
   */
  environment: Environment | undefined;

  // Internal state, rendered: each change requests an update.
  #hasMessageSlot = false;
  #busy = false;
  #finalWords = '';
  // Rendered once and never replaced: these exist after the first update.
  get #dialog(): HTMLDialogElement {
    return this.renderRoot?.querySelector('dialog') as HTMLDialogElement;
  }
  get #spoken(): HTMLElement {
    return this.renderRoot?.querySelector('#spoken') as HTMLElement;
  }

  #controller: SessionController | null = null;
  #returnFocus: HTMLElement | null = null;
  #dialogWanted = false;
  /** Countdown ticks since the dialog opened. */
  #ticks = 0;

  /** Whole seconds until the session ends, from the current best estimate (rounded down: never more than is left). */
  get remainingSeconds(): number {
    return Math.floor(this.#exactRemaining);
  }

  /** Seconds of inactivity until sign-out: the engine's (the server's word wins), else as set, else the default. */
  get #limit(): number {
    const engine = this.#controller?.engine;
    return engine ? engine.limits.timeout / 1000 : (this.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  }

  /** Keepalive now; resolves true when the server confirmed. */
  extend(): Promise<boolean> {
    return this.#controller?.engine?.extend('user') ?? Promise.resolve(false);
  }

  /** As if the person pressed "Sign out". */
  signOut(): void {
    if (!this.dispatchEvent(new SessionTimeoutSignoutEvent())) return;
    this.#controller?.discardDrafts();
    this.#controller?.engine?.signedOut();
    this.#leave(this.#controller?.config?.signoutUrl ?? this.#controller?.config?.timeoutUrl ?? null);
  }

  /** Ask the server for the status now. */
  check(): Promise<void> {
    return this.#controller?.engine?.check() ?? Promise.resolve();
  }

  /** Count activity that no DOM event shows (media playing, a drag in a canvas). */
  reportActivity(): void {
    this.#controller?.engine?.reportActivity();
  }

  /**
   * @internal The configuration as set: every reactive property but those
   * of the element's own display (`notice`, `state`), read by the name it is
   * declared under in `static properties` (so the list is written once).
   */
  rawConfig(): RawConfig & { channel?: string | null; noTabSync?: boolean } {
    const raw: Record<string, unknown> = {};
    for (const key of Object.keys(SessionTimeoutDialog.properties)) {
      if (isConfig(key)) raw[key] = this[key as keyof this];
    }
    return raw;
  }

  /** @internal The engine's callbacks. */
  readonly engineHost: EngineHost = {
    warn: () => {
      // The element's own figure, rounded down like everything it states.
      this.#dialogWanted = this.dispatchEvent(new SessionTimeoutWarnEvent(this.remainingSeconds));
      this.#sync();
    },
    extended: (source: ExtendSource) => {
      this.#dialogWanted = false;
      this.#sync();
      this.dispatchEvent(new SessionTimeoutExtendEvent(source));
    },
    expired: () => {
      this.#dialogWanted = false;
      this.#sync();
      // The draft is taken before the app hears of the expiry (an SPA may
      // tear its forms down at once); the page leaves once it is sealed.
      const sealing = this.#controller?.sealDraft();
      if (this.dispatchEvent(new SessionTimeoutExpireEvent())) {
        const url = this.#controller?.config?.timeoutUrl ?? null;
        const leave = (): void => {
          this.#controller?.leavingAfterTimeout();
          this.#leave(url);
        };
        if (sealing) void sealing.then(leave);
        else leave();
      } else {
        // The page stays (an SPA routes itself): say it, since nothing else
        // will. A moment later: while the modal dialog is open the page is
        // inert, and a live region is heard only if it was in the
        // accessibility tree before its text changed.
        this.#controller?.env.setTimeout(() => {
          this.#finalWords = this.#texts.signedOut;
          this.requestUpdate();
        }, 500);
      }
    },
    signedOutElsewhere: () => {
      this.#dialogWanted = false;
      this.#sync();
      // Signed out in another tab: deliberate, so this tab's drafts go too.
      this.#controller?.discardDrafts();
      if (this.dispatchEvent(new SessionTimeoutSignoutEvent())) {
        this.#leave(this.#controller?.config?.signoutUrl ?? this.#controller?.config?.timeoutUrl ?? null);
      }
    },
    error: (detail) => this.dispatchEvent(new SessionTimeoutErrorEvent(detail)),
    changed: () => this.#sync(),
  };

  /** @internal A draft was put back: said politely, in the page's language. */
  draftRestored(): void {
    this.#finalWords = this.#texts.restored;
    this.requestUpdate();
  }

  override connectedCallback(): void {
    this.#controller ??= new SessionController(this, this.environment);
    super.connectedCallback();
  }

  protected override willUpdate(changed: PropertyValues): void {
    const lang = this.#wantedLang();
    if (lang !== this.#shown?.[0]) {
      const texts = messagesFor(lang);
      if (texts instanceof Promise) {
        const loading: Promise<unknown> = (this.#loading = texts.then(() => {
          if (this.#loading === loading) this.#loading = null;
          this.requestUpdate();
        }));
      } else {
        // English texts (a language that could not be loaded) are English to screen readers and Intl too.
        this.#shown = [texts === en ? 'en' : lang, texts];
        this.#loading = null;
      }
    }
    if (this.hasUpdated && [...changed.keys()].some((key) => isConfig(key as string))) {
      this.#controller?.configure();
    }
  }

  /**
   * The first language with texts among: the element's own `lang`, its
   * ancestors' (across shadow roots, up to the document's), the browser's.
   */
  #wantedLang(): string {
    const tags: (string | null | undefined)[] = [];
    for (let n: (Node & { host?: Node }) | null | undefined = this; n; n = n.parentNode ?? n.host) {
      tags.push((n as Element).getAttribute?.('lang'));
    }
    return resolveLanguage([...tags, ...navigator.languages]);
  }

  /**
   * Seconds left with their fraction; the texts and `remainingSeconds`
   * round it down. Rounding up first would let the dialog state up to a
   * second (and, in spoken steps, up to a whole step) more than is left.
   */
  get #exactRemaining(): number {
    const engine = this.#controller?.engine;
    if (!engine) return this.#limit;
    if (engine.phase === 'expired') return 0;
    return Math.max(0, (engine.deadlines.expireAt - this.#controller!.env.now()) / 1000);
  }

  /**
   * The language shown and its texts: null until the first one is here.
   * Other languages than English load on demand: from the first update after
   * the element connects (and again when its language changes), long before
   * a warning. Until the new texts arrive the previous ones stay, so nothing
   * flashes in English first.
   */
  #shown: [lang: string, texts: Messages] | null = null;
  /** The language being loaded, until it is shown. */
  #loading: Promise<unknown> | null = null;

  get #texts(): Messages {
    return this.#shown?.[1] ?? en;
  }

  /** Also waits for the texts of the element's language, so that `await el.updateComplete` sees them. */
  protected override async getUpdateComplete(): Promise<boolean> {
    let done = await super.getUpdateComplete();
    while (this.#loading) {
      await this.#loading;
      done = await super.getUpdateComplete();
    }
    return done;
  }

  /** Mirror the engine's phase into the element: state attribute, dialog, ticking. */
  #sync(): void {
    const engine = this.#controller?.engine;
    if (!engine) return;
    this.state = engine.phase;
    this.requestUpdate();
  }

  protected override render(): TemplateResult {
    const [lang, t] = this.#shown ?? ['en', en];
    const engine = this.#controller?.engine;
    const { visible, spoken } = countdownText(this.#exactRemaining, lang);
    const absolute = engine?.deadlines.absolute;
    const template = absolute ? t.ending : t.message;
    const [before, after] = splitTemplate(template);
    const slotted = this.#hasMessageSlot;
    const countdown = html`<span part="countdown" aria-hidden="true">${visible}</span>`;
    const signout = this.#controller?.config?.signoutUrl;
    // The notice says when the person is signed out: the timeout, not the warning.
    const limit = this.#limit;
    // WAI-ARIA APG, modal dialog pattern
    // (https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/): initial focus
    // goes to the element that is least destructive and most likely to be
    // used: "Stay signed in" (autofocus). Without it (an absolute end), "Sign out"; without both,
    // the heading (tabindex -1, autofocus: Firefox focuses the <dialog> itself
    // when nothing in it has autofocus).
    // Screen readers get the built-in message from #spoken, on a calmer
    // cadence (the message is aria-hidden); a slotted message is read as is.
    // The error hides while retrying: a retry that fails again inserts a new
    // alert, and it is heard again.
    return html`
      ${this.notice && this.#shown
        ? html`<p part="notice" lang=${lang} dir=${t.dir}>${t.notice.replace('{time}', formatDuration(limit, lang))}</p>`
        : nothing}
      <dialog
        part="dialog"
        lang=${lang}
        dir=${t.dir}
        aria-labelledby="heading"
        aria-describedby=${slotted ? 'message spoken' : 'spoken'}
        @cancel=${this.#onCancel}
        @close=${this.#onClose}
        @keydown=${this.#onKeydown}
      >
        <h2 part="heading" id="heading" tabindex="-1" ?autofocus=${absolute && !signout}><slot name="heading">${t.heading}</slot></h2>
        <p part="message" id="message" aria-hidden=${slotted ? nothing : 'true'}>
          <slot name="message" @slotchange=${this.#onMessageSlot}>${slotted ? nothing : [before, countdown, after]}</slot>
        </p>
        ${slotted ? html`<p>${countdown}</p>` : nothing}
        <p id="spoken" class="visually-hidden" aria-live="off" aria-atomic="true">${template.replace('{time}', spoken)}</p>
        ${engine?.extendError && !this.#busy ? html`<p part="error" role="alert">${t.error}</p>` : nothing}
        <div part="actions">
          ${absolute
            ? nothing
            : html`<button part="stay-button" autofocus aria-disabled=${this.#busy} @click=${this.#onStay}>
                <slot name="stay-label">${t.stay}</slot>
              </button>`}
          ${signout
            ? html`<button part="signout-button" ?autofocus=${absolute} @click=${this.signOut}>
                <slot name="signout-label">${t.signOut}</slot>
              </button>`
            : nothing}
        </div>
      </dialog>
      <p class="visually-hidden" role="status" lang=${lang}>${this.#finalWords}</p>
    `;
  }

  /** The dialog should be open: a warning the app did not take over, on a page. */
  get #wanted(): boolean {
    return this.state === 'warning' && this.#dialogWanted && this.isConnected;
  }

  protected override updated(): void {
    const open = this.#wanted;
    if (open && !this.#dialog.open) {
      this.#returnFocus = deepActiveElement();
      this.#show();
    } else if (!open && this.#dialog.open) {
      this.#dialog.close();
      // At once: the close event comes a task later, maybe after a new warning opened.
      this.#onClose();
    }
  }

  /**
   * Open the dialog and tick once per second. The live region (#spoken) is
   * also the dialog's description, read when focus moves in: it stays
   * `aria-live="off"` for a moment so that the open is not announced twice.
   * From then on Lit rewrites its text only when the words change (whole
   * minutes, then 20-second steps), never every second. Assertive, as in the
   * GOV.UK / HMRC pattern: time is running out, and it speaks at most a few
   * times per warning.
   */
  #show(): void {
    this.#ticks = 0;
    this.#spoken.setAttribute('aria-live', 'off');
    this.#dialog.showModal();
    this.#controller?.startTicking(
      () => {
        if (++this.#ticks > 1) this.#spoken.setAttribute('aria-live', 'assertive');
        this.requestUpdate();
      },
      () => this.#dialog?.open === true,
    );
  }

  #onStay = async (): Promise<void> => {
    if (this.#busy) return;
    this.#busy = true;
    this.requestUpdate();
    try {
      await this.extend();
    } finally {
      this.#busy = false;
      this.requestUpdate();
    }
  };

  /**
   * Tab from the last control goes to the first, Shift+Tab from the first to
   * the last (WAI-ARIA APG modal dialog). Without it, Firefox (153 ESR)
   * brings focus back from the browser's toolbar to the *last* control of a
   * modal dialog in a shadow root, so Tab alone never reaches "Stay signed in"
   * again. The key is also known by `code`: WebKitGTK (2.50) reports
   * Shift+Tab's keydown as `key: 'Unidentified'`, `code: 'Tab'`.
   */
  #onKeydown = (event: KeyboardEvent): void => {
    if ((event.key !== 'Tab' && event.code !== 'Tab') || event.altKey || event.ctrlKey || event.metaKey) return;
    const controls = tabbables(this.#dialog);
    const current = deepActiveElement();
    const to = event.shiftKey
      ? current === controls[0] && controls.at(-1)
      : current === controls.at(-1) && controls[0];
    if (!to) return;
    event.preventDefault();
    to.focus();
  };

  /** Escape means "Stay signed in": the dialog never closes with time running out unseen. */
  #onCancel = (event: Event): void => {
    event.preventDefault();
    void this.#onStay();
  };

  /** The dialog closed: by updated(), or by the browser (the close event). */
  #onClose = (): void => {
    if (this.#dialog.open) return; // the late close event of a dialog opened again since
    if (this.#wanted) {
      // Closed by the browser: Chromium makes the cancel event of Escape
      // uncancelable without a user activation since the last one (onCancel
      // still extends). Never leave time running out unseen: open it again.
      this.#show();
      return;
    }
    this.#controller?.stopTicking();
    if (this.#returnFocus?.isConnected) this.#returnFocus.focus({ preventScroll: true });
    this.#returnFocus = null;
  };

  #onMessageSlot = (event: Event): void => {
    const has = (event.target as HTMLSlotElement).assignedNodes().length > 0;
    // Only a change renders again (slotchange also comes during a render).
    if (has === this.#hasMessageSlot) return;
    this.#hasMessageSlot = has;
    this.requestUpdate();
  };

  /** @internal The back/forward cache brought this page back after it left: leave again. */
  pageRestoredAfterEnd(): void {
    if (this.#leftFor !== undefined) this.#leave(this.#leftFor);
  }

  /** Where the page went when it left (null: reloaded); undefined while it has not. */
  #leftFor: string | null | undefined = undefined;

  #leave(url: string | null): void {
    const env = this.#controller?.env;
    if (!env) return;
    this.#leftFor = url;
    // Only http(s) URLs get here (config.ts refuses the rest).
    if (url) env.navigate(url);
    else env.reload();
  }
}

/** Reactive properties that configure the session (the others only change what the element shows). */
const isConfig = (key: string): boolean => key !== 'notice' && key !== 'state';

/** The focused element, looking inside open shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : null;
}

/**
 * Elements of `root` that Tab reaches, in the order it reaches them (flat
 * tree: slotted content, or the slot's fallback, and open shadow roots).
 */
function tabbables(root: Element): HTMLElement[] {
  const found: HTMLElement[] = [];
  const visit = (el: Element): void => {
    const visible = typeof el.checkVisibility !== 'function' || el.checkVisibility();
    if (el instanceof HTMLElement && el.tabIndex >= 0 && !el.matches(':disabled') && visible) found.push(el);
    const children =
      el instanceof HTMLSlotElement && el.assignedNodes().length
        ? el.assignedElements({ flatten: true })
        : [...(el.shadowRoot ?? el).children];
    children.forEach(visit);
  };
  [...root.children].forEach(visit);
  return found;
}

declare global {
  interface HTMLElementTagNameMap {
    'session-timeout-dialog': SessionTimeoutDialog;
  }
}
