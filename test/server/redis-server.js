// A real redis-server for the server tests (not a test file itself): started
// on a free loopback port with persistence off, killed for real (SIGKILL) and
// restarted on the same port when a test asks, stopped in t.after even when
// an assertion fails.
//
// Needs `redis-server` on PATH. Without it a test fails with a clear message,
// unless SKIP_REDIS_TEST=1 (then it is skipped, saying why).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

// Generous: on a busy machine a Node process can take many seconds to load.
const WAIT_MS = 30_000;

export function findOnPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, cmd);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // keep looking
    }
  }
  return null;
}

export const REDIS_SERVER = findOnPath('redis-server');

/** `skip` option for node:test: false, or why the Redis tests are skipped. */
export const skipRedis = !REDIS_SERVER && process.env.SKIP_REDIS_TEST === '1' ? 'redis-server is not on PATH (SKIP_REDIS_TEST=1)' : false;

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Spawn a process and resolve when `pattern` appears in its output (bounded).
 * @param {import('node:child_process').ChildProcess[]} children every child is pushed here
 */
export function startProcess(label, cmd, args, env, pattern, children) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start within ${WAIT_MS} ms:\n${output}`)), WAIT_MS);
    const onData = (d) => {
      output += d;
      const m = pattern.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${label} could not be started: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited early (code ${code}):\n${output}`));
    });
  });
}

/** Stop children: SIGTERM, then SIGKILL after 3 s. */
export async function stopAll(children) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 3000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/**
 * Wait (synchronously, at most 2 s) until process `pid` is stopped: state T
 * in /proc/<pid>/stat. Where there is no /proc, return at once.
 * @param {number} pid
 */
function waitUntilStopped(pid) {
  const until = Date.now() + 2000;
  while (Date.now() < until) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return;
    }
    // "pid (comm) S ...": the state follows the last ')'.
    if (/^\s*[Tt]/.test(stat.slice(stat.lastIndexOf(')') + 1))) return;
  }
  throw new Error(`redis-server (pid ${pid}) did not stop within 2 s of SIGSTOP`);
}

/**
 * Start redis-server for test `t` (stopped after it).
 * @param {import('node:test').TestContext} t
 * @param {{ args?: string[], children?: import('node:child_process').ChildProcess[] }} [options]
 *   extra redis-server arguments; children to stop together with it
 * @returns {Promise<{ port: number, url: string, kill: () => Promise<void>, restart: () => Promise<void> }>}
 */
export async function startRedis(t, { args = [], children = [] } = {}) {
  if (!REDIS_SERVER) {
    assert.fail(
      'redis-server is not on PATH. Install Redis (Debian/Ubuntu: apt-get install redis-server) ' +
        'or set SKIP_REDIS_TEST=1 to skip this test.',
    );
  }
  const killOnExit = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', killOnExit);
  t.after(async () => {
    await stopAll(children);
    process.off('exit', killOnExit);
  });
  const port = await freePort();
  const argv = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args];
  let current;
  const launch = async () => {
    ({ child: current } = await startProcess('redis-server', REDIS_SERVER, argv, { PATH: process.env.PATH }, /Ready to accept connections/, children));
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** SIGKILL, as a crash would: no shutdown, the port closes with the process. */
    kill: () =>
      new Promise((resolve) => {
        if (current.exitCode !== null || current.signalCode !== null) return resolve();
        current.once('exit', () => resolve());
        current.kill('SIGKILL');
      }),
    restart: launch,
    /**
     * SIGSTOP: the process stays, its sockets stay open, and it answers
     * nothing (a hung Redis, a partition). Returns once the process is
     * stopped (Linux: its state in /proc says so), so whatever the caller
     * sends next is certain to arrive at a Redis that does not run it.
     */
    freeze: () => {
      current.kill('SIGSTOP');
      waitUntilStopped(current.pid);
    },
    /** SIGCONT after freeze(): it answers again, including what it was sent meanwhile. */
    thaw: () => current.kill('SIGCONT'),
  };
}
