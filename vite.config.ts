import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';
import { minifyCssLiterals } from './scripts/minify-css.mjs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
  license: string;
};

// The CDN build: one self-contained, minified ES module with Lit inside that
// defines <session-timeout-dialog> when loaded with <script type="module">,
// and beside it one small module per language other than English
// (session-timeout-dialog.de.js, ...), which it imports by a path relative to
// itself when the page needs that language: copy the whole dist/cdn/ folder.
// The npm build (Lit external, one file per module) is `tsc -p tsconfig.build.json`;
// scripts/build.mjs runs both.
// Class fields: Vite 8's oxc transform follows tsconfig.json's
// useDefineForClassFields:false, so field initialisers go through Lit's
// property accessors instead of shadowing them.
const banner = `/*! ${pkg.name} ${pkg.version} | ${pkg.license} | includes Lit, BSD-3-Clause, Copyright Google LLC */`;

export default defineConfig({
  // Nothing from public/ belongs in the library bundle.
  publicDir: false,
  plugins: [
    {
      name: 'minify-css-literals',
      transform: async (code, id) => (id.endsWith('.styles.ts') ? { code: await minifyCssLiterals(code), map: null } : null),
    },
  ],
  logLevel: 'warn',
  build: {
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'session-timeout-dialog.js',
    },
    outDir: 'dist/cdn',
    // dist/ also holds the tsc output, written just before this build.
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    sourcemap: true,
    // Report sizes ourselves (gzip -9) in scripts/build.mjs.
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        // Vite only mangles and compresses an ES library and keeps its
        // whitespace (so that a bundler downstream can re-minify). This file is
        // served as is, so minify it fully.
        minify: true,
        comments: false,
        // src/i18n/de.ts → session-timeout-dialog.de.js, and the code loaded
        // only for keep-drafts → session-timeout-dialog.draft-keeper.js: names
        // that say whose they are in a folder of static files, stable across
        // versions.
        chunkFileNames: 'session-timeout-dialog.[name].js',
        // Lit's license asks that its notice travel with it (the language
        // modules hold no Lit).
        postBanner: (chunk) => (chunk.isEntry ? banner : ''),
      },
    },
  },
});
