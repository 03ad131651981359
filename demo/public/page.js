// The demo page's own elements, and the rows of its two logs.

const MAX_ROWS = 100;

export const byId = (id) => document.getElementById(id);
export const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
export const element = () => document.querySelector('session-timeout-dialog');

/** Put a row on top of a log (#request-log, #event-log): [class, text] parts, built as text only. */
export function addRow(listId, parts, kind) {
  const list = byId(listId);
  if (!list) return;
  const li = document.createElement('li');
  if (kind) li.dataset.kind = kind;
  for (const [cls, text] of parts) {
    const part = document.createElement('span');
    part.className = cls;
    part.textContent = text;
    li.append(part, ' ');
  }
  list.prepend(li);
  while (list.children.length > MAX_ROWS) list.lastElementChild.remove();
}
