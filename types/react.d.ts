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
import type { SessionTimeoutDialog } from '../dist/session-timeout-dialog.js';
import type {
  SessionTimeoutErrorEvent,
  SessionTimeoutExpireEvent,
  SessionTimeoutExtendEvent,
  SessionTimeoutSignoutEvent,
  SessionTimeoutWarnEvent,
} from '../dist/events.js';

/** The element's attributes (README, API) and event props, as React 19 applies them. */
export interface SessionTimeoutDialogAttributes
  extends React.HTMLAttributes<SessionTimeoutDialog>,
    React.RefAttributes<SessionTimeoutDialog> {
  /** GET endpoint that reports the session without counting as activity. Absent: client-only mode. */
  'status-url'?: string;
  /** Endpoint that marks the session active. */
  'keepalive-url'?: string;
  /** `POST` (default) or `GET`. */
  'keepalive-method'?: 'POST' | 'GET';
  /** Where "Sign out" goes. No URL: no sign-out button. */
  'signout-url'?: string;
  /** Where the page goes when time runs out (default: `signout-url`, else a reload). */
  'timeout-url'?: string;
  /** Seconds of inactivity before the warning (default 780; limits the server reports win). */
  'idle-seconds'?: number | string;
  /** Seconds of inactivity before the session is over, in total (default 900). */
  'timeout-seconds'?: number | string;
  /** Wire protocol (default `session-timeout`). */
  protocol?: 'session-timeout' | 'django-session-security';
  /** Cookie whose value is sent as the CSRF header (default `csrftoken`). */
  'csrf-cookie'?: string;
  /** Header name for the CSRF token (default `X-CSRFToken`). */
  'csrf-header'?: string;
  /** Space-separated DOM events that count as activity. */
  'activity-events'?: string;
  /** Name of the cross-tab channel (default: derived from the origin and `status-url`). */
  channel?: string;
  /** This tab neither sends nor hears other tabs. */
  'no-tab-sync'?: boolean;
  /** Show the inactivity limit in the page (WCAG 2.2 SC 2.2.6). */
  notice?: boolean;

  /** Before the warning opens; `preventDefault()` keeps the built-in dialog closed. */
  'onsession-timeout-warn'?: (event: SessionTimeoutWarnEvent) => void;
  /** After the session was extended. */
  'onsession-timeout-extend'?: (event: SessionTimeoutExtendEvent) => void;
  /** Before leaving for `timeout-url`; `preventDefault()` keeps the page (the app routes itself). */
  'onsession-timeout-expire'?: (event: SessionTimeoutExpireEvent) => void;
  /** Before leaving for `signout-url`; `preventDefault()` keeps the page. */
  'onsession-timeout-signout'?: (event: SessionTimeoutSignoutEvent) => void;
  /** A server call failed (never an expiry by itself). */
  'onsession-timeout-error'?: (event: SessionTimeoutErrorEvent) => void;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'session-timeout-dialog': SessionTimeoutDialogAttributes;
    }
  }
}
