// The examples' development setup (examples/dev-backend.js and the React and
// Vue apps' package.json and vite config), against the real demo server: a
// newcomer who runs an example from a clone gets the local package, a port of
// its own, the sign-in page first, and a clear message when no backend runs.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startDemo, Client, advance } from './helpers.js';
import { devBackend, DEFAULT_BACKEND } from '../../examples/dev-backend.js';

const read = (file) => readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8');

/** Run the plugin's page guard on one request, as Vite's connect stack would. */
async function visit(plugin, url, headers = {}) {
  let middleware;
  plugin.configureServer({ config: { logger: { info() {} } }, httpServer: null, middlewares: { use: (fn) => (middleware = fn) } });
  const res = { status: 0, headers: {}, body: '' };
  let passed = false;
  await middleware(
    { method: 'GET', url, headers },
    {
      writeHead(status, h) {
        res.status = status;
        res.headers = h;
      },
      end(body = '') {
        res.body = body;
      },
    },
    () => (passed = true),
  );
  return { passed, ...res };
}

test('the React and Vue examples install the package from the clone and each have a port of their own, not the demo’s', () => {
  const ports = new Set([new URL(DEFAULT_BACKEND).port]);
  for (const [dir, config] of [
    ['react', 'react/vite.config.ts'],
    ['vue', 'vue/vite.config.js'],
  ]) {
    const pkg = JSON.parse(read(`${dir}/package.json`));
    assert.equal(pkg.dependencies['session-timeout-dialog'], 'file:../..', `${dir}: the local package (it is not published yet)`);
    // A copy, as from the registry, not a link: the package's React typings
    // must meet the example's own React, and Lit is installed beside it.
    assert.match(read(`${dir}/.npmrc`), /^install-links=true$/m, `${dir}: install-links`);
    const port = /port: (\d+), strictPort: true/.exec(read(config))?.[1];
    assert.ok(port, `${dir}: a fixed port, and an error rather than a silent move when it is taken`);
    assert.ok(!ports.has(port), `${dir}: port ${port} is not used by the demo or another example`);
    ports.add(port);
    assert.match(read(config), /devBackend\(\)/, `${dir}: uses the shared backend link`);
  }
});

test('the examples proxy the session, sign-in and sign-out paths (and the icon) to the backend, the demo by default', () => {
  const { server } = devBackend({ backend: 'http://127.0.0.1:8123/' }).config();
  assert.deepEqual(Object.keys(server.proxy).sort(), ['/favicon.ico', '/login', '/logout', '/session', '/static']);
  for (const target of Object.values(server.proxy)) assert.equal(target, 'http://127.0.0.1:8123');
  assert.equal(DEFAULT_BACKEND, 'http://127.0.0.1:5173', 'the demo’s own default port');
});

test('an example page goes to the sign-in page when nobody is signed in, and is served once someone is', async (t) => {
  const d = await startDemo({ testHooks: true });
  t.after(() => d.close());
  const plugin = devBackend({ backend: d.url });

  const anonymous = await visit(plugin, '/');
  assert.equal(anonymous.passed, false);
  assert.equal(anonymous.status, 302);
  assert.equal(anonymous.headers.Location, '/login?next=%2F');

  const client = new Client(d.url);
  await client.login();
  await advance(d.url, 5);
  const signedIn = await visit(plugin, '/', { cookie: client.cookieHeader() });
  assert.equal(signedIn.passed, true, 'the signed-in person gets the app');
  assert.equal((await client.status()).json.idleTime, 5, 'the check is a status call: it never counts as activity');

  const asset = await visit(plugin, '/src/main.tsx');
  assert.equal(asset.passed, true, 'only the page is guarded, not its modules');
});

test('with no backend running, the example page says which server to start instead of a blank app', async () => {
  const d = await startDemo({ testHooks: true });
  const gone = d.url;
  await d.close();
  const r = await visit(devBackend({ backend: gone }), '/');
  assert.equal(r.status, 502);
  assert.match(r.body, new RegExp(`No backend answers at ${gone.replace(/[.]/g, '\\.')}`));
  assert.match(r.body, /BACKEND_URL=/);
});
