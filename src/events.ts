/**
 * The element's events: typed CustomEvent subclasses, all `bubbles` and
 * `composed` so they reach the document from the shadow root. Cancelable
 * events fire before their side effect, so an app can take over (README, API).
 */
import type { ErrorDetail, ExtendSource } from './core/session-engine.js';
import type { DraftField } from './drafts/draft-form.js';

export type { DraftField };

const init = { bubbles: true, composed: true } as const;

/** Before the warning opens. `preventDefault()` keeps the built-in dialog closed; timing goes on. */
export class SessionTimeoutWarnEvent extends CustomEvent<{ remainingSeconds: number }> {
  constructor(remainingSeconds: number) {
    super('session-timeout-warn', { ...init, cancelable: true, detail: { remainingSeconds } });
  }
}

/** After the session was extended. */
export class SessionTimeoutExtendEvent extends CustomEvent<{ source: ExtendSource }> {
  constructor(source: ExtendSource) {
    super('session-timeout-extend', { ...init, detail: { source } });
  }
}

/** Before leaving for `timeout-url`. `preventDefault()` keeps the page (an SPA routes itself). */
export class SessionTimeoutExpireEvent extends CustomEvent<Record<string, never>> {
  constructor() {
    super('session-timeout-expire', { ...init, cancelable: true, detail: {} });
  }
}

/** Before leaving for `signout-url`. `preventDefault()` keeps the page. */
export class SessionTimeoutSignoutEvent extends CustomEvent<Record<string, never>> {
  constructor() {
    super('session-timeout-signout', { ...init, cancelable: true, detail: {} });
  }
}

/** The engine's error detail, with one more operation: `draft`, a draft could not be kept (full storage) or opened (changed on the device). */
export interface SessionTimeoutErrorDetail extends Omit<ErrorDetail, 'operation'> {
  operation: ErrorDetail['operation'] | 'draft';
}

/** A server call failed. An error is never an expiry: the local deadline still holds. */
export class SessionTimeoutErrorEvent extends CustomEvent<SessionTimeoutErrorDetail> {
  constructor(detail: SessionTimeoutErrorDetail) {
    super('session-timeout-error', { ...init, detail });
  }
}

/**
 * Before a draft is sealed at timeout (`keep-drafts`). Add the app's own
 * serialisable state to `detail.data` (an editor's content); it comes back in
 * `session-timeout-restore`. `preventDefault()`: nothing is kept.
 */
export class SessionTimeoutDraftEvent extends CustomEvent<{ data: Record<string, unknown> }> {
  constructor(data: Record<string, unknown>) {
    super('session-timeout-draft', { ...init, cancelable: true, detail: { data } });
  }
}

/**
 * A draft was opened after the same person signed in again, before its
 * fields are filled. `preventDefault()`: the app restores it itself.
 */
export class SessionTimeoutRestoreEvent extends CustomEvent<{ fields: DraftField[]; data: Record<string, unknown> }> {
  constructor(detail: { fields: DraftField[]; data: Record<string, unknown> }) {
    super('session-timeout-restore', { ...init, cancelable: true, detail });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'session-timeout-warn': SessionTimeoutWarnEvent;
    'session-timeout-extend': SessionTimeoutExtendEvent;
    'session-timeout-expire': SessionTimeoutExpireEvent;
    'session-timeout-signout': SessionTimeoutSignoutEvent;
    'session-timeout-error': SessionTimeoutErrorEvent;
    'session-timeout-draft': SessionTimeoutDraftEvent;
    'session-timeout-restore': SessionTimeoutRestoreEvent;
  }
}
