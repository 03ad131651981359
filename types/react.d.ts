// JSX typings for React 19: `<session-timeout-dialog>` in TSX.
//
// Activate once, in any TypeScript file of the app (or list
// "session-timeout-dialog/react" in tsconfig's compilerOptions.types):
//
//   import type {} from 'session-timeout-dialog/react';
//
// What React 19 does with the props of a custom element, and so what is typed
// here (react-dom 19.3, setPropOnCustomElement; checked in Chromium by
// test/e2e/recipes.spec.ts):
// - A prop whose name is a property of the element instance is set as that
//   property, anything else becomes an attribute (`true` → "", `false` and
//   `null` remove it, numbers are stringified). The server renderer writes every
//   prop as an attribute. Kebab-case attributes therefore work everywhere
//   (client render, server render, hydration); camelCase properties
//   (`statusUrl`) only on a client render after the element is defined, and
//   server-render to a useless `statusurl` attribute. Only the attributes are
//   typed; reach the properties and methods through `ref`.
// - A prop `on` + event name, exactly as the event is spelled
//   (`onsession-timeout-expire`), becomes `addEventListener('session-timeout-expire', fn)`:
//   the handler gets the native, typed event (`preventDefault()` works).
//   `onSessionTimeoutExpire` would listen for an event called "SessionTimeoutExpire".
//   React 19 does not attach these listeners during hydration of server-rendered
//   markup (https://github.com/facebook/react/issues/35446): with SSR, add the
//   listeners with a ref in useEffect.
import type * as React from 'react';
// api:start (generated from custom-elements.json by scripts/api-docs.mjs; do not edit)
import type { SessionTimeoutDialog } from '../dist/session-timeout-dialog.js';
import type * as Events from '../dist/events.js';

/** The element's attributes (README, API) and event props, as React 19 applies them. */
export interface SessionTimeoutDialogAttributes
  extends React.HTMLAttributes<SessionTimeoutDialog>,
    React.RefAttributes<SessionTimeoutDialog> {
  /** GET endpoint that reports the session without counting as activity. Absent: client-only mode. */
  'status-url'?: string;
  /** Endpoint that marks the session active. */
  'keepalive-url'?: string;
  /** `POST` or `GET`. */
  'keepalive-method'?: 'POST' | 'GET';
  /** Where "Sign out" goes. No URL: no sign-out button. */
  'signout-url'?: string;
  /** Where the page goes when time runs out. Default: `signout-url`, else a reload */
  'timeout-url'?: string;
  /** Seconds of inactivity after which the warning shows (limits the server reports win). Default: 780. */
  'idle-seconds'?: number | string;
  /** Seconds of inactivity after which the session is over (total, not extra: the countdown lasts `timeout-seconds − idle-seconds`). Default: 900. */
  'timeout-seconds'?: number | string;
  /** Wire protocol: `session-timeout` or `django-session-security`. */
  protocol?: 'session-timeout' | 'django-session-security';
  /** Cookie whose value is sent as the CSRF header on non-GET calls. */
  'csrf-cookie'?: string;
  /** Header name for the CSRF token. */
  'csrf-header'?: string;
  /** Space-separated DOM events that count as activity. Default: `keydown pointerdown pointermove wheel touchstart scroll` */
  'activity-events'?: string;
  /** Name of the cross-tab channel. Default: derived from the origin and `status-url` */
  channel?: string;
  /** This tab neither sends nor hears other tabs. */
  'no-tab-sync'?: boolean;
  /** Show, where the element stands, how long inactivity may last before sign-out (WCAG 2.2 SC 2.2.6). */
  notice?: boolean;
  /** What the person typed survives a timeout: sealed with their own key (from the server's `draftKey`) in this tab, and put back once after the same person signs in again. Passwords and other secrets are never kept. */
  'keep-drafts'?: boolean;

  /** Before the warning opens; cancelable (the app shows its own UI). detail: `{ remainingSeconds }`. */
  'onsession-timeout-warn'?: (event: Events.SessionTimeoutWarnEvent) => void;
  /** After the session was extended. detail: `{ source: 'user' | 'activity' | 'tab' | 'server' }`. */
  'onsession-timeout-extend'?: (event: Events.SessionTimeoutExtendEvent) => void;
  /** Before leaving for `timeout-url`; cancelable (an SPA routes itself). */
  'onsession-timeout-expire'?: (event: Events.SessionTimeoutExpireEvent) => void;
  /** Before leaving for `signout-url`; cancelable. */
  'onsession-timeout-signout'?: (event: Events.SessionTimeoutSignoutEvent) => void;
  /** A server call failed, or a draft could not be kept or opened. detail: `{ operation: 'status' | 'keepalive' | 'draft', status?, message }`. */
  'onsession-timeout-error'?: (event: Events.SessionTimeoutErrorEvent) => void;
  /** Before a draft is sealed at timeout (`keep-drafts`); cancelable (nothing is kept). Add the app's own state to `detail.data`. */
  'onsession-timeout-draft'?: (event: Events.SessionTimeoutDraftEvent) => void;
  /** A draft was opened after the same person signed in again, before its fields are filled; cancelable (the app restores it itself). detail: `{ fields, data }`. */
  'onsession-timeout-restore'?: (event: Events.SessionTimeoutRestoreEvent) => void;
}
// api:end

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'session-timeout-dialog': SessionTimeoutDialogAttributes;
    }
  }
}
