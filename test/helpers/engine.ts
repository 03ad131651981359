/**
 * Which engine runs the tests, and the few test-runner commands that differ
 * per engine. Chromium and Firefox are driven by puppeteer (CDP, WebDriver
 * BiDi), WebKit by WebDriver classic, whose commands are fewer:
 * - sendKeys: only `press` and `type` (no `down`/`up` of a held key);
 * - setViewport: none (web-test-runner-commands throws for webdriver), and
 *   MiniBrowser's window cannot be narrower than its toolbar: `frameViewport`;
 * - emulateMedia: Chromium only (CDP; Firefox over BiDi and WebDriver have none).
 */
import { sendKeys } from '@web/test-runner-commands';

export type Engine = 'chromium' | 'firefox' | 'webkit';

const ua = navigator.userAgent;
export const engine: Engine = /Firefox\//.test(ua) ? 'firefox' : /Chrom(e|ium)\//.test(ua) ? 'chromium' : 'webkit';

/** `emulateMedia` needs CDP: Chromium only. */
export const canEmulateMedia = engine === 'chromium';

/** Shift+Tab. WebDriver classic cannot hold a key: WebDriver's key codes Shift (toggles the modifier on), Tab, Shift (off). */
export async function pressShiftTab(): Promise<void> {
  if (engine === 'webkit') {
    await sendKeys({ press: '\uE008\uE004\uE008' });
    return;
  }
  await sendKeys({ down: 'Shift' });
  await sendKeys({ press: 'Tab' });
  await sendKeys({ up: 'Shift' });
}

/**
 * A viewport of `width` × `height` CSS px where `setViewport` cannot make
 * one: an iframe of that size (vw, dvh, the top layer of a modal dialog and
 * getBoundingClientRect are the iframe's), with <session-timeout-dialog>
 * defined in it. WebKitGTK's MiniBrowser cannot be made narrower than its
 * toolbar (447 CSS px) and WebDriver has no viewport emulation; resolves
 * with the frame's document. `remove()` the frame when done.
 */
export async function frameViewport(size: { width: number; height: number }): Promise<{ frame: HTMLIFrameElement; doc: Document }> {
  const frame = document.createElement('iframe');
  frame.style.cssText = `display: block; border: 0; width: ${size.width}px; height: ${size.height}px;`;
  const loaded = new Promise((resolve, reject) => {
    frame.addEventListener('load', resolve, { once: true });
    frame.addEventListener('error', reject, { once: true });
  });
  frame.src = new URL('./viewport-frame.html', import.meta.url).href;
  document.body.append(frame);
  await loaded;
  const win = frame.contentWindow!;
  await win.customElements.whenDefined('session-timeout-dialog');
  if (win.innerWidth !== size.width || win.innerHeight !== size.height) {
    throw new Error(`frameViewport: asked for ${size.width}×${size.height}, got ${win.innerWidth}×${win.innerHeight}`);
  }
  return { frame, doc: frame.contentDocument! };
}
