#!/usr/bin/env node
// `npm run build`:
//   1. tsc -p tsconfig.build.json  -> dist/**/*.js + .d.ts (ES modules, Lit external,
//      one output file per source file, for bundlers; each language its own
//      module, imported on demand), then the CSS of the styles minified
//   2. vite build (vite.config.ts) -> dist/cdn/session-timeout-dialog.js (one minified
//      ES module with Lit inside that defines the element; + sourcemap) and
//      beside it the language modules session-timeout-dialog.<lang>.js
//   3. cem analyze                 -> custom-elements.json
// Any failing step stops the build with a non-zero exit code.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { minifyCssLiterals } from './minify-css.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const CDN_FILE = 'dist/cdn/session-timeout-dialog.js';

function fail(message) {
  console.error(`\nbuild FAILED: ${message}`);
  process.exit(1);
}

function step(label, command, args, expectedOutputs) {
  console.log(`\n▶ ${label}: ${[command.replace(root + '/', ''), ...args].join(' ')}`);
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.error) fail(`${label}: could not start ${command} (${result.error.message}); run \`npm ci\` first?`);
  if (result.signal) fail(`${label} was killed by ${result.signal}`);
  if (result.status !== 0) fail(`${label} exited with code ${result.status}`);
  const missing = expectedOutputs.filter((file) => !existsSync(join(root, file)));
  if (missing.length) fail(`${label} succeeded but did not write ${missing.join(', ')}`);
  console.log(`✔ ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

const sourceEntry = join(root, 'src/index.ts');
if (!existsSync(sourceEntry)) fail('src/index.ts does not exist');

// Start from nothing so that a removed source file cannot leave a stale module behind.
rmSync(join(root, 'dist'), { recursive: true, force: true });
rmSync(join(root, 'custom-elements.json'), { force: true });

step('tsc (npm build: ES modules + .d.ts, Lit external)', bin('tsc'), ['-p', 'tsconfig.build.json'], [
  'dist/index.js',
  'dist/index.d.ts',
]);

// Bundlers downstream minify code, not the CSS inside template literals.
const stylesFile = join(root, 'dist/session-timeout-dialog.styles.js');
writeFileSync(stylesFile, await minifyCssLiterals(readFileSync(stylesFile, 'utf8')));

step('vite (CDN build: one minified file, Lit inside)', bin('vite'), ['build', '--config', 'vite.config.ts'], [
  CDN_FILE,
  `${CDN_FILE}.map`,
]);

step(
  'cem (custom-elements.json)',
  bin('cem'),
  ['analyze', '--litelement', '--globs', 'src/**/*.ts', '--exclude', 'src/**/*.test.ts'],
  ['custom-elements.json'],
);

// The manifest is what editors and the README's API tables read: without a tag
// name it describes a class nobody can use from HTML. cem only sees a literal
// `customElements.define('tag', Class)`, `@customElement('tag')` or a
// `@tagname tag` JSDoc tag on the class.
const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
const tagNames = manifest.modules.flatMap((mod) => (mod.declarations ?? []).map((d) => d.tagName).filter(Boolean));
if (!tagNames.length) {
  console.warn(
    '\nwarning: custom-elements.json names no tag: add `@tagname session-timeout-dialog` to the ' +
      "element's class JSDoc (cem does not follow `registry.define(...)` through a variable).",
  );
}

const cdn = readFileSync(join(root, CDN_FILE));
const gzipped = gzipSync(cdn, { level: 9 }).length;
console.log(
  `\n${CDN_FILE}: ${(cdn.length / 1024).toFixed(1)} KB minified, ` +
    `${(gzipped / 1024).toFixed(2)} KB gzip -9 (${gzipped} bytes)`,
);
