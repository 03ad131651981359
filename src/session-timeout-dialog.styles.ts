import { css } from 'lit';

/**
 * Defaults look right on a plain page and inherit its font; every colour,
 * space and radius is a custom property. System colours (Canvas,
 * CanvasText) follow the page's light or dark scheme and forced colours.
 */
export const styles = css`
  :host {
    display: contents;
    --_accent: var(--session-timeout-accent, #1d70b8);
  }
  dialog {
    box-sizing: border-box;
    inline-size: min(var(--session-timeout-width, 32rem), calc(100vw - 2rem));
    max-block-size: calc(100dvh - 2rem);
    overflow: auto;
    padding: var(--session-timeout-padding, 1.5rem);
    border: 1px solid color-mix(in srgb, currentColor 30%, transparent);
    border-radius: var(--session-timeout-radius, 0.5rem);
    font: var(--session-timeout-font, inherit);
    color: var(--session-timeout-color, CanvasText);
    background: var(--session-timeout-background, Canvas);
    color-scheme: light dark;
    overflow-wrap: break-word;
  }
  dialog::backdrop {
    background: var(--session-timeout-backdrop, rgb(0 0 0 / 0.6));
  }
  dialog[open] {
    display: grid;
    gap: var(--session-timeout-gap, 1rem);
  }
  h2,
  p {
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
    color: var(--session-timeout-error, #d4351c);
    border-inline-start: 4px solid currentColor;
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
    background: transparent;
    color: inherit;
    transition: filter 0.15s;
  }
  [part='stay-button'] {
    background: var(--_accent);
    color: var(--session-timeout-accent-text, #fff);
  }
  button:hover {
    filter: brightness(1.1);
  }
  button:focus-visible {
    outline: 3px solid var(--session-timeout-focus, #fd0);
    outline-offset: 2px;
  }
  button[aria-disabled='true'] {
    cursor: progress;
    opacity: 0.75;
  }
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
  @media (prefers-reduced-motion: reduce) {
    button {
      transition: none;
    }
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
