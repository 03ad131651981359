#!/usr/bin/env node
/**
 * Load bench of the reference server (server/session-timeout.js on
 * express-session): status and keepalive, memory store and Redis, at 10, 50
 * and 200 concurrent connections, with autocannon on loopback. For each:
 * requests per second, p99 latency, errors (connection errors, timeouts and
 * non-2xx answers), and the store calls per request (status must write
 * nothing: 0 set, 0 touch, 0 destroy). For Redis the commands Redis itself
 * counted (INFO commandstats) are shown too (a session write is an EVAL).
 *
 * Bounded: SECONDS per run (default 4), 12 runs, well under two minutes.
 * Redis rows need redis-server on PATH (started here on a free port, without
 * persistence, stopped at the end); without it they are left out, saying so.
 *
 * `node bench/load.mjs` prints the table; bench/run.mjs imports loadBench().
 */
import { fork, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createClient } from 'redis';
// The server tests' helpers: a command on PATH, a free loopback port.
import { findOnPath as onPath, freePort } from '../test/server/redis-server.js';

const SERVER = fileURLToPath(new URL('./load-server.mjs', import.meta.url));
const CONNECTIONS = [10, 50, 200];
const SECONDS = Number(process.env.LOAD_SECONDS) || 4;
// The commands the session store sends: a session write is an EVAL (the
// middleware's guarded SET, see docs/design.md), after TIME when the
// middleware has to measure Redis's clock afresh.
const REDIS_COMMANDS = ['get', 'set', 'eval', 'time', 'expire', 'del'];

async function startRedis() {
  const bin = onPath('redis-server');
  if (!bin) return null;
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${out}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

async function startServer(env) {
  const child = fork(SERVER, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the load server did not start within 30 s')), 30_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`the load server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ duration: SECONDS, timeout: 10, ...opts }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Redis's own command counts (calls per command name). */
async function commandStats(redis) {
  const info = await redis.info('commandstats');
  const out = {};
  for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** Run every configuration for one store; returns rows. */
async function benchStore(storeName, redisUrl) {
  const server = await startServer({ BENCH_STORE: storeName, REDIS_URL: redisUrl ?? '' });
  let redis;
  try {
    if (redisUrl) {
      redis = createClient({ url: redisUrl });
      await redis.connect();
    }
    const login = await fetch(`${server.url}/__bench/login`, { method: 'POST' });
    const { token } = await login.json();
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const rows = [];
    for (const endpoint of ['status', 'keepalive']) {
      for (const connections of CONNECTIONS) {
        await fetch(`${server.url}/__bench/counts`, { method: 'POST' });
        const before = redis ? await commandStats(redis) : null;
        const result = await cannon({
          url: `${server.url}/session/${endpoint}`,
          connections,
          method: endpoint === 'status' ? 'GET' : 'POST',
          headers: { cookie, accept: 'application/json', ...(endpoint === 'keepalive' ? { 'x-csrftoken': token } : {}) },
        });
        // Let the requests still in the server when the run ended finish.
        let counts = await (await fetch(`${server.url}/__bench/counts`)).json();
        for (let settled = false; !settled; ) {
          await new Promise((r) => setTimeout(r, 250));
          const next = await (await fetch(`${server.url}/__bench/counts`)).json();
          settled = JSON.stringify(next) === JSON.stringify(counts);
          counts = next;
        }
        const after = redis ? await commandStats(redis) : null;
        // Per request the server received (the store calls of every one of them are counted).
        const n = Math.max(1, counts.requests);
        const redisCmds = redis
          ? Object.fromEntries(REDIS_COMMANDS.map((c) => [c, ((after[c] ?? 0) - (before[c] ?? 0)) / n]))
          : null;
        rows.push({
          store: storeName,
          endpoint,
          connections,
          requests: result.requests.total,
          rps: result.requests.average,
          p99: result.latency.p99,
          errors: result.errors + result.timeouts + result.non2xx,
          readsPerCall: counts.get / n,
          writesPerCall: (counts.set + counts.touch + counts.destroy) / n,
          redisCmds,
        });
      }
    }
    return rows;
  } finally {
    await redis?.close().catch(() => {});
    server.stop();
  }
}

/** All rows: memory store, then Redis when redis-server is available. */
export async function loadBench({ log = () => {} } = {}) {
  log(`load bench: ${SECONDS} s per run, connections ${CONNECTIONS.join('/')}, loopback`);
  const rows = await benchStore('memory');
  const redisServer = await startRedis();
  let note = null;
  if (redisServer) {
    try {
      rows.push(...(await benchStore('redis', redisServer.url)));
    } finally {
      redisServer.stop();
    }
  } else {
    note = 'redis-server is not on PATH: Redis rows left out';
  }
  return { seconds: SECONDS, rows, note };
}

const fmt = (x, digits = 2) => (Number.isInteger(x) ? String(x) : x.toFixed(digits));

/** The rows as a Markdown table (the README's). */
export function loadTable({ rows, note }) {
  const lines = [
    '| store | call | connections | req/s | p99 latency | errors | store reads / call | store writes / call | Redis commands / call |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const cmds = r.redisCmds
      ? Object.entries(r.redisCmds)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${fmt(v)} ${k.toUpperCase()}`)
          .join(' + ') || '0'
      : '';
    lines.push(
      `| ${r.store} | ${r.endpoint} | ${r.connections} | ${Math.round(r.rps)} | ${r.p99} ms | ${r.errors} | ${fmt(r.readsPerCall)} | ${fmt(r.writesPerCall)} | ${cmds} |`,
    );
  }
  if (note) lines.push('', note);
  return lines.join('\n');
}

/** True when every status call wrote nothing and nothing failed. */
export function loadVerdict({ rows }) {
  const statusWrites = rows
    .filter((r) => r.endpoint === 'status')
    .every((r) => r.writesPerCall === 0 && (!r.redisCmds || (r.redisCmds.set === 0 && r.redisCmds.eval === 0 && r.redisCmds.expire === 0)));
  const errors = rows.reduce((sum, r) => sum + r.errors, 0);
  return { statusWrites, errors };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const started = Date.now();
  const result = await loadBench({ log: console.log });
  console.log(loadTable(result));
  const { statusWrites, errors } = loadVerdict(result);
  console.log(`\nstatus writes to the store: ${statusWrites ? '0 (within: must be 0)' : 'SOME (OVER: must be 0)'}; errors: ${errors}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (!statusWrites) process.exitCode = 1;
}
