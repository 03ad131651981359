// The element's events in the event log and on the timeline, and the demo's
// part in keep-drafts (the iframe editor's text goes into the draft and
// comes back with it).

import { clock } from './format.js';
import { noteElementEvent } from './history.js';
import { addRow, byId } from './page.js';
import { drawTimeline } from './timeline.js';

const ELEMENT_EVENTS = [
  'session-timeout-warn',
  'session-timeout-extend',
  'session-timeout-expire',
  'session-timeout-signout',
  'session-timeout-error',
];

export function listenToElement() {
  for (const name of ELEMENT_EVENTS) {
    document.addEventListener(name, (event) => {
      let detail = '';
      try {
        detail = event.detail === undefined || event.detail === null ? '' : JSON.stringify(event.detail);
      } catch {
        detail = String(event.detail);
      }
      const t = Date.now();
      const short = name.replace('session-timeout-', '');
      // Read defaultPrevented after the other listeners had their turn.
      queueMicrotask(() => {
        const prevented = event.defaultPrevented ? '(prevented)' : '';
        mark(t, short, { detail, what: prevented, kind: short, text: `${clock(t)} ${short} ${detail}${prevented ? ` ${prevented}` : ''}` });
      });
    });
  }
}

/** One moment in the event log and on the timeline. */
function mark(t, name, { detail, what, kind, text }) {
  addRow(
    'event-log',
    [
      ['time', clock(t)],
      ['event', name],
      ['detail', detail],
      ['what', what],
    ],
    kind,
  );
  noteElementEvent(t, name, text);
  drawTimeline();
}

// ------------------------------------------------------------------ drafts (keep-drafts)

/** Mark a drafts moment in the event log and on the timeline (never what was typed). */
function markDraft(label, what) {
  const t = Date.now();
  mark(t, label, { detail: '', what, kind: 'draft', text: `${clock(t)} ${label}` });
}

/** The iframe editor's text area (editor.html), beside its toolbar; null until it is loaded. */
function editorText(editor) {
  return editor?.contentDocument?.getElementById('notes') ?? null;
}

/**
 * The iframe editor is app state the element cannot see: add its text to the
 * draft at timeout (as lines: no markup is kept, none is parsed back), and
 * put it back when the draft comes back.
 */
export function wireDrafts() {
  const editor = byId('editor');
  document.addEventListener('session-timeout-draft', (event) => {
    const lines = editorText(editor)?.innerText.split('\n') ?? [];
    if (lines.some((text) => text.trim() !== '')) event.detail.data.editor = lines;
    markDraft('draft sealed', 'the changed fields and the editor, with your key');
  });
  document.addEventListener('session-timeout-restore', (event) => {
    const lines = event.detail.data.editor;
    markDraft('draft restored', `${event.detail.fields.length} field(s)${Array.isArray(lines) ? ' and the editor' : ''}`);
    if (!Array.isArray(lines) || !editor) return;
    const fill = () => {
      const text = editorText(editor);
      // Only an editor still empty: what was typed since the load wins.
      if (!text || text.textContent.trim() !== '') return;
      const doc = text.ownerDocument;
      text.replaceChildren(
        ...lines.map((line) => {
          const p = doc.createElement('p');
          p.textContent = String(line);
          return p;
        }),
      );
      // As typing would: the editor hides its placeholder.
      text.dispatchEvent(new Event('input', { bubbles: true }));
    };
    if (editor.contentDocument?.readyState === 'complete' && editor.contentDocument.URL !== 'about:blank') fill();
    else editor.addEventListener('load', fill, { once: true });
  });
}
