// The JSX typings (`session-timeout-dialog/react`) with @types/react 19.
import { useRef } from 'react';
import type { SessionTimeoutDialog } from 'session-timeout-dialog';
import type {} from 'session-timeout-dialog/react';

export function Page() {
  const ref = useRef<SessionTimeoutDialog>(null);
  return (
    <session-timeout-dialog
      ref={ref}
      status-url="/session/status"
      idle-seconds={30}
      timeout-seconds="60"
      no-tab-sync
      protocol="session-timeout"
      onsession-timeout-warn={(e) => e.detail.remainingSeconds.toFixed()}
      onsession-timeout-expire={(e) => e.preventDefault()}
      onsession-timeout-error={(e) => e.detail.message}
    >
      <span slot="heading">Still there?</span>
    </session-timeout-dialog>
  );
}

// @ts-expect-error: boolean attribute, not a string
export const badBoolean = <session-timeout-dialog no-tab-sync="yes" />;
// @ts-expect-error: not a protocol
export const badProtocol = <session-timeout-dialog protocol="soap" />;
// @ts-expect-error: the event detail is typed
export const badDetail = <session-timeout-dialog onsession-timeout-warn={(e) => e.detail.nope} />;
