// Never wrong, never unsafe: what the element does when the server misbehaves,
// one test per row, against the reference server's fault injection
// (POST /__test/faults). docs/design.md, failure rules and server contract: an error (403, 5xx, bad JSON, a
// timeout, the network) is never an expiry; the local deadline always holds
// (the warning at warnAt, leaving at expireAt, never early); retries back off
// and stop at the deadline; only a clear sign that the session is over (401,
// 440, a redirect, a login page, EXPIRED) leaves at once. A failed "Stay
// signed in" keeps the dialog open with an announced error and can be retried.
//
// Limits: warning after 60 s, signed out after 120 s. "Broken" = the fault
// answers every call of that kind until the test clears it.
//
// fault                                   | what the person sees                                               | event                                              | leaves?
// ----------------------------------------|--------------------------------------------------------------------|----------------------------------------------------|------------------------------------------
// status 500 (broken)                     | the warning at 60 s with the right countdown; no error text         | session-timeout-error {status, 500} per call       | at 120 s (local deadline), never before
// status 502 + Retry-After 20 (broken)    | same                                                               | error {status, 502}; calls ≥ 20 s apart            | at 120 s
// status 503 + Retry-After 20 (broken)    | same                                                               | error {status, 503}; calls ≥ 20 s apart            | at 120 s
// status 403 (broken)                     | same                                                               | error {status, 403}                                | at 120 s
// status truncated JSON (broken)          | same                                                               | error {status, 200, "invalid JSON"}                | at 120 s
// status wrong-shaped JSON (broken)       | same                                                               | error {status, 200, "unexpected answer"}           | at 120 s
// status hung (broken)                    | the warning at 65 s (the call is aborted after 5 s)                 | error {status} (no HTTP status, "no answer…")      | at 120–125 s (deadline + one aborted call)
// status 500 once, other device active    | the warning at 60 s, closed by the retry that learns the activity   | error {status, 500}, then extend {server}          | no
// status 401                              | no warning: the sign-in page ("signed out because inactive")        | session-timeout-expire                             | at once (the 60 s check)
// status 440                              | same                                                               | expire                                             | at once
// status 302 to the login page            | same                                                               | expire                                             | at once
// status 200 login page (HTML)            | same                                                               | expire                                             | at once
// server restart (sessions lost)          | same (the next status says EXPIRED)                                 | expire                                             | at once, at the next check (60 s)
// network offline, then back              | the warning at 60 s from the local estimate; "stay" works once back | error {status} (no HTTP status) per attempt        | no (stayed); else at 120 s
// keepalive 500 on "Stay signed in"       | the dialog stays open + "We could not keep you signed in…" (alert)  | error {keepalive, 500}                             | no; pressing again once it works closes it
// keepalive 502/503 + Retry-After         | same                                                               | error {keepalive, 502/503}                         | no; retry works
// keepalive 403 (CSRF)                    | same                                                               | error {keepalive, 403}                             | no; retry works
// keepalive truncated / wrong-shaped JSON | same                                                               | error {keepalive, 200}                             | no; retry works
// keepalive hung                          | after 5 s the same error text; the countdown goes on               | error {keepalive} (no HTTP status)                 | no; retry works
// keepalive while offline                 | the same error text                                                | error {keepalive} (no HTTP status)                 | no; retry works once online
// keepalive 401 / 440 / 302 / HTML        | the sign-in page                                                   | expire                                             | at once
// silent keepalive 500 while typing       | nothing (no dialog): it is retried until it works                  | error {keepalive, 500}                             | no
// slow silent keepalive (answer after the | the warning stays open (only the person ends a warning)            | —                                                  | at 120 s if nobody acts
//   warning opened)                       |                                                                    |                                                    |
import { test, expect } from './fixtures.js';
import { Harness, type FaultKind, type Tab } from './helpers/tabs.js';

test.use({ sessionSettings: { idleSeconds: 60, timeoutSeconds: 120 } });
// Time is fake_ but every step of it is real work for a shared_ busy machine.
test.describe.configure({ timeout: 180_000 });

const TIMED_OUT = /\/login\?timed-out=1$/;
const ERROR_TEXT = /could not keep you signed in/i;

const onPage = (tab: Tab) => expect(tab.page.url(), `${tab.name} is still on the page`).toMatch(/\/$/);

function expectNoExpiry(tab: Tab): void {
  expect(tab.of('expire'), 'an error is never an expiry').toHaveLength(0);
  onPage(tab);
}

/** Errors recorded for `operation`, with the HTTP status each carried (undefined: none). */
function errors(tab: Tab, operation: 'status' | 'keepalive') {
  const all = tab.of('error');
  expect(all.every((e) => e.detail.operation === operation), `every error is about ${operation}: ${JSON.stringify(all)}`).toBe(true);
  for (const e of all) expect(typeof e.detail.message).toBe('string');
  return all.map((e) => e.detail.status as number | undefined);
}

interface ErrorRow {
  label: string;
  kind: FaultKind;
  status?: number;
  retryAfter?: number;
}

const STATUS_ERRORS: ErrorRow[] = [
  { label: '500', kind: '500', status: 500 },
  { label: '502 with Retry-After 20', kind: '502', status: 502, retryAfter: 20 },
  { label: '503 with Retry-After 20', kind: '503', status: 503, retryAfter: 20 },
  { label: '403', kind: '403', status: 403 },
  { label: 'truncated JSON', kind: 'truncated', status: 200 },
  { label: 'wrong-shaped JSON', kind: 'badjson', status: 200 },
  { label: 'a hung connection', kind: 'hang' },
];

const EXPIRY_KINDS: { label: string; kind: FaultKind }[] = [
  { label: '401', kind: '401' },
  { label: '440', kind: '440' },
  { label: 'a 302 to the login page', kind: '302' },
  { label: 'a 200 login page (HTML)', kind: 'html' },
];

test.describe('status faults', () => {
  for (const row of STATUS_ERRORS) {
    test(`status ${row.label}, broken: an error, not an expiry; warning and departure on the local deadline`, async ({ context }) => {
      const hang = row.kind === 'hang';
      const h = await Harness.start(context);
      const tab = await h.open();
      await h.fault('status', row.kind, { count: 10_000, retryAfter: row.retryAfter });

      await h.advanceTo(59);
      expect(tab.warned).toBe(false);
      // The status call at the warning fails; the local estimate holds. A
      // hung call is given up after 5 s, so the warning comes 5 s late.
      await h.advanceTo(hang ? 66 : 61);
      await expect(tab.dialog).toBeVisible();
      await expect(tab.error, 'status errors are not the person’s to fix').toBeHidden();
      const codes = errors(tab, 'status');
      expect(codes.length).toBeGreaterThanOrEqual(1);
      for (const code of codes) expect(code).toBe(row.status);
      if (hang) expect(tab.of('error')[0]!.detail.message).toMatch(/5 s/);
      expectNoExpiry(tab);
      // The countdown is the local estimate: what is left of the 120 s (the
      // page load, a few ms before 0 s, starts the clock).
      const warn = tab.of('warn')[0]!;
      expect(Math.abs(warn.detail.remainingSeconds - (120 - warn.at))).toBeLessThanOrEqual(1);

      // Never early…
      await h.advanceTo(119);
      expectNoExpiry(tab);
      await expect(tab.dialog).toBeVisible();
      // …and the page does leave at the deadline though the server stays broken.
      await h.advanceTo(hang ? 126 : 121);
      await tab.page.waitForURL(TIMED_OUT);
      const expire = tab.of('expire');
      expect(expire).toHaveLength(1);
      expect(expire[0]!.at).toBeGreaterThanOrEqual(120);
      expect(expire[0]!.at).toBeLessThanOrEqual(hang ? 125.5 : 121);

      // Retries back off, and stop at the deadline.
      const calls = (await h.serverCalls()).filter((c) => c.op === 'status');
      expect(calls.length, `status calls: ${JSON.stringify(calls.map((c) => c.at))}`).toBeGreaterThanOrEqual(3);
      expect(calls.length, `status calls: ${JSON.stringify(calls.map((c) => c.at))}`).toBeLessThanOrEqual(10);
      expect(calls[0]!.at).toBeGreaterThanOrEqual(60);
      expect(calls.at(-1)!.at).toBeLessThanOrEqual(hang ? 125.5 : 121);
      const retries = calls.filter((c) => c.at < 120);
      const gaps = retries.slice(1).map((c, i) => c.at - retries[i]!.at);
      if (row.retryAfter) {
        for (const gap of gaps) expect(gap, 'Retry-After is honoured').toBeGreaterThanOrEqual(row.retryAfter);
      } else {
        expect(Math.max(...gaps), `the backoff grows: gaps ${JSON.stringify(gaps)}`).toBeGreaterThanOrEqual(8);
      }
      expect(calls.every((c) => c.activity.startsWith('fault:'))).toBe(true);
    });
  }

  test('status 500 once while another device was active: the retry that works learns it and closes the warning', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.advanceTo(30);
    await h.appRequest(); // the same session, used elsewhere at 30 s
    await h.fault('status', '500', { count: 1 });
    // The check at 60 s fails: the local estimate says warn, so it warns…
    // …and the retry (about a second later) finds the activity: the person is fine.
    await h.advanceTo(64);
    expect(errors(tab, 'status')).toEqual([500]);
    expect(tab.of('dialog-open'), 'the local estimate opened the warning').toHaveLength(1);
    expect(tab.of('warn')[0]!.at).toBeLessThan(61);
    await expect(tab.dialog).toBeHidden();
    await expect(tab.element).toHaveAttribute('state', 'active');
    expect(tab.of('extend').map((e) => e.detail.source)).toEqual(['server']);
    // The deadline is now 30 + 120 = 150 s.
    await h.advanceTo(149);
    expectNoExpiry(tab);
    await h.advanceTo(151);
    await tab.page.waitForURL(TIMED_OUT);
  });

  for (const row of EXPIRY_KINDS) {
    test(`status ${row.label}: the session is over, leaves at once without a warning`, async ({ context }) => {
      const h = await Harness.start(context);
      const tab = await h.open();
      await h.fault('status', row.kind, { count: 10_000 });
      await h.advanceTo(59);
      onPage(tab);
      await h.advanceTo(61);
      await tab.page.waitForURL(TIMED_OUT);
      expect(tab.of('expire')).toHaveLength(1);
      expect(tab.of('expire')[0]!.at).toBeLessThanOrEqual(61);
      expect(tab.of('error'), 'an expiry is not an error').toHaveLength(0);
      expect(tab.of('dialog-open'), 'no warning for a session that is over').toHaveLength(0);
      await expect(tab.page.getByText(/signed out because you were inactive/i)).toBeVisible();
    });
  }

  test('the server restarts and loses the session: the next status says EXPIRED, leaves at once', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.advanceTo(30);
    expect((await h.api.post('/__test/restart')).ok()).toBe(true);
    await h.advanceTo(59);
    onPage(tab);
    await h.advanceTo(61);
    await tab.page.waitForURL(TIMED_OUT);
    expect(tab.of('expire')).toHaveLength(1);
    expect(tab.of('dialog-open')).toHaveLength(0);
    expect(tab.of('error')).toHaveLength(0);
    expect((await h.serverCalls()).map((c) => [c.op, c.status])).toEqual([['status', 200]]);
  });

  test('the network goes offline, then comes back: errors, not an expiry; "stay" works once back', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.advanceTo(30);
    await context.setOffline(true);
    await h.advanceTo(61);
    await expect(tab.dialog).toBeVisible();
    const codes = errors(tab, 'status');
    expect(codes.length).toBeGreaterThanOrEqual(1);
    expect(codes.every((c) => c === undefined), 'a network error has no HTTP status').toBe(true);
    await h.advanceTo(75);
    expectNoExpiry(tab);
    // Attempts back off while offline (a few, not one per second), and none reached the server.
    const attempts = tab.calls.filter((c) => c.op === 'status');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.length).toBeLessThanOrEqual(6);
    expect(await h.serverCalls()).toEqual([]);
    await context.setOffline(false);
    await tab.stayButton.click();
    await h.settle();
    await expect(tab.dialog).toBeHidden();
    await expect(tab.element).toHaveAttribute('state', 'active');
    expect(tab.of('extend').map((e) => e.detail.source)).toEqual(['user']);
    await h.advanceTo(130);
    expectNoExpiry(tab);
  });
});

test.describe('keepalive faults on "Stay signed in"', () => {
  const KEEPALIVE_ERRORS: ErrorRow[] = [
    { label: '500', kind: '500', status: 500 },
    { label: '502 with Retry-After 20', kind: '502', status: 502, retryAfter: 20 },
    { label: '503 with Retry-After 20', kind: '503', status: 503, retryAfter: 20 },
    { label: '403 (CSRF)', kind: '403', status: 403 },
    { label: 'truncated JSON', kind: 'truncated', status: 200 },
    { label: 'wrong-shaped JSON', kind: 'badjson', status: 200 },
    { label: 'a hung connection', kind: 'hang' },
  ];

  for (const row of KEEPALIVE_ERRORS) {
    test(`keepalive ${row.label}: the dialog stays open with an announced error; pressing again works once the fault clears`, async ({ context }) => {
      const hang = row.kind === 'hang';
      const h = await Harness.start(context);
      const tab = await h.open();
      await h.advanceTo(62);
      await expect(tab.dialog).toBeVisible();
      await h.fault('keepalive', row.kind, { count: 10_000, retryAfter: row.retryAfter });
      await tab.stayButton.click();
      await h.settle();
      if (hang) {
        // Nothing yet: the call is in flight until it is given up after 5 s.
        await expect(tab.error).toBeHidden();
        await h.advance(6);
      }
      await expect(tab.dialog).toBeVisible();
      await expect(tab.error).toBeVisible();
      await expect(tab.error).toHaveAttribute('role', 'alert');
      await expect(tab.error).toHaveText(ERROR_TEXT);
      await expect(tab.element).toHaveAttribute('state', 'warning');
      expect(errors(tab, 'keepalive')).toEqual([row.status]);
      expectNoExpiry(tab);
      // The countdown goes on while the error shows.
      // Rounded down, never more than is left (the local estimate may start
      // a fraction of a second before the server saw the page: one less).
      expect(await tab.countdownSeconds()).toBeLessThanOrEqual(Math.floor(120 - h.now));
      expect(await tab.countdownSeconds()).toBeGreaterThanOrEqual(Math.floor(120 - h.now) - 1);

      await h.clearFaults();
      await tab.stayButton.click();
      await h.settle();
      await expect(tab.dialog).toBeHidden();
      await expect(tab.error).toBeHidden();
      await expect(tab.element).toHaveAttribute('state', 'active');
      expect(tab.of('extend').map((e) => e.detail.source)).toEqual(['user']);
      const keepalives = (await h.serverCalls()).filter((c) => c.op === 'keepalive');
      expect(keepalives.map((c) => c.activity)).toEqual([`fault:${row.kind}`, 'counted']);
      // Extended for real: no departure at the old deadline.
      await h.advanceTo(125);
      expectNoExpiry(tab);
    });
  }

  test('keepalive while offline: the dialog stays open with the error; pressing again works once online', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.advanceTo(62);
    await context.setOffline(true);
    await tab.stayButton.click();
    await h.settle();
    await expect(tab.error).toBeVisible();
    await expect(tab.error).toHaveAttribute('role', 'alert');
    await expect(tab.dialog).toBeVisible();
    expect(errors(tab, 'keepalive')).toEqual([undefined]);
    expectNoExpiry(tab);
    await context.setOffline(false);
    await tab.stayButton.click();
    await h.settle();
    await expect(tab.dialog).toBeHidden();
    await expect(tab.element).toHaveAttribute('state', 'active');
  });

  for (const row of EXPIRY_KINDS) {
    test(`keepalive ${row.label}: the session is over, leaves at once`, async ({ context }) => {
      const h = await Harness.start(context);
      const tab = await h.open();
      await h.advanceTo(62);
      await expect(tab.dialog).toBeVisible();
      await h.fault('keepalive', row.kind, { count: 10_000 });
      await tab.stayButton.click();
      await tab.page.waitForURL(TIMED_OUT);
      expect(h.now).toBe(62);
      expect(tab.of('expire')).toHaveLength(1);
      expect(tab.of('error'), 'an expiry is not an error').toHaveLength(0);
      expect(tab.of('extend')).toHaveLength(0);
    });
  }
});

test.describe('silent keepalives (the person works, no request of their own)', () => {
  test('a silent keepalive that fails while the person types: an error event, no dialog, retried until it works', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    await h.fault('keepalive', '500', { count: 2 });
    for (let t = 10; t <= 150; t += 10) {
      await h.advanceTo(t);
      await tab.type('x');
    }
    expect(tab.warned, 'the person was working: no warning').toBe(false);
    expectNoExpiry(tab);
    await expect(tab.error).toBeHidden();
    expect(errors(tab, 'keepalive')).toEqual([500, 500]);
    const keepalives = (await h.serverCalls()).filter((c) => c.op === 'keepalive');
    // Two failed at 60 s and one retry later, then it worked (then once a minute).
    expect(keepalives.slice(0, 3).map((c) => c.activity)).toEqual(['fault:500', 'fault:500', 'counted']);
    expect(keepalives[2]!.at).toBeLessThan(70);
    expect((await h.serverStatus()).status).toBe('ACTIVE');
  });

  test('a slow silent keepalive answered after the warning opened does not close the warning', async ({ context }) => {
    const h = await Harness.start(context);
    const tab = await h.open();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await context.route('**/session/keepalive', async (route) => {
      await held;
      await route.continue();
    });
    h.hangs = 'keepalive';
    // Activity at 1 s, which the server has not seen: a keepalive is due when
    // the server's idle clock reaches 60 s, and the warning at 61 s.
    await h.advanceTo(1);
    await tab.moveMouse();
    await h.advanceTo(60);
    expect(tab.calls.map((c) => c.op)).toEqual(['keepalive']);
    // The keepalive is slow; the warning is due at 61 s and opens.
    await h.advanceTo(62);
    await expect(tab.dialog).toBeVisible();
    // Now the keepalive's answer arrives.
    h.hangs = null;
    release();
    await h.settle();
    // The person has done nothing since 1 s: only "Stay signed in" ends a
    // warning (docs/design.md, timing model). The dialog must not vanish with the deadline unchanged.
    await expect(tab.element).toHaveAttribute('state', 'warning');
    await expect(tab.dialog).toBeVisible();
    await h.advanceTo(100);
    await expect(tab.dialog).toBeVisible();
    await h.advanceTo(123);
    await tab.page.waitForURL(TIMED_OUT);
    expect(tab.of('dialog-open')).toHaveLength(1);
  });
});
