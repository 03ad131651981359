// The size figures of SPEC §9, measured one way for `npm run bench` and for
// the CI check (scripts/check-size.mjs): esbuild --bundle --minify, then
// gzip -9 — the way the peers in the spec were measured.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CDN_FILE = 'dist/cdn/session-timeout-dialog.js';
export const NPM_ENTRY = 'dist/index.js';
/** SPEC §9, gzip bytes. */
export const SIZE_BUDGET = { cdn: 10 * 1024, own: 5 * 1024 };

export const gzipSize = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** `contents` (an ES module's source) bundled and minified. */
export async function bundle(contents, { external = [] } = {}) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    external,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return Buffer.from(result.outputFiles[0].contents);
}

/** Throws, saying what to run, when `npm run build` has not written dist/. */
export function assertBuilt() {
  for (const file of [CDN_FILE, NPM_ENTRY]) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
}

/** The CDN file as served. */
export const cdnFile = () => readFileSync(join(root, CDN_FILE));

/** The element's own code: the npm entry bundled with Lit external, all built-in languages in. */
export const ownCode = () => bundle(`export * from './${NPM_ENTRY}';`, { external: ['lit', 'lit/*', '@lit/*', '@lit-labs/*'] });
