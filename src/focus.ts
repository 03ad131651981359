/**
 * Focus in and around the element's modal dialog, across shadow roots: where
 * focus is, what Tab reaches, and keeping Tab inside the dialog.
 */

/** The focused element, looking inside open shadow roots. */
export function deepActiveElement(): HTMLElement | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : null;
}

/**
 * Elements of `root` that Tab reaches, in the order it reaches them (flat
 * tree: slotted content, or the slot's fallback, and open shadow roots).
 */
export function tabbables(root: Element): HTMLElement[] {
  const found: HTMLElement[] = [];
  const visit = (el: Element): void => {
    const visible = typeof el.checkVisibility !== 'function' || el.checkVisibility();
    if (el instanceof HTMLElement && el.tabIndex >= 0 && !el.matches(':disabled') && visible) found.push(el);
    const children =
      el instanceof HTMLSlotElement && el.assignedNodes().length
        ? el.assignedElements({ flatten: true })
        : [...(el.shadowRoot ?? el).children];
    children.forEach(visit);
  };
  [...root.children].forEach(visit);
  return found;
}

/**
 * Tab from the last control of `dialog` goes to the first, Shift+Tab from
 * the first to the last (WAI-ARIA APG modal dialog). Without it, Firefox
 * (153 ESR) brings focus back from the browser's toolbar to the *last*
 * control of a modal dialog in a shadow root, so Tab alone never reaches
 * "Stay signed in" again. The key is also known by `code`: WebKitGTK (2.50)
 * reports Shift+Tab's keydown as `key: 'Unidentified'`, `code: 'Tab'`.
 */
export function wrapTab(event: KeyboardEvent, dialog: Element): void {
  if ((event.key !== 'Tab' && event.code !== 'Tab') || event.altKey || event.ctrlKey || event.metaKey) return;
  const controls = tabbables(dialog);
  const current = deepActiveElement();
  const to = event.shiftKey ? current === controls[0] && controls.at(-1) : current === controls.at(-1) && controls[0];
  if (!to) return;
  event.preventDefault();
  to.focus();
}
