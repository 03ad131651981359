// The iframe editor's toolbar (editor.html): bold, italic, a bulleted list,
// and a placeholder while the text is empty. Nothing here concerns the
// session: the element in the parent page hears the keys and clicks itself.

const text = document.getElementById('notes');
const buttons = [...document.querySelectorAll('button[data-command]')];

/** Empty means no characters and no list: then the placeholder shows. */
function showPlaceholder() {
  text.classList.toggle('is-empty', text.textContent.trim() === '' && !text.querySelector('li'));
}

/** The buttons say whether the selection is bold, italic, in a list. */
function showState() {
  const inside = text.contains(document.getSelection()?.anchorNode ?? null);
  for (const button of buttons) {
    const on = inside && document.queryCommandState(button.dataset.command);
    button.setAttribute('aria-pressed', String(on));
  }
}

for (const button of buttons) {
  // Keep the selection in the text when the button is pressed with a pointer.
  button.addEventListener('mousedown', (event) => event.preventDefault());
  button.addEventListener('click', () => {
    text.focus();
    document.execCommand(button.dataset.command);
    showPlaceholder();
    showState();
  });
}

text.addEventListener('input', showPlaceholder);
document.addEventListener('selectionchange', showState);
showPlaceholder();
