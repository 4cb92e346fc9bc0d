import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * The bundled example app: a tiny Node HTTP server with `/health` reporting its `REVISION`, its own
 * tests, and a restart script that starts it detached and tracks it by pid file. Local mode deploys
 * it; the end-to-end tests deploy it to real sshd hosts. No npm dependencies of its own, so tests stay fast: `/metrics` uses igor's
 * `prom-client` when `NODE_PATH` reaches it (see {@link exampleNodePath}). A `SLOW` file in the
 * release triples its work per request (`APP_WORK_MS`), a `FAILING` file makes one request in ten a 500.
 */
export function exampleAppFiles(): Record<string, string> {
  return {
    'package.json': `${JSON.stringify({ name: 'example-app', version: '1.0.0', private: true, scripts: { test: 'node test/unit.js', start: 'node server.js' } }, null, 2)}\n`,
    'server.js': `const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const revision = (() => {
  try { return fs.readFileSync(path.join(__dirname, 'REVISION'), 'utf8').trim(); } catch { return 'unknown'; }
})();
const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 8080);
// A release can be made worse on purpose, to see a canary analysis catch it:
// SLOW triples the work each request does, FAILING answers one request in ten with a 500.
const has = (name) => fs.existsSync(path.join(__dirname, name));
const workMs = Number(process.env.APP_WORK_MS || 0) * (has('SLOW') ? 3 : 1);
const failing = has('FAILING');

// prom-client when it can be found (igor's own, through NODE_PATH); the app works without it.
let metrics = null;
try {
  const client = require('prom-client');
  const registry = new client.Registry();
  metrics = {
    registry,
    requests: new client.Counter({ name: 'http_requests_total', help: 'Requests answered', labelNames: ['code', 'path'], registers: [registry] }),
    duration: new client.Histogram({ name: 'http_request_duration_seconds', help: 'Time to answer', labelNames: ['code'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [registry] }),
  };
} catch {}

let served = 0;
http
  .createServer((request, response) => {
    if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', revision, release: process.env.IGOR_RELEASE || null }));
      return;
    }
    if (request.url === '/metrics') {
      if (!metrics) {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('prom-client is not installed\\n');
        return;
      }
      metrics.registry.metrics().then((text) => {
        response.writeHead(200, { 'content-type': metrics.registry.contentType });
        response.end(text);
      });
      return;
    }
    const started = process.hrtime.bigint();
    const fail = failing && ++served % 10 === 0;
    setTimeout(() => {
      const code = fail ? 500 : 200;
      response.writeHead(code, { 'content-type': 'text/plain' });
      response.end(fail ? 'failing on purpose\\n' : 'hello from the example app\\n');
      if (metrics) {
        metrics.requests.inc({ code: String(code), path: '/' });
        metrics.duration.observe({ code: String(code) }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    }, workMs);
  })
  .listen(port, host, () => console.log('listening on ' + host + ':' + port + ', revision ' + revision));
`,
    'lib/greeting.js': `exports.greeting = (name) => 'hello, ' + name;\n`,
    'test/unit.js': `const assert = require('node:assert');
const { greeting } = require('../lib/greeting');
assert.strictEqual(greeting('igor'), 'hello, igor');
console.log('unit tests passed');
`,
    'scripts/restart.sh': restartScript('the app', 'HOST="${IGOR_HOST:-127.0.0.1}" PORT="${APP_PORT:-8080}" setsid nohup node server.js', 'app.log'),
  };
}

/**
 * A release's `scripts/restart.sh` for an example app: stops the process in `shared/app.pid` (where
 * igor's stop of the example looks too), then starts `start` detached, appending to `shared/<log>`.
 */
export function restartScript(what: string, start: string, log: string): string {
  return `#!/usr/bin/env bash
# Restarts ${what} of this release: stops the one in the pid file, starts this one detached.
set -euo pipefail
shared="\${IGOR_PATH:?}/shared"
pidfile="$shared/app.pid"
mkdir -p "$shared"
if [ -f "$pidfile" ]; then
  old=$(cat "$pidfile")
  if kill -0 "$old" 2>/dev/null; then
    kill "$old"
    for _ in $(seq 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
  fi
fi
${start} >>"$shared/${log}" 2>&1 </dev/null &
echo $! >"$pidfile"
`;
}

/**
 * The `node_modules` folder holding igor's `prom-client`, for the example app's `NODE_PATH`: the
 * app then serves `/metrics` without an `npm ci` of its own on each server.
 */
export function exampleNodePath(): string {
  return dirname(dirname(createRequire(import.meta.url).resolve('prom-client/package.json')));
}
