import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createExampleRepository } from '../../src/example/repository.js';
import { startConsoleApp, type ConsoleApp } from '../support/console-app.js';

let dir: string;
let app: ConsoleApp;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-edge-'));
  const repo = join(dir, 'repo');
  await createExampleRepository(repo);
  const config = {
    app: 'shop',
    repo,
    channels: { deploys: 'C0DEPLOYS' },
    environments: { staging: { servers: { local: [{ name: 'web-1', path: join(dir, 'web-1') }] } } },
  };
  app = await startConsoleApp({ configYaml: stringify(config), dataDir: join(dir, 'data') });
});

afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

/** One raw request, with whatever Host header and body the test wants (fetch would not send a foreign Host). */
function raw(method: string, path: string, options: { host?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
  const url = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent: false,
        headers: {
          host: options.host ?? url.host,
          ...(options.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // The server may answer (413) and close before a large body is written: that is the point.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.end(options.body);
  });
}

describe('the Host check for what local mode trusts without a token', () => {
  const command = JSON.stringify({ command: '/deploy', text: 'status', user: 'U0ALICE' });

  it.each(['evil.example', '127.0.0.1.nip.io', 'localhost.evil.example', '127.0.0.1:3000.evil.example', 'evil.example:80'])(
    'refuses a page whose name a DNS rebinding pointed here (Host: %s) on the API, the console and the deployment pages',
    async (host) => {
      for (const [method, path, body] of [
        ['POST', '/api/commands', command],
        ['GET', '/api/deployments', undefined],
        ['GET', '/api/deployments/1/logs/unit', undefined],
        ['GET', '/console/state', undefined],
        ['POST', '/console/command', JSON.stringify({ command: '/deploy', text: 'status', user: 'U0ALICE' })],
        ['GET', '/console/deployments/1/data', undefined],
      ] as const) {
        const answer = await raw(method, path, { host, ...(body ? { body } : {}) });
        expect(answer.status, `${method} ${path} with Host: ${host}`).toBe(401);
      }
    },
  );

  it.each(['127.0.0.1', '127.0.0.1:3000', 'localhost', 'localhost:3000', 'igor.localhost:3000', '[::1]:3000'])('lets Host: %s in', async (host) => {
    expect((await raw('POST', '/api/commands', { host, body: command })).status).toBe(200);
    expect((await raw('GET', '/console/state', { host })).status).toBe(200);
  });
});

describe('bad requests get a 4xx naming what is wrong', () => {
  it('answers 413 to a 10 MB body, refused by its Content-Length', async () => {
    const body = JSON.stringify({ command: '/deploy', text: 'x'.repeat(10 * 1024 * 1024), user: 'U0ALICE' });
    for (const path of ['/api/commands', '/console/command', '/api/deployments']) {
      const answer = await raw('POST', path, { body });
      expect(answer.status, path).toBe(413);
      expect(JSON.parse(answer.text).error, path).toMatch(/^the body is larger than the \d+ [KM]B this endpoint takes$/);
    }
  });

  it('answers 400 to a body that is not JSON, and to a path that is not valid percent-encoding', async () => {
    expect(await raw('POST', '/api/commands', { body: '{"command":' })).toEqual({ status: 400, text: JSON.stringify({ error: 'the body is not valid JSON' }) });
    const path = await raw('GET', '/api/deployments/%E0%A4%A');
    expect(path).toEqual({ status: 400, text: JSON.stringify({ error: 'the path is not valid percent-encoding' }) });
    expect((await raw('GET', '/console/deployments/%E0%A4%A/data')).status).toBe(400);
  });

  it('answers 404 for console files that only a plain object would have', async () => {
    for (const file of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const answer = await raw('GET', `/console/assets/${file}`);
      expect(answer.status, file).toBe(404);
    }
    expect((await raw('GET', '/console/assets/console.js')).status).toBe(200);
  });
});
