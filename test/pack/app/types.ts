// `tsc --noEmit` against the packed .d.ts files. The @ts-expect-error lines
// fail the check if the types turn into `any`.
import 'session-timeout-dialog';
import { SessionTimeoutDialog, SessionTimeoutWarnEvent } from 'session-timeout-dialog';
import { SessionTimeoutDialog as ClassOnly } from 'session-timeout-dialog/session-timeout-dialog.js';

const el = document.querySelector('session-timeout-dialog')!;
export const extended: Promise<boolean> = el.extend();
export const same: ClassOnly = el;
export const state: 'active' | 'warning' | 'expired' = el.state;

el.addEventListener('session-timeout-warn', (e) => {
  const remaining: number = e.detail.remainingSeconds;
  const typed: SessionTimeoutWarnEvent = e;
  e.preventDefault();
  return [remaining, typed];
});
el.addEventListener('session-timeout-error', (e) => e.detail.operation.toUpperCase());
document.addEventListener('session-timeout-extend', (e) => e.detail.source);

// @ts-expect-error: the detail is typed, not any
el.addEventListener('session-timeout-warn', (e) => e.detail.notThere);
// @ts-expect-error: extend() is not a string
export const wrong: string = el.extend();

export const created: SessionTimeoutDialog = document.createElement('session-timeout-dialog');
