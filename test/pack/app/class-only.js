import { SessionTimeoutDialog } from 'session-timeout-dialog/session-timeout-dialog.js';

// Importing the class must define nothing; the app may register it itself.
window.__classOnly = {
  isClass: typeof SessionTimeoutDialog === 'function',
  definedAfterImport: customElements.get('session-timeout-dialog') !== undefined,
};
customElements.define('my-session-timeout', class extends SessionTimeoutDialog {});
