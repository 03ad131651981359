// The live stream of the server's picture of this session.
//
// One stream for all the tabs of a session, not one per tab: an EventSource
// holds an HTTP/1.1 connection for the life of the page, and Chromium allows
// 6 per host, so 6 demo tabs used to take every connection and stall the
// element's own status and keepalive calls in every tab. One tab, elected
// with a Web Lock it holds until it closes, opens the stream and re-posts
// each event on a BroadcastChannel; the others read GET /demo/snapshot (the
// stream's hello as JSON) and then follow. When the leader closes, the lock
// passes to another tab, which opens the stream: its hello resyncs every tab.
// Without Web Locks or BroadcastChannel each tab opens its own stream, as
// before (Web Locks need a secure context: http://localhost is one, a plain
// http:// address on the network is not).

import { known, noteCall } from './history.js';
import { logRequest, setState } from './panel.js';
import { byId, csrfToken } from './page.js';
import { drawTimeline } from './timeline.js';

const STREAM_URL = '/demo/events';
const SNAPSHOT_URL = '/demo/snapshot';
const SHARED_STREAM = 'session-timeout-demo-stream';

const STREAM_TEXT = {
  open: 'Live: the server pushes every request it sees for this session.',
  reconnecting: 'Live stream interrupted; reconnecting…',
  closed: 'Live stream closed: there is no session to watch any more.',
};
/** The same, for a tab that follows another tab's stream. */
const SHARED_TEXT = {
  joining: 'Joining the live stream of another tab of this session…',
  open: 'Live, shared with another tab of this session: that tab receives what the server pushes and passes it on.',
  reconnecting: 'Live stream interrupted (it is held by another tab of this session); reconnecting…',
  closed: STREAM_TEXT.closed,
  failed: 'Could not read the session’s picture (network error); waiting for the next push.',
};

function sayStream(text) {
  const note = byId('stream-state');
  if (note) note.textContent = text;
}

/** What each stream event does to this page; a follower feeds the leader's re-posts here too. */
const streamHandlers = {
  hello(hello) {
    const list = byId('request-log');
    if (list) list.replaceChildren();
    // The offset first, so the earlier requests land at the right place.
    if (hello.state?.now) known.serverOffset = hello.state.now - Date.now();
    // After a reconnect (or a new leader tab's hello), the log is rebuilt from
    // the server's recent history, and the timeline takes only what it has
    // not seen yet.
    const seenUpTo = known.lastCallServerT;
    for (const entry of hello.recent ?? []) {
      logRequest(entry);
      if (entry.t > seenUpTo) noteCall(entry);
    }
    setState(hello.state);
    drawTimeline();
  },
  state(state) {
    setState(state);
  },
  request(entry) {
    logRequest(entry);
    if (entry.state) setState(entry.state);
    noteCall(entry);
    drawTimeline();
  },
};

/** Open the event stream; `relay` (the leader's) hears every event and every change of its status. */
function openStream(relay = () => {}) {
  const source = new EventSource(STREAM_URL);
  source.addEventListener('open', () => {
    sayStream(STREAM_TEXT.open);
    relay({ type: 'status', status: 'open' });
  });
  for (const name of Object.keys(streamHandlers)) {
    source.addEventListener(name, (e) => {
      const data = JSON.parse(e.data);
      streamHandlers[name](data);
      relay({ type: 'event', name, data });
    });
  }
  source.addEventListener('error', () => {
    const status = source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting';
    sayStream(STREAM_TEXT[status]);
    relay({ type: 'status', status });
  });
}

/**
 * A name for this session's tabs that does not reveal its CSRF token: after
 * a new sign-in, the new session's tabs elect their own leader instead of
 * following a tab that still watches the old session. Null when it cannot be
 * made (no token, or no crypto.subtle: no secure context, so no Web Locks either).
 */
async function sessionTag() {
  const token = csrfToken();
  if (!token || !globalThis.crypto?.subtle) return null;
  try {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
    return [...new Uint8Array(digest, 0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
  } catch {
    return null;
  }
}

/** The same request log entry (a follower may hear a request its snapshot already has). */
const sameEntry = (a, b) => a.seq === b.seq && a.t === b.t;

/**
 * Follow the server's picture of this session: lead (open the stream) or
 * follow another tab of the session that does.
 */
export async function connect() {
  if (typeof EventSource !== 'function') {
    sayStream('This browser has no EventSource: the live panel is off.');
    return;
  }
  const tag = await sessionTag();
  if (!tag || typeof BroadcastChannel !== 'function' || !navigator.locks) {
    openStream();
    return;
  }
  const name = `${SHARED_STREAM}:${tag}`;
  const channel = new BroadcastChannel(name);
  let leading = false;
  /** What a follower heard before its snapshot was applied; null once it was. */
  let early = [];

  const hear = (message) => {
    if (message?.type === 'status' && Object.hasOwn(SHARED_TEXT, message.status)) sayStream(SHARED_TEXT[message.status]);
    else if (message?.type === 'event' && Object.hasOwn(streamHandlers, message.name)) streamHandlers[message.name](message.data);
  };
  channel.addEventListener('message', (event) => {
    if (leading) return;
    if (early) early.push(event.data);
    else hear(event.data);
  });

  const lead = () => {
    leading = true;
    early = null;
    openStream((message) => channel.postMessage(message));
    // Held for the life of the page: the browser releases it when the page goes.
    return new Promise(() => {});
  };

  const follow = async () => {
    sayStream(SHARED_TEXT.joining);
    let picture = null;
    let status = 'failed';
    try {
      const res = await fetch(SNAPSHOT_URL, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
      if (res.ok) picture = await res.json();
      status = res.ok ? 'open' : 'closed';
    } catch {
      // Network error: the leader's next push still arrives.
    }
    // Promoted meanwhile: this tab's own stream said hello.
    if (leading) return;
    const heard = early ?? [];
    early = null;
    sayStream(SHARED_TEXT[status]);
    if (picture) streamHandlers.hello(picture);
    const recent = picture?.recent ?? [];
    for (const message of heard) {
      if (message?.name === 'request' && recent.some((entry) => sameEntry(entry, message.data))) continue;
      hear(message);
    }
  };

  try {
    // The first tab leads at once; any other follows, and waits in line to lead.
    await navigator.locks.request(name, { ifAvailable: true }, (lock) => {
      if (lock) return lead();
      navigator.locks.request(name, lead).catch(() => {});
      follow();
      return undefined;
    });
  } catch {
    // Locks refused (an opaque origin, say): a stream of this tab's own.
    if (!leading) openStream();
  }
}
