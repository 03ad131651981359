// The page's two controls that talk to the server because the person asks:
// the app request button and the per-session limits form.

import { durationWords } from './format.js';
import { showLimits } from './panel.js';
import { byId, csrfToken, element } from './page.js';
import { forgetPlan } from './timeline.js';

/** The app request button: an ordinary request that counts as activity. */
export function wireAppRequest() {
  const button = byId('app-request');
  const out = byId('app-result');
  if (!button || !out) return;
  button.addEventListener('click', async () => {
    out.textContent = 'Sending…';
    try {
      const res = await fetch('/api/echo', {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
        body: JSON.stringify({ message: 'hello from the demo' }),
      });
      out.textContent =
        res.status === 200
          ? 'The server answered 200: this request counted as activity.'
          : res.status === 401
            ? 'The server answered 401: the session is over.'
            : `The server answered ${res.status}.`;
    } catch {
      out.textContent = 'The request failed (network error).';
    }
  });
}

/**
 * The limits form: posts to /demo/limits (the server keeps them for this
 * session), then tells the element. The server's limits win in the element,
 * so after the new attributes it asks the server once (check(), a passive
 * status request) and adopts what the server now reports.
 */
export function wireLimits() {
  const form = byId('limits-form');
  const out = byId('limits-result');
  if (!form || !out) return;
  const say = (text, isError = false) => {
    out.replaceChildren();
    const part = document.createElement('span');
    if (isError) part.className = 'error-text';
    part.textContent = text;
    out.append(part);
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = new URLSearchParams();
    const submitter = event.submitter;
    if (submitter?.name === 'preset') {
      body.set('preset', submitter.value);
    } else {
      body.set('idleSeconds', form.elements.idleSeconds.value.trim());
      body.set('timeoutSeconds', form.elements.timeoutSeconds.value.trim());
    }
    say('Saving…');
    let res;
    let answer;
    try {
      res = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { Accept: 'application/json', 'X-CSRFToken': csrfToken() },
        body,
      });
      answer = await res.json().catch(() => ({}));
    } catch {
      say('The request failed (network error).', true);
      return;
    }
    if (res.status === 400) return say(answer.message ?? 'Those limits are not valid.', true);
    if (res.status === 401) return say('The session is over: sign in again.', true);
    if (res.status === 403) return say('The form had expired: reload the page.', true);
    if (res.status !== 200) return say(`The server answered ${res.status}.`, true);
    const { idleSeconds, timeoutSeconds } = answer;
    form.elements.idleSeconds.value = String(idleSeconds);
    form.elements.timeoutSeconds.value = String(timeoutSeconds);
    showLimits(idleSeconds, timeoutSeconds);
    const el = element();
    if (el) {
      el.setAttribute('idle-seconds', String(idleSeconds));
      el.setAttribute('timeout-seconds', String(timeoutSeconds));
      forgetPlan();
      el.check?.().catch?.(() => {});
    }
    say(
      `${answer.isDefault ? 'Back to the server’s defaults' : 'For this session'}: a warning after ${durationWords(idleSeconds)}, ` +
        `signed out after ${durationWords(timeoutSeconds)} without activity.`,
    );
  });
}
