/**
 * What a draft holds from the page: the values of form controls the person
 * changed, and how each control is found again on the next load of the same
 * page. No Lit, no crypto, no storage: only the DOM.
 *
 * Never collected: passwords, hidden and file inputs, buttons, controls whose
 * `autocomplete` names a secret (passwords, one-time codes, card data), any
 * control marked `data-session-draft="off"` (on itself or an ancestor), and
 * controls still at their default value (nothing was typed there).
 */

/** One control's value in a draft. */
export interface DraftField {
  /** Its form: `id:…`, else `name:…`, else `index:N` among the page's forms; `''` when it has no form. */
  form: string;
  /** The control in its form: `name:…`, else `id:…`, else `index:N`; a checkbox or radio adds `=value`; a repeated name adds `#N`. */
  control: string;
  /** Text, the selected options of a multiple select, or the checked state of a checkbox or radio. */
  value: string | string[] | boolean;
}

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** Input types that carry no typed value or must never be kept. */
const NEVER_TYPES = new Set(['password', 'hidden', 'file', 'submit', 'reset', 'button', 'image']);
/** `autocomplete` tokens that name a secret (HTML's autofill field names). */
const SECRET_TOKEN = /^(?:current-password|new-password|one-time-code|cc-.+)$/;

/** True when this control's value must never be written anywhere. */
export function isExcluded(el: Control): boolean {
  if (el instanceof HTMLInputElement && NEVER_TYPES.has(el.type)) return true;
  const tokens = (el.getAttribute('autocomplete') ?? '').toLowerCase().split(/\s+/);
  if (tokens.some((token) => SECRET_TOKEN.test(token))) return true;
  // On the control, an ancestor, or the form it belongs to (`form=` may tie
  // it to a form elsewhere in the page); "off" in any case, spaces aside.
  const off = (node: Element | null): boolean => {
    for (let at = node; at; at = at.parentElement) {
      if (at.getAttribute('data-session-draft')?.trim().toLowerCase() === 'off') return true;
    }
    return false;
  };
  return off(el) || off(el.form);
}

const isCheckable = (el: Control): el is HTMLInputElement =>
  el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio');

/** True when the person has not changed this control (its value is the page's own). */
export function isAtDefault(el: Control): boolean {
  if (isCheckable(el)) return el.checked === el.defaultChecked;
  if (el instanceof HTMLSelectElement) {
    const options = [...el.options];
    const defaults = options.filter((o) => o.defaultSelected);
    // A single select with no `selected` option shows its first one.
    if (!el.multiple && defaults.length === 0) return el.selectedIndex <= 0;
    if (!el.multiple) return el.selectedIndex === options.indexOf(defaults.at(-1)!);
    return options.every((o) => o.selected === o.defaultSelected);
  }
  return el.value === el.defaultValue;
}

function valueOf(el: Control): DraftField['value'] {
  if (isCheckable(el)) return el.checked;
  if (el instanceof HTMLSelectElement && el.multiple) return [...el.selectedOptions].map((o) => o.value);
  return el.value;
}

function formRef(form: HTMLFormElement | null, doc: Document): string {
  if (!form) return '';
  if (form.id) return `id:${form.id}`;
  const name = form.getAttribute('name');
  if (name) return `name:${name}`;
  return `index:${[...doc.forms].indexOf(form)}`;
}

/**
 * Every control of the page with the reference it is found by. The same
 * page (same markup) gives the same references on the next load, whatever
 * the person typed: positions count every control, kept or not.
 */
function controls(doc: Document): Map<string, Control> {
  const found = new Map<string, Control>();
  const positions = new Map<HTMLFormElement | null, number>();
  for (const el of doc.querySelectorAll<Control>('input, textarea, select')) {
    const form = el.form;
    const position = positions.get(form) ?? 0;
    positions.set(form, position + 1);
    const name = el.getAttribute('name');
    let ref = name ? `name:${name}` : el.id ? `id:${el.id}` : `index:${position}`;
    if (isCheckable(el)) ref += `=${el.value}`;
    const base = `${formRef(form, doc)}\u0000${ref}`;
    let key = base;
    for (let n = 1; found.has(key); n++) key = `${base}#${n}`;
    found.set(key, el);
  }
  return found;
}

const split = (key: string): [string, string] => {
  const at = key.indexOf('\u0000');
  return [key.slice(0, at), key.slice(at + 1)];
};

/** The changed values of the page's controls that may be kept. */
export function collectFields(doc: Document = document): DraftField[] {
  const fields: DraftField[] = [];
  for (const [key, el] of controls(doc)) {
    if (isExcluded(el) || isAtDefault(el)) continue;
    const [form, control] = split(key);
    fields.push({ form, control, value: valueOf(el) });
  }
  return fields;
}

/**
 * Put the values back into the controls that are found again, may be kept,
 * and are still at their default (whatever the page or the person filled in
 * since the load wins). Each filled control gets `input` then `change`, as
 * if the person had typed, so that frameworks bound to it see the value.
 * Returns how many controls were filled.
 */
export function fillFields(fields: readonly DraftField[], doc: Document = document): number {
  const found = controls(doc);
  let filled = 0;
  for (const field of fields) {
    const el = found.get(`${field.form}\u0000${field.control}`);
    if (!el || isExcluded(el) || !isAtDefault(el)) continue;
    const { value } = field;
    if (isCheckable(el)) {
      if (typeof value !== 'boolean') continue;
      el.checked = value;
    } else if (el instanceof HTMLSelectElement && el.multiple) {
      if (!Array.isArray(value)) continue;
      for (const option of el.options) option.selected = value.includes(option.value);
    } else {
      if (typeof value !== 'string') continue;
      el.value = value;
    }
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    filled++;
  }
  return filled;
}

/**
 * Put every control the person changed back to the page's own value,
 * secrets included, without events: the page is leaving, and what it showed
 * must not come back with it (the back/forward cache keeps the page as it
 * was, and browsers restore form values into a page loaded again from
 * history). Returns how many controls were reset.
 */
export function resetFields(doc: Document = document): number {
  let reset = 0;
  for (const el of controls(doc).values()) {
    if (isAtDefault(el)) continue;
    if (isCheckable(el)) el.checked = el.defaultChecked;
    else if (el instanceof HTMLSelectElement) for (const option of el.options) option.selected = option.defaultSelected;
    else el.value = el.defaultValue;
    reset++;
  }
  return reset;
}
