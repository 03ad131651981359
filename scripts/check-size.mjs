#!/usr/bin/env node
// Size budgets of SPEC §9, checked after `npm run build` (CI runs it):
//   - dist/cdn/session-timeout-dialog.js, gzip -9, Lit included      <= 10 KB
//   - the element's own code: dist/index.js bundled by esbuild with Lit
//     external, minified, gzip -9                                     <= 5 KB
// Measured the way the peers in the spec were measured (esbuild min + gzip -9).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CDN_FILE = 'dist/cdn/session-timeout-dialog.js';
const NPM_ENTRY = 'dist/index.js';

for (const file of [CDN_FILE, NPM_ENTRY]) {
  if (!existsSync(join(root, file))) {
    console.error(`check-size: ${file} is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
}

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

const cdn = readFileSync(join(root, CDN_FILE));

const own = await build({
  absWorkingDir: root,
  entryPoints: [NPM_ENTRY],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  write: false,
  legalComments: 'none',
  external: ['lit', 'lit/*', '@lit/*'],
  logLevel: 'error',
});
const ownBytes = own.outputFiles[0].contents;

const rows = [
  { figure: `${CDN_FILE} (Lit included)`, raw: cdn.length, gz: gzip(cdn), budget: 10 * 1024 },
  { figure: `${NPM_ENTRY} bundled, Lit external`, raw: ownBytes.length, gz: gzip(ownBytes), budget: 5 * 1024 },
];

console.log('size budgets (gzip -9, bytes)');
let over = 0;
for (const row of rows) {
  const ok = row.gz <= row.budget;
  if (!ok) over++;
  console.log(
    `  ${row.figure.padEnd(50)} minified ${String(row.raw).padStart(6)}  gzip ${String(row.gz).padStart(6)}` +
      `  budget ${String(row.budget).padStart(6)}  ${ok ? 'ok' : `OVER by ${row.gz - row.budget}`}`,
  );
}
if (over) {
  console.error(`check-size: ${over} budget(s) exceeded`);
  process.exit(1);
}
