import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { countdownText, fillTemplate, formatDuration } from './core/countdown-text.js';
import type { Environment } from './core/environment.js';
import type { EngineHost, ExtendSource } from './core/session-engine.js';
import {
  SessionTimeoutErrorEvent,
  SessionTimeoutExpireEvent,
  SessionTimeoutExtendEvent,
  SessionTimeoutSignoutEvent,
  SessionTimeoutWarnEvent,
} from './events.js';
import { messagesFor, resolveLanguage } from './i18n/index.js';
import { SessionController } from './session-controller.js';
import { styles } from './session-timeout-dialog.styles.js';

/**
 * Warns before a server session times out, keeps it alive while the person
 * really works, and leaves the page when time runs out — as one across tabs.
 *
 * @summary An accessible session timeout warning for server-rendered pages and SPAs.
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
 * @event session-timeout-error - A server call failed. detail: `{ operation: 'status' | 'keepalive', status?, message }`.
 *
 * @csspart dialog - The native `<dialog>`.
 * @csspart heading - The heading.
 * @csspart message - The message paragraph.
 * @csspart countdown - The visible time left (hidden from screen readers; a live region speaks).
 * @csspart error - The error shown when "Stay signed in" failed.
 * @csspart actions - The row of buttons.
 * @csspart stay-button - "Stay signed in".
 * @csspart signout-button - "Sign out".
 * @csspart notice - The SC 2.2.6 notice of the idle limit (with the `notice` attribute).
 *
 * @cssproperty [--session-timeout-font=inherit] - Font of the dialog.
 * @cssproperty [--session-timeout-color=CanvasText] - Text colour.
 * @cssproperty [--session-timeout-background=Canvas] - Dialog background.
 * @cssproperty [--session-timeout-accent=#1d70b8] - Primary button background.
 * @cssproperty [--session-timeout-accent-text=#fff] - Primary button text.
 * @cssproperty [--session-timeout-error=#d4351c] - Error text and border.
 * @cssproperty [--session-timeout-radius=0.5rem] - Corner radius of the dialog and buttons.
 * @cssproperty [--session-timeout-padding=1.5rem] - Padding inside the dialog.
 * @cssproperty [--session-timeout-gap=1rem] - Space between the dialog's parts.
 * @cssproperty [--session-timeout-width=32rem] - Largest width of the dialog.
 * @cssproperty [--session-timeout-backdrop=rgb(0 0 0 / 0.6)] - The backdrop behind the dialog.
 */
export class SessionTimeoutDialog extends LitElement {
  static override styles = styles;

  /** GET endpoint that reports the session without counting as activity. Absent: client-only mode. */
  @property({ attribute: 'status-url' }) statusUrl: string | null = null;
  /** Endpoint that marks the session active. */
  @property({ attribute: 'keepalive-url' }) keepaliveUrl: string | null = null;
  /** `POST` or `GET`. */
  @property({ attribute: 'keepalive-method' }) keepaliveMethod: 'POST' | 'GET' = 'POST';
  /** Where "Sign out" goes. No URL: no sign-out button. */
  @property({ attribute: 'signout-url' }) signoutUrl: string | null = null;
  /** Where the page goes when time runs out; `signout-url`, else a reload, when absent. */
  @property({ attribute: 'timeout-url' }) timeoutUrl: string | null = null;
  /** Seconds of inactivity after which the warning shows. */
  @property({ attribute: 'idle-seconds', type: Number }) idleSeconds: number | null = null;
  /** Seconds of inactivity after which the session is over (total, not extra). */
  @property({ attribute: 'timeout-seconds', type: Number }) timeoutSeconds: number | null = null;
  /** Wire protocol: `session-timeout` or `django-session-security`. */
  @property({ attribute: 'protocol' }) protocol: 'session-timeout' | 'django-session-security' = 'session-timeout';
  /** Cookie whose value is sent as the CSRF header on non-GET calls. */
  @property({ attribute: 'csrf-cookie' }) csrfCookie = 'csrftoken';
  /** Header name for the CSRF token. */
  @property({ attribute: 'csrf-header' }) csrfHeader = 'X-CSRFToken';
  /** Space-separated DOM events that count as activity. */
  @property({ attribute: 'activity-events' }) activityEvents: string | null = null;
  /** Name of the cross-tab channel; derived from the origin and `status-url` when absent. */
  @property({ attribute: 'channel' }) channel: string | null = null;
  /** This tab neither sends nor hears other tabs. */
  @property({ attribute: 'no-tab-sync', type: Boolean }) noTabSync = false;
  /** Show, in the page, how long inactivity may last (WCAG 2.2 SC 2.2.6). */
  @property({ attribute: 'notice', type: Boolean }) notice = false;

  /** The phase: `active`, `warning` or `expired` (reflected as the `state` attribute). */
  @property({ reflect: true, attribute: 'state' }) state: 'active' | 'warning' | 'expired' = 'active';

  /**
   * Time, timers, fetch and navigation. Set it before the element connects
   * to run it against a fake clock or fetch (tests, storybooks).
   * @internal
   */
  environment: Environment | undefined;

  @state() private hasMessageSlot = false;
  @state() private busy = false;
  @state() private finalWords = '';
  @query('dialog') private dialog!: HTMLDialogElement;

  private controller: SessionController | null = null;
  private returnFocus: HTMLElement | null = null;
  private dialogWanted = false;

  /** Whole seconds until the session ends, from the current best estimate. */
  get remainingSeconds(): number {
    return this.controller?.engine?.remainingSeconds ?? Math.round(this.timeoutSeconds ?? 900);
  }

  /** Keepalive now; resolves true when the server confirmed. */
  extend(): Promise<boolean> {
    return this.controller?.engine?.extend('user') ?? Promise.resolve(false);
  }

  /** As if the person pressed "Sign out". */
  signOut(): void {
    if (!this.dispatchEvent(new SessionTimeoutSignoutEvent())) return;
    this.controller?.engine?.signedOut();
    this.leave(this.controller?.config?.signoutUrl ?? this.controller?.config?.timeoutUrl ?? null);
  }

  /** Ask the server for the status now. */
  check(): Promise<void> {
    return this.controller?.engine?.check() ?? Promise.resolve();
  }

  /** Count activity that no DOM event shows (media playing, a drag in a canvas). */
  reportActivity(): void {
    this.controller?.engine?.reportActivity();
  }

  /** @internal */
  rawConfig() {
    return {
      statusUrl: this.statusUrl,
      keepaliveUrl: this.keepaliveUrl,
      keepaliveMethod: this.keepaliveMethod,
      signoutUrl: this.signoutUrl,
      timeoutUrl: this.timeoutUrl,
      idleSeconds: this.idleSeconds,
      timeoutSeconds: this.timeoutSeconds,
      protocol: this.protocol,
      csrfCookie: this.csrfCookie,
      csrfHeader: this.csrfHeader,
      activityEvents: this.activityEvents,
      channel: this.channel,
      noTabSync: this.noTabSync,
    };
  }

  /** @internal The engine's callbacks. */
  readonly engineHost: EngineHost = {
    warn: (remaining) => {
      this.dialogWanted = this.dispatchEvent(new SessionTimeoutWarnEvent(remaining));
      this.sync();
    },
    extended: (source: ExtendSource) => {
      this.dialogWanted = false;
      this.sync();
      this.dispatchEvent(new SessionTimeoutExtendEvent(source));
    },
    expired: () => {
      this.dialogWanted = false;
      this.sync();
      if (this.dispatchEvent(new SessionTimeoutExpireEvent())) {
        this.leave(this.controller?.config?.timeoutUrl ?? null);
      } else {
        // The page stays (an SPA routes itself): say it, since nothing else will.
        this.finalWords = this.texts.signedOut;
      }
    },
    signedOutElsewhere: () => {
      this.dialogWanted = false;
      this.sync();
      if (this.dispatchEvent(new SessionTimeoutSignoutEvent())) {
        this.leave(this.controller?.config?.signoutUrl ?? this.controller?.config?.timeoutUrl ?? null);
      }
    },
    error: (detail) => this.dispatchEvent(new SessionTimeoutErrorEvent(detail)),
    changed: () => this.sync(),
  };

  override connectedCallback(): void {
    this.controller ??= new SessionController(this, this.environment);
    super.connectedCallback();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const configKeys = [
      'statusUrl', 'keepaliveUrl', 'keepaliveMethod', 'signoutUrl', 'timeoutUrl', 'idleSeconds',
      'timeoutSeconds', 'protocol', 'csrfCookie', 'csrfHeader', 'activityEvents', 'channel', 'noTabSync',
    ] as const;
    if (this.hasUpdated && configKeys.some((key) => changed.has(key))) this.controller?.configure();
  }

  private get lang_(): string {
    const near = this.closest('[lang]')?.getAttribute('lang');
    return resolveLanguage([this.lang, near, document.documentElement.lang, ...(navigator.languages ?? [])]);
  }

  private get texts() {
    return messagesFor(this.lang_);
  }

  /** Mirror the engine's phase into the element: state attribute, dialog, ticking. */
  private sync(): void {
    const engine = this.controller?.engine;
    if (!engine) return;
    this.state = engine.phase;
    this.requestUpdate();
  }

  protected override render() {
    const lang = this.lang_;
    const t = messagesFor(lang);
    const engine = this.controller?.engine;
    const remaining = this.remainingSeconds;
    const { visible, spoken } = countdownText(remaining, lang);
    const absolute = Boolean(engine && engine.facts.absoluteEndAt !== Infinity && engine.deadlines.absolute);
    const template = absolute ? t.ending : t.message;
    const [before, after] = fillTemplate(template, visible);
    // Lit rewrites the live region's text only when the spoken words change
    // (on open, each whole minute, then 20-second steps): never every second.
    const spokenSentence = template.replace('{time}', spoken);
    const countdown = html`<span part="countdown" aria-hidden="true">${visible}</span>`;
    const signout = this.controller?.config?.signoutUrl;
    const idle = this.controller?.engine?.limits.idle ?? (this.idleSeconds ?? 780) * 1000;
    return html`
      ${this.notice
        ? html`<p part="notice">${t.notice.replace('{time}', formatDuration(Math.round(idle / 1000), lang))}</p>`
        : nothing}
      <dialog
        part="dialog"
        lang=${lang}
        dir=${t.dir}
        aria-labelledby="heading"
        aria-describedby="spoken"
        @cancel=${this.onCancel}
        @close=${this.onClose}
      >
        <h2 part="heading" id="heading" tabindex="-1"><slot name="heading">${t.heading}</slot></h2>
        <p part="message">
          <slot name="message" @slotchange=${this.onMessageSlot}>${before}${countdown}${after}</slot>
        </p>
        ${this.hasMessageSlot ? html`<p>${countdown}</p>` : nothing}
        ${engine?.extendError ? html`<p part="error" role="alert">${t.error}</p>` : nothing}
        <div part="actions">
          ${absolute
            ? nothing
            : html`<button part="stay-button" autofocus aria-disabled=${this.busy ? 'true' : 'false'} @click=${this.onStay}>
                <slot name="stay-label">${t.stay}</slot>
              </button>`}
          ${signout
            ? html`<button part="signout-button" ?autofocus=${absolute} @click=${this.signOut}>
                <slot name="signout-label">${t.signOut}</slot>
              </button>`
            : nothing}
        </div>
        <p id="spoken" class="visually-hidden" aria-live="assertive" aria-atomic="true">${spokenSentence}</p>
      </dialog>
      <p class="visually-hidden" role="status">${this.finalWords}</p>
    `;
  }

  protected override updated(): void {
    const open = this.state === 'warning' && this.dialogWanted;
    const dialog = this.dialog;
    if (open && !dialog.open) {
      this.returnFocus = deepActiveElement();
      dialog.showModal();
      this.controller?.startTicking(
        () => this.requestUpdate(),
        () => this.dialog?.open === true,
      );
    } else if (!open && dialog.open) {
      this.controller?.stopTicking();
      dialog.close();
    }
  }

  private onStay = async (): Promise<void> => {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.extend();
    } finally {
      this.busy = false;
    }
  };

  /** Escape means "Stay signed in": the dialog never closes with time running out unseen. */
  private onCancel = (event: Event): void => {
    event.preventDefault();
    void this.onStay();
  };

  private onClose = (): void => {
    this.controller?.stopTicking();
    if (this.state === 'warning' && this.dialogWanted && this.isConnected) {
      // Closed by the browser (a close watcher forced it): open it again.
      this.dialog.showModal();
      this.controller?.startTicking(() => this.requestUpdate(), () => this.dialog?.open === true);
      return;
    }
    const target = this.returnFocus;
    this.returnFocus = null;
    if (target?.isConnected) target.focus({ preventScroll: true });
  };

  private onMessageSlot = (event: Event): void => {
    this.hasMessageSlot = (event.target as HTMLSlotElement).assignedNodes().length > 0;
  };

  private leave(url: string | null): void {
    const env = this.controller?.env;
    if (!env) return;
    // Only http(s) URLs get here (config.ts refuses the rest).
    if (url) env.navigate(url);
    else env.reload();
  }
}

/** The focused element, looking inside open shadow roots. */
function deepActiveElement(): HTMLElement | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : null;
}

declare global {
  interface HTMLElementTagNameMap {
    'session-timeout-dialog': SessionTimeoutDialog;
  }
}
