import { restartScript } from './app-files.js';

/**
 * The bundled example's second app: a worker that takes a job off its queue every second (here, a
 * counter in its server's `shared/` folder, so jobs survive a release) and reports on `/health`
 * which release runs and how many jobs it has done. Its own repository, tests and restart script,
 * in the layout the example app uses (`shared/app.pid`), so igor stops it the same way.
 */
export function exampleWorkerFiles(): Record<string, string> {
  return {
    'package.json': `${JSON.stringify({ name: 'example-worker', version: '1.0.0', private: true, scripts: { test: 'node test/unit.js', start: 'node worker.js' } }, null, 2)}\n`,
    'worker.js': `const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { nextCount } = require('./lib/jobs');

const revision = (() => {
  try { return fs.readFileSync(path.join(__dirname, 'REVISION'), 'utf8').trim(); } catch { return 'unknown'; }
})();
const counter = path.join(process.env.SHARED_DIR || __dirname, 'jobs-done');
const read = () => { try { return fs.readFileSync(counter, 'utf8'); } catch { return '0'; } };
let done = Number(read()) || 0;

setInterval(() => {
  done = nextCount(String(done));
  fs.writeFileSync(counter, String(done));
}, 1000).unref();

http
  .createServer((request, response) => {
    if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', revision, jobsDone: done }));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('a worker: only /health here\\n');
  })
  .listen(Number(process.env.PORT || 8081), process.env.HOST || '127.0.0.1', () => console.log('worker ' + revision + ' taking jobs'));
`,
    'lib/jobs.js': `exports.nextCount = (text) => (Number.parseInt(text, 10) || 0) + 1;\n`,
    'test/unit.js': `const assert = require('node:assert');
const { nextCount } = require('../lib/jobs');
assert.strictEqual(nextCount('41'), 42);
assert.strictEqual(nextCount('garbage'), 1);
console.log('worker tests passed');
`,
    'scripts/restart.sh': restartScript('the worker', 'SHARED_DIR="$shared" HOST="${IGOR_HOST:-127.0.0.1}" PORT="${WORKER_PORT:-8081}" setsid nohup node worker.js', 'worker.log'),
  };
}
