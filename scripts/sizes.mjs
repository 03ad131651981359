// The size figures of the budgets, measured one way for `npm run bench` and
// for the CI check (scripts/check-size.mjs): esbuild --bundle --minify, then
// gzip -9 — the way the peers were measured.
//
// What counts is the critical path: what a page downloads before the element
// works — the entry and every module it imports statically, with code
// splitting, English only. The language modules it imports on demand
// (`import()`) are measured one by one: a page loads at most one of them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CDN_FILE = 'dist/cdn/session-timeout-dialog.js';
export const NPM_ENTRY = 'dist/index.js';
/** Gzip bytes (KB = 1,000 bytes): the budgets of today and the goals. */
export const SIZE_BUDGET = { cdn: 13_000, own: 7_500, language: 600 };
export const SIZE_GOAL = { cdn: 10_000, own: 5_000 };
const LIT = ['lit', 'lit/*', '@lit/*', '@lit-labs/*'];

export const gzipSize = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** `contents` (an ES module's source) bundled and minified into one file. */
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

/**
 * @typedef {{ file: string, bytes: Buffer }} Piece
 * @typedef {{ path: Piece[], languages: Piece[], drafts: Piece[] }} Split
 *   `path`: the entry first, then what it imports statically (transitively);
 *   `languages`: the language modules imported on demand from the path;
 *   `drafts`: the code imported on demand only for `keep-drafts`.
 */

/** The on-demand module of `keep-drafts` (src/drafts/draft-keeper.ts), by its file name in either build. */
const isDrafts = (file) => /draft-keeper/.test(file);

/** Follows a module graph: `imports(file)` → [{ file, dynamic }]. */
function split(entry, imports, read) {
  const path = [];
  const languages = new Set();
  const queue = [entry];
  const seen = new Set(queue);
  while (queue.length) {
    const file = queue.shift();
    path.push({ file, bytes: read(file) });
    for (const next of imports(file)) {
      if (next.dynamic) languages.add(next.file);
      else if (!seen.has(next.file)) {
        seen.add(next.file);
        queue.push(next.file);
      }
    }
  }
  for (const piece of path) languages.delete(piece.file);
  const pieces = [...languages].map((file) => ({ file, bytes: read(file) }));
  return { path, languages: pieces.filter((p) => !isDrafts(p.file)), drafts: pieces.filter((p) => isDrafts(p.file)) };
}

/**
 * The CDN build as served: dist/cdn/session-timeout-dialog.js and the files
 * beside it that it imports statically (none today) or on demand. esbuild
 * only reads the import statements here; the bytes are the files'.
 * @returns {Promise<Split>}
 */
export async function cdnSplit() {
  const { metafile } = await build({
    entryPoints: [join(root, CDN_FILE)],
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: join(root, '.size-check'),
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const imports = (file) =>
    (metafile.inputs[file]?.imports ?? [])
      .filter((i) => !i.external)
      .map((i) => ({ file: i.path, dynamic: i.kind === 'dynamic-import' }));
  return split(CDN_FILE, imports, (file) => readFileSync(join(root, file)));
}

/** dist/index.js bundled as an app's bundler would: code splitting, minified, Lit external. */
const ownBuild = () =>
  build({
    entryPoints: [join(root, NPM_ENTRY)],
    bundle: true,
    splitting: true,
    minify: true,
    format: 'esm',
    outdir: join(root, '.size-check'),
    write: false,
    metafile: true,
    external: LIT,
    logLevel: 'silent',
    absWorkingDir: root,
    define: { 'process.env.NODE_ENV': '"production"' },
  });

/** The output files of the own build on the critical path, as [file, metafile output]. */
function ownPathOutputs(metafile) {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((file) => outputs[file].entryPoint === NPM_ENTRY);
  const imports = (file) =>
    (outputs[file]?.imports ?? [])
      .filter((i) => !i.external)
      .map((i) => ({ file: i.path, dynamic: i.kind === 'dynamic-import' }));
  return { entry, imports };
}

/**
 * The element's own code, Lit external: dist/index.js bundled by esbuild
 * with code splitting (as an app's bundler would), minified.
 * @returns {Promise<Split>}
 */
export async function ownSplit() {
  const result = await ownBuild();
  const files = new Map(result.outputFiles.map((f) => [relative(root, f.path), Buffer.from(f.contents)]));
  const outputs = result.metafile.outputs;
  const { entry, imports } = ownPathOutputs(result.metafile);
  const named = (piece) => ({ ...piece, file: piece.file === entry ? NPM_ENTRY : nameOf(outputs[piece.file], piece.file) });
  const { path, languages, drafts } = split(entry, imports, (file) => files.get(file));
  return { path: path.map(named), languages: languages.map(named), drafts: drafts.map(named) };
}

/**
 * Where the own code's critical path spends its bytes, by source module
 * (dist/core/session-engine.js, ...), largest first: `min`, its minified
 * bytes in the bundle; `gzip`, that module minified on its own and gzipped
 * (a module's share of one gzip stream cannot be told apart, so the column
 * adds up to more than the path's gzip figure).
 * @returns {Promise<{ file: string, min: number, gzip: number }[]>}
 */
export async function ownModules() {
  const result = await ownBuild();
  const outputs = result.metafile.outputs;
  const { entry, imports } = ownPathOutputs(result.metafile);
  const { path } = split(entry, imports, () => null);
  const rows = [];
  for (const { file } of path) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[file].inputs)) {
      const alone = await build({
        entryPoints: [join(root, input)],
        bundle: true,
        minify: true,
        format: 'esm',
        write: false,
        packages: 'external',
        external: ['./*', '../*'],
        logLevel: 'silent',
        absWorkingDir: root,
      });
      rows.push({ file: input, min: bytesInOutput, gzip: gzipSize(alone.outputFiles[0].contents) });
    }
  }
  return rows.sort((a, b) => b.min - a.min);
}

/** A chunk's source file name (dist/i18n/de.js) rather than esbuild's hashed one. */
function nameOf(output, file) {
  const inputs = Object.keys(output?.inputs ?? {});
  return inputs.length === 1 ? inputs[0] : file;
}

/** Gzip bytes of a path: each file compressed on its own, as each is a download. */
export const pathGzip = (pieces) => pieces.reduce((sum, p) => sum + gzipSize(p.bytes), 0);
export const pathBytes = (pieces) => pieces.reduce((sum, p) => sum + p.bytes.length, 0);
