import { LitElement, html, nothing, type PropertyDeclaration, type PropertyValues, type TemplateResult } from 'lit';
import type { RawConfig } from './core/config.js';
import { countdownText, formatDuration, splitTemplate } from './core/countdown-text.js';
import type { Environment } from './core/environment.js';
import { deepActiveElement, wrapTab } from './focus.js';
import { en, messagesFor, resolveLanguage, type Messages } from './i18n/index.js';
import { SessionController, type SessionLimits } from './session-controller.js';
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
  // Each one's JSDoc (the contract, read by the manifest) is on its field
  // below. This is the one list of attributes: the configuration the
  // controller gets is read from it (#config), and its type checks that it
  // names exactly the entries of core/config.ts's RawConfig, plus the two
  // that only change what the element shows.
  static override properties: Record<keyof RawConfig | Display, PropertyDeclaration> = {
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
  set environment(env: Environment) {
    this.#c.env = env;
  }

  /** Everything about the session: configuration, engine, events, leaving. */
  readonly #c = new SessionController(this, (say) => {
    if (say) this.#said = say;
    this.state = this.#c.phase;
    this.requestUpdate();
  });

  // Internal state, rendered: each change requests an update.
  #hasMessageSlot = false;
  #busy = false;
  /** Words said politely in the page (in the language shown, even if its texts arrive later). */
  #said: 'restored' | 'signedOut' | null = null;
  // Rendered once and never replaced: these exist after the first update.
  get #dialog(): HTMLDialogElement {
    return this.renderRoot?.querySelector('dialog') as HTMLDialogElement;
  }
  get #spoken(): HTMLElement {
    return this.renderRoot?.querySelector('#spoken') as HTMLElement;
  }

  #returnFocus: HTMLElement | null = null;
  /** Countdown ticks since the dialog opened. */
  #ticks = 0;

  /** Whole seconds until the session ends, from the current best estimate (rounded down: never more than is left). */
  get remainingSeconds(): number {
    return Math.floor(this.#c.remaining);
  }

  /**
   * The limits the element plans with, in seconds: the server's once it
   * answered (they win), else the attributes', else the defaults (780, 900).
   */
  get limits(): { readonly idleSeconds: number; readonly timeoutSeconds: number } {
    // Not rendered yet: the configuration was not pushed in; read it now.
    if (!this.hasUpdated) this.#c.configure(this.#config(), false);
    return this.#c.limits satisfies SessionLimits;
  }

  /** Keepalive now; resolves true when the server confirmed. */
  extend(): Promise<boolean> {
    return this.#c.extend();
  }

  /** As if the person pressed "Sign out". */
  signOut(): void {
    this.#c.signOut();
  }

  /** Ask the server for the status now. */
  check(): Promise<void> {
    return this.#c.check();
  }

  /** Count activity that no DOM event shows (media playing, a drag in a canvas). */
  reportActivity(): void {
    this.#c.reportActivity();
  }

  /** The configuration as set: every reactive property but those of the element's own display, by its declared name. */
  #config(): RawConfig {
    const raw: Record<string, unknown> = {};
    for (const key in SessionTimeoutDialog.properties) {
      if (isConfig(key)) raw[key] = this[key as keyof this];
    }
    return raw;
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
    // The first update pushes the whole configuration (properties set after
    // connecting, before this, included); later ones push changes.
    if (!this.hasUpdated || [...changed.keys()].some(isConfig)) this.#c.configure(this.#config());
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
   * The language shown and its texts: null until the first one is here.
   * Other languages than English load on demand: from the first update after
   * the element connects (and again when its language changes), long before
   * a warning. Until the new texts arrive the previous ones stay, so nothing
   * flashes in English first.
   */
  #shown: [lang: string, texts: Messages] | null = null;
  /** The language being loaded, until it is shown. */
  #loading: Promise<unknown> | null = null;

  /** Also waits for the texts of the element's language, so that `await el.updateComplete` sees them. */
  protected override async getUpdateComplete(): Promise<boolean> {
    let done = await super.getUpdateComplete();
    while (this.#loading) {
      await this.#loading;
      done = await super.getUpdateComplete();
    }
    return done;
  }

  protected override render(): TemplateResult {
    const [lang, t] = this.#shown ?? ['en', en];
    const c = this.#c;
    const { visible, spoken } = countdownText(c.remaining, lang);
    const absolute = c.absolute;
    const template = absolute ? t.ending : t.message;
    const [before, after] = splitTemplate(template);
    const slotted = this.#hasMessageSlot;
    const countdown = html`<span part="countdown" aria-hidden="true">${visible}</span>`;
    const signout = c.signoutUrl;
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
    // The notice says when the person is signed out: the timeout, not the warning.
    return html`
      ${this.notice && this.#shown
        ? html`<p part="notice" lang=${lang} dir=${t.dir}>${t.notice.replace('{time}', formatDuration(c.limits.timeoutSeconds, lang))}</p>`
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
        ${c.extendError && !this.#busy ? html`<p part="error" role="alert">${t.error}</p>` : nothing}
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
      <p class="visually-hidden" role="status" lang=${lang}>${this.#said && t[this.#said]}</p>
    `;
  }

  /** The dialog should be open: a warning the app did not take over, on a page. */
  get #wanted(): boolean {
    return this.state === 'warning' && this.#c.dialogWanted && this.isConnected;
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
    this.#c.startTicking(() => {
      if (++this.#ticks > 1) this.#spoken.setAttribute('aria-live', 'assertive');
      this.requestUpdate();
      return this.#dialog.open;
    });
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

  #onKeydown = (event: KeyboardEvent): void => wrapTab(event, this.#dialog);

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
    this.#c.stopTicking();
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
}

/** The reactive properties that only change what the element shows; all the others configure the session. */
type Display = 'notice' | 'state';
const isConfig = (key: PropertyKey): boolean => key !== 'notice' && key !== 'state';

declare global {
  interface HTMLElementTagNameMap {
    'session-timeout-dialog': SessionTimeoutDialog;
  }
}
