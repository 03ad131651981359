import { css } from 'lit';

/**
 * Defaults look right on a plain page and inherit its font; every colour,
 * space and radius is a custom property. System colours (Canvas,
 * CanvasText) follow the page's `color-scheme` (light or dark) and forced
 * colours. Nothing moves: no animation, no transition (reduced motion holds
 * by construction). The dialog fits a 320 CSS px viewport (400 % zoom) and
 * scrolls vertically, never horizontally, when the viewport is short.
 *
 * Inside the dialog the grid gap spaces the parts; the notice, in the page,
 * keeps a paragraph's margins. The error text keeps the dialog's colour
 * (contrast on any background), a bar marks it. The focus ring has the text
 * colour, so it contrasts with the dialog background too. (Comments stay out
 * of the css literal: they would ship.)
 */
export const styles = css`
  :host {
    display: contents;
    --_fg: var(--session-timeout-color, CanvasText);
    --_accent: var(--session-timeout-accent, #1d70b8);
  }
  dialog {
    box-sizing: border-box;
    inline-size: min(var(--session-timeout-width, 32rem), 100vw - 2rem);
    max-block-size: calc(100dvh - 2rem);
    overflow: auto;
    padding: var(--session-timeout-padding, min(1.5rem, 5vw));
    border: 1px solid color-mix(in srgb, currentColor 30%, transparent);
    border-radius: var(--session-timeout-radius, 0.5rem);
    font: var(--session-timeout-font, inherit);
    color: var(--_fg);
    background: var(--session-timeout-background, Canvas);
    overflow-wrap: break-word;
  }
  dialog::backdrop {
    background: var(--session-timeout-backdrop, rgb(0 0 0 / 0.6));
  }
  dialog[open] {
    display: grid;
    gap: var(--session-timeout-gap, 1rem);
  }
  dialog :is(h2, p) {
    margin: 0;
  }
  h2 {
    font-size: 1.375em;
    line-height: 1.25;
  }
  h2:focus {
    outline: none;
  }
  [part='countdown'] {
    font-weight: bold;
    font-variant-numeric: tabular-nums;
  }
  [part='error'] {
    border-inline-start: 4px solid var(--session-timeout-error, #d4351c);
    padding-inline-start: 0.75em;
    font-weight: bold;
  }
  [part='actions'] {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75em;
  }
  button {
    font: inherit;
    padding: 0.6em 1.1em;
    border-radius: var(--session-timeout-radius, 0.5rem);
    border: 2px solid var(--_accent);
    cursor: pointer;
    background: none;
    color: inherit;
  }
  [part='stay-button'] {
    background: var(--_accent);
    color: var(--session-timeout-accent-text, #fff);
  }
  button:hover {
    text-decoration: underline;
  }
  button:focus-visible {
    outline: 3px solid var(--session-timeout-focus, var(--_fg));
    outline-offset: 2px;
  }
  [aria-disabled='true'] {
    cursor: progress;
  }
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    margin: -1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  @media (forced-colors: active) {
    dialog,
    button {
      border: 2px solid CanvasText;
    }
    [part='stay-button'] {
      forced-color-adjust: none;
      background: ButtonText;
      color: ButtonFace;
    }
    button:focus-visible {
      outline-color: Highlight;
    }
  }
`;
