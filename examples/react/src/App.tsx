import { useRef, useState } from 'react';
import 'session-timeout-dialog'; // defines <session-timeout-dialog>
import type { SessionTimeoutDialog } from 'session-timeout-dialog';
import type {} from 'session-timeout-dialog/react'; // its JSX typings

export function App() {
  const timeout = useRef<SessionTimeoutDialog>(null);
  const [message, setMessage] = useState('Signed in.');
  const [expired, setExpired] = useState(false);

  if (expired) {
    return (
      <p role="alert">
        Your session has ended. <a href="/logout?timed-out=1">Sign in again</a>
      </p>
    );
  }
  return (
    <main>
      <p role="status">{message}</p>
      {/* Methods and properties: through the ref. */}
      <button type="button" onClick={() => timeout.current?.extend()}>
        I'm still here
      </button>

      {/* Attributes in kebab-case; events as "on" + the event's name. */}
      <session-timeout-dialog
        ref={timeout}
        status-url="/session/status"
        keepalive-url="/session/keepalive"
        signout-url="/logout"
        timeout-url="/logout?timed-out=1"
        onsession-timeout-warn={(event) => setMessage(`${event.detail.remainingSeconds} seconds left.`)}
        onsession-timeout-extend={(event) => setMessage(`Still signed in (${event.detail.source}).`)}
        onsession-timeout-expire={(event) => {
          event.preventDefault(); // stay in the app: it clears its own screen
          setExpired(true);
        }}
      />
    </main>
  );
}
