/**
 * The bundled example app: a tiny Node HTTP server with `/health` reporting its `REVISION`, its own
 * tests, and a restart script that starts it detached and tracks it by pid file. Local mode deploys
 * it; the end-to-end tests deploy it to real sshd hosts. No npm dependencies, so tests stay fast.
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

http
  .createServer((request, response) => {
    if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', revision, release: process.env.IGOR_RELEASE || null }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('hello from the example app\\n');
  })
  .listen(port, host, () => console.log('listening on ' + host + ':' + port + ', revision ' + revision));
`,
    'lib/greeting.js': `exports.greeting = (name) => 'hello, ' + name;\n`,
    'test/unit.js': `const assert = require('node:assert');
const { greeting } = require('../lib/greeting');
assert.strictEqual(greeting('igor'), 'hello, igor');
console.log('unit tests passed');
`,
    'scripts/restart.sh': `#!/usr/bin/env bash
# Restarts the app of this release: stops the one in the pid file, starts this one detached.
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
HOST="\${IGOR_HOST:-127.0.0.1}" PORT="\${APP_PORT:-8080}" setsid nohup node server.js >>"$shared/app.log" 2>&1 </dev/null &
echo $! >"$pidfile"
`,
  };
}
