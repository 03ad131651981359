#!/usr/bin/env node
/**
 * The README's API tables come from custom-elements.json, which the analyzer
 * generates from the class JSDoc: one source of truth.
 *
 *   node scripts/api-docs.mjs          rewrite the tables between the markers
 *   node scripts/api-docs.mjs --check  exit 1 when the README is out of date (CI)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- api:start (generated from custom-elements.json by scripts/api-docs.mjs; do not edit) -->';
const END = '<!-- api:end -->';

const manifest = JSON.parse(await readFile(join(root, 'custom-elements.json'), 'utf8'));
const element = manifest.modules
  .flatMap((m) => m.declarations ?? [])
  .find((d) => d.customElement && d.tagName === 'session-timeout-dialog');
if (!element) {
  console.error('custom-elements.json has no <session-timeout-dialog>: run `npm run build` first.');
  process.exit(1);
}

const cell = (text) => String(text ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ').trim();
const code = (text) => (text ? `\`${text}\`` : '');
const table = (head, rows) =>
  rows.length === 0
    ? ''
    : [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');

const members = element.members ?? [];
const publicMembers = members.filter((m) => (!m.privacy || m.privacy === 'public') && !m.static && !m.description?.includes('@internal'));
const attributeFields = new Set((element.attributes ?? []).map((a) => a.fieldName));

const sections = [
  [
    '### Attributes',
    'Each attribute is also a camelCase property.',
    table(
      ['attribute', 'property', 'type', 'default', 'meaning'],
      (element.attributes ?? [])
        .filter((a) => a.name !== 'state')
        .map((a) => [code(a.name), code(a.fieldName ?? camel(a.name)), code(a.type?.text), defaultOf(a), a.description?.replace(/\s*Default:.*$/s, '')]),
    ),
  ],
  [
    '### Read-only properties',
    '',
    table(
      ['property', 'type', 'meaning'],
      publicMembers
        .filter((m) => m.kind === 'field' && (m.readonly || m.name === 'state'))
        .map((m) => [code(m.name), code(m.type?.text), m.description]),
    ),
  ],
  [
    '### Methods',
    '',
    table(
      ['method', 'meaning'],
      publicMembers
        .filter((m) => m.kind === 'method')
        .map((m) => [
          code(`${m.name}(${(m.parameters ?? []).map((p) => p.name).join(', ')}): ${m.return?.type?.text ?? 'void'}`),
          m.description,
        ]),
    ),
  ],
  [
    '### Events',
    'All bubble and are composed; each is a typed subclass of `CustomEvent` (exported, and declared in `GlobalEventHandlersEventMap`).',
    // The analyzer also lists dispatchEvent() calls it cannot name; the JSDoc @event tags are the contract.
    table(['event', 'when'], (element.events ?? []).filter((e) => e.name).map((e) => [code(e.name), e.description])),
  ],
  ['### Slots', '', table(['slot', 'meaning'], (element.slots ?? []).map((s) => [code(s.name), s.description]))],
  ['### Parts', '', table(['part', 'meaning'], (element.cssParts ?? []).map((p) => [code(p.name), p.description]))],
  [
    '### CSS custom properties',
    '',
    table(
      ['property', 'default', 'meaning'],
      (element.cssProperties ?? []).map((p) => [code(p.name), code(p.default), p.description]),
    ),
  ],
];

function camel(name) {
  return name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

function defaultOf(attribute) {
  // "Default: …" in the description wins: for limits the property stays null
  // (so the element knows whether the page gave them) while the effective
  // default is a number.
  const said = /Default:\s*(.+?)\.?\s*(?:Limits .*)?$/s.exec(attribute.description ?? '');
  if (said) return said[1].trim();
  const d = attribute.default;
  return d === undefined || d === 'null' ? '' : code(d.replace(/^'(.*)'$/, '$1'));
}

const generated = [START, ...sections.map((s) => s.filter(Boolean).join('\n\n')), END].join('\n\n');
const readmePath = join(root, 'README.md');
const readme = await readFile(readmePath, 'utf8');
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a < 0 || b < a) {
  console.error(`README.md has no API markers (${START} … ${END}).`);
  process.exit(1);
}
const next = readme.slice(0, a) + generated + readme.slice(b + END.length);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md API tables differ from custom-elements.json: run `node scripts/api-docs.mjs` and commit.');
    process.exit(1);
  }
  console.log('README.md API tables match custom-elements.json.');
} else if (next !== readme) {
  await writeFile(readmePath, next);
  console.log('README.md API tables updated from custom-elements.json.');
} else {
  console.log('README.md API tables already up to date.');
}
