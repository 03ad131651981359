// Live panel and timeline of the demo page: this file wires the modules
// beside it (ES modules, loaded by the page as they are: no build step).
//
// Three rules shape them:
// - They must not change what they show: they never call the status endpoint
//   and never make a request that counts as activity by itself. The server
//   pushes what it sees over a passive Server-Sent Events stream
//   (/demo/events), one for all the tabs of a session, not one per tab (see
//   stream.js); a tab that follows another tab's stream reads the passive
//   /demo/snapshot once. Every other request sent from here is one a person
//   asks for (the app request button, the limits form: controls.js).
// - The page enforces Trusted Types and a strict CSP: the DOM (and the SVG of
//   the timeline) is built with createElement(NS)/textContent only (no HTML
//   strings, no inline styles: classes and attributes).
// - The element never polls; this page's own timer only redraws from what it
//   already knows, a few times per second, while the page is visible.
//
//   format.js       words and numbers (the server's pages use it too)
//   page.js         the page's elements and log rows
//   history.js      what the panel knows, on this page's clock
//   panel.js        the facts panel and the request log
//   timeline.js     the timeline and its text alternative
//   stream.js       the live stream, shared by the tabs of a session
//   element-log.js  the element's events, and the editor's part in drafts
//   controls.js     the app request button and the limits form

import { wireAppRequest, wireLimits } from './controls.js';
import { listenToElement, wireDrafts } from './element-log.js';
import { known } from './history.js';
import { element } from './page.js';
import { render } from './panel.js';
import { connect } from './stream.js';
import { drawTimeline, wireTimeline } from './timeline.js';

const REDRAW_MS = 250;

/**
 * The limits the timeline draws (seconds): what the element plans with, its
 * read-only `limits` (the server's once it answered, else its attributes);
 * the server's as the live panel reported them while the element is not there yet.
 */
function currentLimits() {
  const limits = element()?.limits;
  if (limits) return { idle: limits.idleSeconds, timeout: limits.timeoutSeconds };
  return known.serverLimits ?? { idle: 780, timeout: 900 };
}

listenToElement();
wireDrafts();
wireAppRequest();
wireLimits();
wireTimeline({ limits: currentLimits });
connect();
// Redraws from what is already known: no requests.
setInterval(() => {
  if (document.visibilityState !== 'visible') return;
  render();
  drawTimeline();
}, REDRAW_MS);
