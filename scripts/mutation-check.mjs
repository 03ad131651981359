#!/usr/bin/env node
// Shows that the property suite can fail: each deliberate break is applied to
// a copy of src/ and test/property/ (never to the working tree), the
// properties run against the copy, and the table says which invariant (or
// kept counterexample) caught it. Exit code 1 when a break goes unnoticed.
//
//   node scripts/mutation-check.mjs            (MUTATION_RUNS schedules per break, default 1000)
//   node scripts/mutation-check.mjs --only 3   (one break, by number)
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { only: { type: 'string' } } });
const runs = process.env.MUTATION_RUNS ?? '1000';

/** Each break: what it does, and the exact text it changes (must occur once). */
const BREAKS = [
  {
    name: 'no backoff after a keepalive that made no progress',
    file: 'src/core/session-engine.ts',
    find: "if (result.kind === 'ok' && op === 'keepalive' && result.idleTime * 1000 >",
    replace: "if (false && result.kind === 'ok' && op === 'keepalive' && result.idleTime * 1000 >",
  },
  {
    name: 'spoken time rounded up',
    file: 'src/core/countdown-text.ts',
    find: 'if (remaining >= 20) return Math.floor(remaining / 20) * 20;',
    replace: 'if (remaining >= 20) return Math.ceil(remaining / 20) * 20;',
  },
  {
    name: 'priorIdleTime ignored',
    file: 'src/core/session-engine.ts',
    find: 'if (priorActivity > this.facts.serverActivityAt) this.#noteServerActivity(priorActivity);',
    replace: '',
  },
  {
    name: "a new tab's join message (hello) skipped",
    file: 'src/core/session-engine.ts',
    find: "if (firstStart) this.#tabs?.post({ type: 'hello', facts: this.facts });",
    replace: '',
  },
  {
    name: 'warning at idle − 1 s (`>` where `>=` belongs, one second off)',
    file: 'src/core/session-clock.ts',
    find: 'warnAt: Math.min(personAt + idle,',
    replace: 'warnAt: Math.min(personAt + idle - 1000,',
  },
  {
    name: 'absurd limits from the server taken as they come',
    // The client holds every number to the attributes' rules; the engine
    // takes what the client lets through.
    file: 'src/core/session-client.ts',
    find: 'return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_SECONDS;',
    replace: "return typeof value === 'number';",
  },
  {
    name: 'no backoff after status answers that keep putting a decision off',
    file: 'src/core/session-engine.ts',
    find: 'if (result.idleTime === this.#deferredIdle) {',
    replace: 'if (false) {',
  },
  {
    name: 'a tab opened during a warning joins it (the old hello and state handling)',
    file: 'src/core/session-engine.ts',
    find: "if (message.type === 'state' && message.phase === 'warning' && this.#env.now() >= this.deadlines.warnAt) {\n          this.#joinWarning();",
    replace: "if (message.type === 'state' && message.phase === 'warning' && this.phase === 'active') {\n          this.#enterWarning(false);",
    also: [
      {
        find: "if (this.phase === 'warning' && this.#env.now() < this.deadlines.warnAt) this.#leaveWarning('tab');\n        this.#tabs?.post({ type: 'state'",
        replace: "this.#tabs?.post({ type: 'state'",
      },
    ],
  },
  {
    name: "the server's end ignored while keepalives fail",
    file: 'src/core/session-clock.ts',
    find: 'const confirmBy = now === undefined ? Infinity : keepaliveAt + CONFIRM_MS;',
    replace: 'const confirmBy = Infinity;',
  },
  {
    name: "the server's last sight dated from the sending, and allowed to move back",
    file: 'src/core/session-engine.ts',
    find: 'if (seenMoved) this.facts.serverSeenAt = seenAt;',
    replace: 'this.facts.serverSeenAt = sent - result.idleTime * 1000;',
  },
  {
    name: 'an expire heard on the channel taken without asking the server',
    file: 'src/core/session-engine.ts',
    find: 'if (this.#env.now() < this.#toldDeadlines().expireAt && this.#config?.hasStatus) {',
    replace: 'if (false) {',
  },
  {
    name: 'limits of any length taken from the channel',
    file: 'src/core/session-engine.ts',
    find: 'if (saneLimits(l) && l.idle <= own.idle && l.timeout <= own.timeout && !this.serverLimits && !this.#distrusts()) {',
    replace: 'if (saneLimits(l)) {',
  },
  {
    name: 'the wait after status answers without progress kept by the leader alone',
    file: 'src/core/session-engine.ts',
    find: 'limits: this.serverLimits, notBefore: this.#checkNotBefore });',
    replace: 'limits: this.serverLimits });',
  },
  {
    name: 'every answer that puts a decision off counts toward the wait (news too)',
    file: 'src/core/session-engine.ts',
    find: 'if (result.idleTime === this.#deferredIdle) {',
    replace: 'if (this.#deferredIdle >= 0) {',
  },
  {
    name: "the keepalive a sleep missed not sent past the person's warning point",
    file: 'src/core/session-engine.ts',
    find: '(!this.#pendingKeepalive || now < d.personAt + this.limits.idle)',
    replace: 'now < d.personAt + this.limits.idle',
  },
  {
    name: 'a status that gets through starts the keepalive backoff over',
    file: 'src/core/session-engine.ts',
    find: 'this.#failures[op] = 0;',
    replace: 'this.#failures.status = this.#failures.keepalive = 0;',
  },
  {
    name: 'news from the channel the server denied taken again at once (no wait)',
    file: 'src/core/session-engine.ts',
    find: 'this.#distrustUntil = at + this.#distrustGap;',
    replace: '',
  },
  {
    name: 'posted limits or end kept when the status asked about them fails',
    file: 'src/core/session-engine.ts',
    find: '    if (heardOnly && confirmed) {',
    replace: '    if (false) {',
  },
  {
    name: "no keepalive during a warning once the person's warning point passed",
    file: 'src/core/session-engine.ts',
    find: 'return !!this.#config?.hasKeepalive && this.leads && !this.#pendingCheck;',
    replace:
      "return !!this.#config?.hasKeepalive && this.leads && !this.#pendingCheck && (this.phase === 'active' || this.#env.now() < this.deadlines.personAt + this.limits.idle);",
  },
];

function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const chosen = values.only ? [BREAKS[Number(values.only) - 1]].filter(Boolean) : BREAKS;
const rows = [];
for (const [index, brk] of chosen.entries()) {
  const dir = mkdtempSync(join(tmpdir(), 'std-mutant-'));
  try {
    cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
    cpSync(join(root, 'test/property'), join(dir, 'test/property'), { recursive: true });
    const file = join(dir, brk.file);
    const text = readFileSync(file, 'utf8');
    const count = text.split(brk.find).length - 1;
    if (count !== 1) {
      rows.push({ brk, caught: `the break no longer applies (found ${count}×)`, ok: false });
      continue;
    }
    let broken = text.replace(brk.find, brk.replace);
    for (const edit of brk.also ?? []) {
      if (!broken.includes(edit.find)) throw new Error(`break ${index + 1}: "${edit.find}" not found`);
      broken = broken.replace(edit.find, edit.replace);
    }
    writeFileSync(file, broken);
    // A break that needs another file too (a rule checked in two places).
    for (const edit of brk.elsewhere ?? []) {
      const other = join(dir, edit.file);
      const before = readFileSync(other, 'utf8');
      if (!before.includes(edit.find)) throw new Error(`break ${index + 1}: "${edit.find}" not found in ${edit.file}`);
      writeFileSync(other, before.replace(edit.find, edit.replace));
    }
    const started = performance.now();
    process.stdout.write(`${index + 1}. ${brk.name} … `);
    const { code, output } = await run(process.execPath, [join(root, 'scripts/properties.mjs'), '--test-reporter=spec'], {
      PROPERTY_SOURCE_DIR: join(dir, 'test/property'),
      PROPERTY_OUT_DIR: join(dir, 'out'),
      PROPERTY_RUNS: runs,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const invariants = [...new Set([...output.matchAll(/invariant (\d) \(([^)]+)\)/g)].map((m) => `${m[1]}. ${m[2]}`))];
    const failedTests = [...new Set([...output.matchAll(/^✖ (.+?) \(\d/gm)].map((m) => m[1]))].filter(
      (name) => !name.startsWith('the seven invariants') && !name.includes('failing tests'),
    );
    const errors = invariants.length ? [] : [...new Set([...output.matchAll(/\[cause\]: (\w*Error: [^\n]{0,80})/g)].map((m) => m[1]))];
    const caughtBy = [...invariants, ...failedTests.map((name) => `regression "${name}"`), ...errors];
    const ok = code !== 0 && caughtBy.length > 0;
    console.log(ok ? `caught (${seconds} s)` : `NOT caught (${seconds} s)`);
    rows.push({ brk, caught: ok ? caughtBy.join('; ') : 'not caught', ok });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`\n${'break'.padEnd(76)}caught by`);
console.log('─'.repeat(120));
for (const { brk, caught } of rows) console.log(`${brk.name.padEnd(76)}${caught}`);
const missed = rows.filter((row) => !row.ok);
console.log(`\n${rows.length - missed.length} of ${rows.length} breaks caught (${runs} schedules per run)`);
process.exitCode = missed.length ? 1 : 0;
