/**
 * The package entry: defines `<session-timeout-dialog>` once and re-exports
 * the public names. Importing `session-timeout-dialog.js` alone defines
 * nothing (use it to register under another name or in a scoped registry).
 */
import { SessionTimeoutDialog } from './session-timeout-dialog.js';

export { SessionTimeoutDialog } from './session-timeout-dialog.js';
export * from './events.js';
export type { Environment, Clock } from './core/environment.js';
export type { Messages } from './i18n/types.js';

// The only side effect, behind a guard: a second copy of the package (two
// bundles on one page) must not throw.
const registry = globalThis.customElements;
if (registry && !registry.get('session-timeout-dialog')) {
  registry.define('session-timeout-dialog', SessionTimeoutDialog);
}
