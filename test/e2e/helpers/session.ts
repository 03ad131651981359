// Small helpers shared by the end-to-end specs: signing in through the test
// hooks, reading the server's request log, finding the element's parts.
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';

export interface LogEntry {
  t: number;
  method: string;
  path: string;
  /** The mimics also log the query string ("?idleFor=12"). */
  search?: string;
  counted: boolean;
  status: number | null;
}

/** Sign in through POST /__test/login (page.request shares the page's cookies). */
export async function signIn(page: Page, server = '', user = 'tester'): Promise<string> {
  const res = await page.request.post(`${server}/__test/login`, { data: { user } });
  expect(res.ok(), 'POST /__test/login').toBe(true);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

/** The requests the server saw (GET /__test/log). */
export async function serverLog(page: Page, server = ''): Promise<LogEntry[]> {
  const res = await page.request.get(`${server}/__test/log`);
  expect(res.ok(), 'GET /__test/log').toBe(true);
  return (await res.json()) as LogEntry[];
}

export async function clearLog(page: Page, server = ''): Promise<void> {
  const res = await page.request.delete(`${server}/__test/log`);
  expect(res.ok(), 'DELETE /__test/log').toBe(true);
}

/** Log entries of one path (and method). */
export function callsTo(log: LogEntry[], path: string, method?: string): LogEntry[] {
  return log.filter((e) => e.path === path && (!method || e.method === method));
}

/** The element, its native dialog and its parts (CSS locators pierce the open shadow root). */
export function element(page: Page) {
  const host = page.locator('session-timeout-dialog');
  const dialog = host.locator('dialog[part="dialog"]');
  return {
    host,
    dialog,
    countdown: dialog.locator('[part="countdown"]'),
    message: dialog.locator('[part="message"]'),
    stay: dialog.locator('[part="stay-button"]'),
    signout: dialog.locator('[part="signout-button"]'),
    error: dialog.locator('[part="error"]'),
  };
}

/** True when the native dialog is open (showModal). */
export async function dialogOpen(dialog: Locator): Promise<boolean> {
  if ((await dialog.count()) === 0) return false;
  return dialog.evaluate((d) => (d as HTMLDialogElement).open);
}

export async function elementState(page: Page): Promise<string | null> {
  return page.locator('session-timeout-dialog').getAttribute('state');
}

export interface RecordedEvent {
  type: string;
  detail: unknown;
  /** The page's (fake) Date.now() when it was dispatched. */
  t: number;
  defaultPrevented: boolean;
}

const EVENT_NAMES = ['warn', 'extend', 'expire', 'signout', 'error'].map((n) => `session-timeout-${n}`);

/**
 * Record the element's events in every page of this test (an init script):
 * read them with `recordedEvents(page)`. `prevent` lists event names whose
 * default is prevented (as an app that shows its own UI would).
 */
export async function recordEvents(page: Page, prevent: string[] = []): Promise<void> {
  await page.addInitScript(
    ({ names, prevent }) => {
      const w = window as unknown as { __stdEvents?: unknown[]; __stdPrevent?: Set<string> };
      // Called again in the same test: only add what to prevent.
      if (w.__stdPrevent) {
        for (const name of prevent) w.__stdPrevent.add(name);
        return;
      }
      const events: unknown[] = (w.__stdEvents = []);
      const prevented = (w.__stdPrevent = new Set(prevent));
      for (const name of names) {
        document.addEventListener(name, (event) => {
          if (prevented.has(name)) event.preventDefault();
          events.push({
            type: name,
            detail: JSON.parse(JSON.stringify((event as CustomEvent).detail ?? null)),
            t: Date.now(),
            defaultPrevented: event.defaultPrevented,
          });
        });
      }
    },
    { names: EVENT_NAMES, prevent },
  );
}

export async function recordedEvents(page: Page, type?: string): Promise<RecordedEvent[]> {
  const all = await page.evaluate(() => (window as unknown as { __stdEvents?: RecordedEvent[] }).__stdEvents ?? []);
  return type ? all.filter((e) => e.type === type) : all;
}

/**
 * Ask the server's status endpoint directly (as the test, not the page). It
 * is passive, but it shows up in the request log: count calls before this.
 */
export async function serverStatus(page: Page, server = '', path = '/session/status'): Promise<Record<string, unknown>> {
  const res = await page.request.get(`${server}${path}`, { headers: { Accept: 'application/json' } });
  expect(res.status(), `GET ${path}`).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}
