// The server module's types: `tsc --noEmit` over server/session-timeout.js
// (// @ts-check, checked against its .d.ts) and a fixture that uses every
// export of server/session-timeout.d.ts (test/server/types/fixture.ts).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The package exports no bin path: find it beside its package.json.
const TSC = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
const PROJECT = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));

test('server/session-timeout.js type-checks against its .d.ts, and every export of the .d.ts is used by the fixture', async () => {
  const { code, output } = await new Promise((resolve) => {
    execFile(process.execPath, [TSC, '--noEmit', '-p', PROJECT], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
  assert.equal(code, 0, `tsc found problems:\n${output}`);

  // Every exported name of the .d.ts appears in the fixture's import list.
  const dts = readFileSync(new URL('../../server/session-timeout.d.ts', import.meta.url), 'utf8');
  const fixture = readFileSync(new URL('./types/fixture.ts', import.meta.url), 'utf8');
  const exported = [...dts.matchAll(/^export (?:declare )?(?:const|function|interface|type) (\w+)/gm)].map((m) => m[1]);
  assert.ok(exported.length > 15, `found the exports (${exported.length})`);
  const imported = new Set([...fixture.matchAll(/^\s+(?:type )?(\w+),$/gm)].map((m) => m[1]));
  assert.deepEqual(exported.filter((name) => !imported.has(name)), [], 'exports the fixture does not use');
  assert.match(fixture, /import defaultExport,/, 'the default export is used too');
});
