#!/usr/bin/env node
// The property suite (test/property/*.property.ts) in Node: esbuild bundles
// each file (the real engine, tab sync and client with it) into
// test-results/property/, then `node --test` runs them. Node, not a browser:
// the engine's core has no DOM, and thousands of schedules run several times
// faster without a page around them.
//
//   node scripts/properties.mjs [node --test options…]
//   PROPERTY_RUNS=100000 PROPERTY_TIME_LIMIT=600 node scripts/properties.mjs   (npm run fuzz)
//   PROPERTY_SEED=… to replay a seed a failure printed.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = process.env.PROPERTY_SOURCE_DIR ?? join(root, 'test/property');
const out = process.env.PROPERTY_OUT_DIR ?? join(root, 'test-results/property');

const entries = readdirSync(source)
  .filter((name) => name.endsWith('.property.ts'))
  .sort()
  .map((name) => join(source, name));
if (!entries.length) {
  console.error('properties: no test/property/*.property.ts');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: entries,
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  tsconfig: join(root, 'tsconfig.json'),
  // A copy elsewhere (scripts/mutation-check.mjs) still finds fast-check here.
  nodePaths: [join(root, 'node_modules')],
});
const files = readdirSync(out)
  .filter((name) => name.endsWith('.mjs'))
  .sort()
  .map((name) => join(out, name));
const args = process.argv.slice(2);
const child = spawn(process.execPath, ['--enable-source-maps', '--test', ...(args.length ? args : ['--test-reporter=spec']), ...files], {
  cwd: root,
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
