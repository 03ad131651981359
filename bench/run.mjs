#!/usr/bin/env node
/**
 * `npm run bench`: the figures of README, size and cost in one run and one table, beside
 * the budgets and the peers measured the same way.
 *
 *  (a) sizes: esbuild --bundle --minify, then gzip -9 and brotli (max). The
 *      element's figures are its critical path (the entry and what it imports
 *      statically, with code splitting, English only) and each language
 *      module it loads on demand (scripts/sizes.mjs); then the own code's
 *      critical path by source module, largest first;
 *  (b) the cost of one pointermove with the element on the page, above the
 *      floor (one passive listener that stores e.timeStamp), and timer calls
 *      per event — one page, element connected and disconnected in turn,
 *      median of paired differences over interleaved rounds;
 *  (c) server calls while one person works 1 h in 1, 3 and 5 tabs, with the
 *      real engine on a fake clock, beside a per-tab design;
 *  (d) the reference server under load (bench/load.mjs): status and
 *      keepalive, memory store and Redis, 10/50/200 connections.
 *
 * `--json FILE` also writes the figures as JSON.
 */
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { chromium } from 'playwright-core';
import { findChrome, CHROME_FLAGS } from '../scripts/find-chrome.mjs';
import { assertBuilt, bundle, cdnSplit, CDN_FILE, gzipSize, ownModules, ownSplit, root, SIZE_BUDGET, SIZE_GOAL } from '../scripts/sizes.mjs';

const BUDGET = { ...SIZE_BUDGET, eventNs: 300, timerCalls: 0, calls: 13 };
const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : null;

const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
/** KB = 1,000 bytes, as the budgets are written. */
const kb = (n) => `${(n / 1000).toFixed(2)} KB`;
const sum = (pieces, f) => pieces.reduce((total, p) => total + f(p.bytes), 0);

async function sizes() {
  assertBuilt();
  const cdn = await cdnSplit();
  const own = await ownSplit();
  /** The largest language module of a build (a page loads at most one). */
  const largest = (pieces) => pieces.reduce((a, b) => (gzipSize(b.bytes) > gzipSize(a.bytes) ? b : a));
  const piece = (name, pieces, budget, goal = null) => ({
    name,
    min: sum(pieces, (b) => b.length),
    gzip: sum(pieces, gzipSize),
    brotli: sum(pieces, br),
    budget,
    goal,
  });
  const peer = (name, buf) => piece(name, [{ bytes: buf }], null);
  const cdnLang = largest(cdn.languages);
  const ownLang = largest(own.languages);
  return [
    piece(`session-timeout-dialog, CDN critical path (${cdn.path.length} file, Lit inside, English)`, cdn.path, BUDGET.cdn, SIZE_GOAL.cdn),
    piece('session-timeout-dialog, own code on that path (Lit external)', own.path, BUDGET.own, SIZE_GOAL.own),
    piece(`  + one language on demand, the largest of ${cdn.languages.length} (CDN: ${cdnLang.file.split('/').pop()})`, [cdnLang], BUDGET.language),
    piece(`  + one language on demand, the largest of ${own.languages.length} (npm: ${ownLang.file.replace(/^dist\//, '')})`, [ownLang], BUDGET.language),
    peer('hmrc-frontend timeout dialog', await bundle(`export { default } from 'hmrc-frontend/hmrc/components/timeout-dialog/timeout-dialog.js';`)),
    peer('react-idle-timer (React external)', await bundle(`export * from 'react-idle-timer';`, { external: ['react', 'react-dom'] })),
    peer('React + ReactDOM (what react-idle-timer needs)', await bundle(`export * from 'react'; export * from 'react-dom/client';`)),
    peer('Lit alone (all of `lit`; the element uses no decorators)', await bundle(`export * from 'lit';`)),
  ];
}

/** A throwaway static server for the browser parts (same origin for fetch and modules). */
async function serve(files) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const file = files[path];
    if (!file) return res.writeHead(404).end();
    const type = extname(path) === '.js' ? 'text/javascript' : 'text/html; charset=utf-8';
    // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
    res
      .writeHead(200, {
        'Content-Type': type,
        'Cache-Control': 'no-store',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      })
      .end(await file());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

const POINTER_PAGE = `<!doctype html><meta charset="utf-8"><title>bench</title>
<script type="module" src="/session-timeout-dialog.js"></script>
<script type="module" src="/pointer.js"></script><body></body>`;

/** Runs in the page. */
const POINTER_SCRIPT = `
await customElements.whenDefined('session-timeout-dialog');
let floor = 0;
// The floor: the least any tracker can do. It is on the page in the 'off'
// arm, the element's own listeners in the 'on' arm: the difference is what
// the element costs above the floor.
const floorListener = (e) => { floor = e.timeStamp; };
const floorOptions = { passive: true, capture: true };
const timers = { n: 0 };
for (const name of ['setTimeout', 'clearTimeout', 'setInterval', 'requestAnimationFrame', 'requestIdleCallback']) {
  const real = window[name];
  if (real) window[name] = function (...a) { timers.n++; return real.apply(this, a); };
}
const el = document.createElement('session-timeout-dialog');
el.setAttribute('no-tab-sync', '');
el.setAttribute('idle-seconds', '3000');
el.setAttribute('timeout-seconds', '3600');
const N = 2000, ROUNDS = 301;
const events = Array.from({ length: N }, (_, i) => new PointerEvent('pointermove', { bubbles: true, screenX: i, screenY: i % 7 }));
const target = document.body;
function run() {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) target.dispatchEvent(events[i]);
  return (performance.now() - t0) / N;
}
// Warm up both arms.
document.body.append(el); await el.updateComplete; run(); el.remove(); await new Promise((r) => setTimeout(r, 0));
document.addEventListener('pointermove', floorListener, floorOptions); run();
const diffs = [], onCosts = [], offCosts = [];
let timerCalls = 0;
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2;
  let on, off;
  for (const arm of order ? ['off', 'on'] : ['on', 'off']) {
    if (arm === 'on') { document.removeEventListener('pointermove', floorListener, floorOptions); document.body.append(el); await el.updateComplete; }
    else { el.remove(); await new Promise((r) => setTimeout(r, 0)); document.addEventListener('pointermove', floorListener, floorOptions); }
    const before = timers.n;
    const cost = run();
    if (arm === 'on') { on = cost; timerCalls += timers.n - before; } else off = cost;
  }
  diffs.push(on - off); onCosts.push(on); offCosts.push(off);
}
// Script-made events stop at the isTrusted check; a real pointermove also
// reads screenX/screenY, compares and stores them, and reads the clock once.
// That extra work is timed here on a real PointerEvent and added.
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
let s = 0;
const probe = new PointerEvent('pointermove', { screenX: 3, screenY: 4 });
let px = NaN, py = NaN;
const extras = [], bases = [];
for (let b = 0; b < 51; b++) {
  let c0 = performance.now();
  for (let i = 0; i < 10000; i++) { const { screenX, screenY } = probe; if (screenX === px && screenY === py) continue; px = NaN; py = screenY; s += Date.now(); }
  extras.push((performance.now() - c0) / 10000);
  c0 = performance.now();
  for (let i = 0; i < 10000; i++) s += i;
  bases.push((performance.now() - c0) / 10000);
}
const clock = Math.max(0, med(extras) - med(bases));
window.result = { diffUs: med(diffs) * 1000, onUs: med(onCosts) * 1000, offUs: med(offCosts) * 1000, clockUs: clock * 1000, timerCallsPerEvent: timerCalls / (ROUNDS * N), floor, s };
`;

async function browserFigures() {
  const work = await mkdtemp(join(tmpdir(), 'std-bench-'));
  const sim = await build({
    entryPoints: [join(root, 'bench/calls-sim.ts')],
    bundle: true,
    format: 'esm',
    write: false,
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'silent',
  });
  const simJs = Buffer.from(sim.outputFiles[0].contents);
  void work;
  const server = await serve({
    '/': async () => POINTER_PAGE,
    '/session-timeout-dialog.js': () => readFile(join(root, CDN_FILE)),
    '/pointer.js': async () => POINTER_SCRIPT,
    '/sim': async () => '<!doctype html><title>sim</title><script type="module" src="/sim.js"></script>',
    '/sim.js': async () => simJs,
  });
  const browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_FLAGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    const pointer = await page.waitForFunction(() => window.result, null, { timeout: 120_000 }).then((h) => h.jsonValue());

    const simPage = await browser.newPage();
    await simPage.goto(`${server.url}/sim`);
    await simPage.waitForFunction(() => typeof window.simulate === 'function');
    const calls = [];
    for (const tabs of [1, 3, 5]) {
      const synced = await simPage.evaluate((tabs) => window.simulate({ tabs, sync: true }), tabs);
      const perTab = await simPage.evaluate((tabs) => window.simulate({ tabs, sync: false }), tabs);
      calls.push({ tabs, synced, perTab });
    }
    return { pointer, calls };
  } finally {
    await browser.close();
    server.close();
  }
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

const ok = (pass) => (pass ? 'within' : 'OVER');

const sizeRows = await sizes();
const modules = await ownModules();
const { pointer, calls } = await browserFigures();
const eventCost = pointer.diffUs + pointer.clockUs;

const rows = [['figure', 'measured', 'budget', 'verdict']];
for (const s of sizeRows) {
  rows.push([
    `${s.name}: min / gzip / brotli`,
    `${kb(s.min)} / ${kb(s.gzip)} / ${kb(s.brotli)}`,
    s.budget ? `gzip ≤ ${kb(s.budget)}${s.goal ? ` (goal ${kb(s.goal)})` : ''}` : 'peer',
    s.budget ? ok(s.gzip <= s.budget) : '',
  ]);
}
rows.push([
  'one pointermove above the floor (median of paired diffs + the trusted path: position check and one Date.now())',
  `${(eventCost * 1000).toFixed(0)} ns (${(pointer.diffUs * 1000).toFixed(0)} + ${(pointer.clockUs * 1000).toFixed(0)}); dispatch with the floor listener ${(pointer.offUs * 1000).toFixed(0)} ns`,
  `≤ ${BUDGET.eventNs} ns`,
  ok(eventCost * 1000 <= BUDGET.eventNs),
]);
rows.push(['timer calls per pointermove', pointer.timerCallsPerEvent.toFixed(4), '0', ok(pointer.timerCallsPerEvent === 0)]);
for (const c of calls) {
  rows.push([
    `server calls, 1 h in ${c.tabs} tab(s), idle 300 s (status + keepalive)`,
    `${c.synced.calls} (${c.synced.status} + ${c.synced.keepalive}); per-tab design: ${c.perTab.calls} (${c.perTab.status} + ${c.perTab.keepalive})`,
    `≤ ${BUDGET.calls}`,
    ok(c.synced.calls <= BUDGET.calls && c.synced.warnings === 0 && c.synced.expiries === 0),
  ]);
}
console.log(table(rows));

// Where the own code's critical path spends its bytes.
console.log('\nown code on the critical path, by module (min: bytes in the bundle; gzip: the module minified and gzipped alone)');
console.log(table([['module', 'min', 'gzip'], ...modules.map((m) => [m.file.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'), m.min, m.gzip])]));

// The reference server under load (bench/load.mjs): its own table.
const { loadBench, loadTable, loadVerdict } = await import('./load.mjs');
const load = await loadBench({ log: console.log });
console.log(loadTable(load));
const loadOk = loadVerdict(load);
console.log(`status writes to the store: ${loadOk.statusWrites ? '0 — within (must be 0)' : 'some — OVER (must be 0)'}; errors: ${loadOk.errors}`);
if (jsonOut) await writeFile(jsonOut, JSON.stringify({ sizes: sizeRows, modules, pointer, calls, load }, null, 2));
