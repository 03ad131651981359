#!/usr/bin/env node
/**
 * The README's API tables and the React JSX typings (types/react.d.ts) come
 * from custom-elements.json, which the analyzer generates from the class
 * JSDoc: one source of truth, so neither can drift from the element.
 *
 *   node scripts/api-docs.mjs          rewrite both between their markers
 *   node scripts/api-docs.mjs --check  exit 1 when either is out of date (CI)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GENERATED = 'generated from custom-elements.json by scripts/api-docs.mjs; do not edit';

const manifest = JSON.parse(await readFile(join(root, 'custom-elements.json'), 'utf8'));
const declarations = manifest.modules.flatMap((m) => m.declarations ?? []);
const element = declarations.find((d) => d.customElement && d.tagName === 'session-timeout-dialog');
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

const readme = [`<!-- api:start (${GENERATED}) -->`, ...sections.map((s) => s.filter(Boolean).join('\n\n')), '<!-- api:end -->'].join('\n\n');

/**
 * React 19 sets a prop as a property only when the element has one of that
 * name, else as an attribute; `on` + the event's exact name adds a listener
 * (see the head of types/react.d.ts). So the typings list the attributes, in
 * kebab-case, and one `on…` prop per event, typed with the event's class.
 * `lang` is React's own; `state` is written by the element, never by the page.
 */
function reactTypings() {
  const attributes = (element.attributes ?? []).filter((a) => a.fieldName && a.name !== 'state');
  const events = (element.events ?? []).filter((e) => e.name);
  const eventClass = (name) => `${name.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase())}Event`;
  const known = new Set(declarations.map((d) => d.name));
  const missing = events.map((e) => eventClass(e.name)).filter((name) => !known.has(name));
  if (missing.length) {
    console.error(`custom-elements.json has no class ${missing.join(', ')} for the element's events (src/events.ts).`);
    process.exit(1);
  }
  const propType = (text = 'string') => {
    const types = text.split('|').map((t) => t.trim()).filter((t) => t !== 'null' && t !== 'undefined');
    // An attribute is a string: numbers are welcome as numbers (React stringifies them) or as strings.
    if (types.includes('number') && !types.includes('string')) types.push('string');
    return types.join(' | ');
  };
  const doc = (text) => `  /** ${String(text ?? '').replace(/\s*\n\s*/g, ' ').replace(/\*\//g, '*\\/').trim()} */`;
  const key = (name) => (/^[a-z]+$/i.test(name) ? name : `'${name}'`);
  return [
    `// api:start (${GENERATED})`,
    `import type { SessionTimeoutDialog } from '../dist/session-timeout-dialog.js';`,
    `import type * as Events from '../dist/events.js';`,
    '',
    "/** The element's attributes (README, API) and event props, as React 19 applies them. */",
    'export interface SessionTimeoutDialogAttributes',
    '  extends React.HTMLAttributes<SessionTimeoutDialog>,',
    '    React.RefAttributes<SessionTimeoutDialog> {',
    ...attributes.flatMap((a) => [doc(a.description), `  ${key(a.name)}?: ${propType(a.type?.text)};`]),
    '',
    ...events.flatMap((e) => [doc(e.description), `  'on${e.name}'?: (event: Events.${eventClass(e.name)}) => void;`]),
    '}',
    '// api:end',
  ].join('\n');
}

const regions = [
  { file: 'README.md', start: '<!-- api:start', end: '<!-- api:end -->', text: readme, what: 'README.md API tables' },
  { file: 'types/react.d.ts', start: '// api:start', end: '// api:end', text: reactTypings(), what: 'React typings (types/react.d.ts)' },
];

let stale = 0;
for (const { file, start, end, text, what } of regions) {
  const path = join(root, file);
  const current = await readFile(path, 'utf8');
  const a = current.indexOf(start);
  const b = current.indexOf(end, a);
  if (a < 0 || b < a) {
    console.error(`${file} has no markers (${start} … ${end}).`);
    process.exit(1);
  }
  const next = current.slice(0, a) + text + current.slice(b + end.length);
  if (next === current) {
    console.log(`${what}: as in custom-elements.json.`);
  } else if (process.argv.includes('--check')) {
    console.error(`${what} differ from custom-elements.json: run \`node scripts/api-docs.mjs\` and commit.`);
    stale++;
  } else {
    await writeFile(path, next);
    console.log(`${what}: updated from custom-elements.json.`);
  }
}
if (stale) process.exit(1);
