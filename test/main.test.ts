import { readFileSync } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_APP_PORT } from '../src/example/bundle.js';
import { IGOR_MAIN } from './support/igor-dist.js';
import { killPidFiles } from './support/sshd-fleet.js';

/**
 * `npm start` and the service run the compiled `node dist/main.js` (built by the global setup):
 * these run it as a user would, as a real process, from a folder of its own (where `.env` is read).
 */
const MAIN = [IGOR_MAIN];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-main-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('igor as a process', () => {
  it('stops start-up with one line naming the bad key, and a non-zero exit', async () => {
    const config = join(dir, 'igor.yml');
    await writeFile(
      config,
      'app: shop\nrepo: /tmp/x\nchannels: { deploys: C1 }\nenvironments:\n  production:\n    servers: { local: [{ name: a, path: /tmp/a }] }\n    health: { url: "not a url" }\n',
    );
    const result = await execa('node', MAIN, { cwd: dir, env: { IGOR_CONFIG: config, IGOR_DATA_DIR: join(dir, 'data'), PORT: '0' }, reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.trim()).toMatch(/^igor: environments\.production\.health\.url: must be a URL/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints every problem of igor.yml at once, one line each, with the nearest key for a mistyped one', async () => {
    const config = join(dir, 'igor.yml');
    await writeFile(
      config,
      'app: shop\nrepo: /tmp/x\nchannels: { deploys: C1 }\nenvironments:\n  production:\n    aproval: { mode: required }\n    servers: { local: [{ name: a, path: /tmp/a }] }\n    health: { url: "not a url" }\n',
    );
    const result = await execa('node', MAIN, { cwd: dir, env: { IGOR_CONFIG: config, IGOR_DATA_DIR: join(dir, 'data'), PORT: '0' }, reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.trim().split('\n').sort()).toEqual([
      'igor: environments.production.aproval: unknown key (did you mean approval?)',
      'igor: environments.production.health.url: must be a URL (http or https; {host} is replaced by each server)',
    ]);
  });

  it('refuses a SLACK_APP_TOKEN that is not an app-level token, in one line', async () => {
    const config = join(dir, 'igor.yml');
    await writeFile(config, 'app: shop\nrepo: /tmp/x\nchannels: { deploys: C1 }\nenvironments:\n  production:\n    servers: { local: [{ name: a, path: /tmp/a }] }\n');
    const env = { IGOR_CONFIG: config, IGOR_DATA_DIR: join(dir, 'data'), PORT: '0', IGOR_HOST: '127.0.0.1', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-2' };
    const result = await execa('node', MAIN, { cwd: dir, env, reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr.trim()).toBe('igor: SLACK_APP_TOKEN must be an app-level token (xapp-…, with the connections:write scope); unset it for HTTP mode');
  });

  it('starts in local mode with the bundled example, deploys it to both local servers, and on SIGTERM stops their apps and exits 0', async () => {
    const child = execa('node', MAIN, { cwd: dir, env: { IGOR_CONFIG: join(dir, 'missing.yml'), IGOR_DATA_DIR: join(dir, 'data'), PORT: '0', SLACK_BOT_TOKEN: '' }, reject: false });
    const pidFiles = ['web-1', 'web-2'].map((name) => join(dir, 'data', 'example', 'servers', name, 'shared', 'app.pid'));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const match = /"url":"(http:\/\/[^"]+)"/.exec(seen);
          if (match && seen.includes('bundled example')) resolve(match[1]!);
        });
        child.once('exit', () => reject(new Error(`igor exited early:\n${seen}`)));
      });
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      const answer = await fetch(`${url}/api/commands`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ command: '/deploy', text: 'main to staging', user: 'U0NEWCOMER' }),
      });
      expect(((await answer.json()) as { text: string }).text).toContain('Deployment 1');
      let state = '';
      for (let attempt = 0; attempt < 300 && !['succeeded', 'failed'].includes(state); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = ((await (await fetch(`${url}/api/deployments/1`)).json()) as { state: string }).state;
      }
      expect(state).toBe('succeeded');
      for (const host of ['127.0.0.2', '127.0.0.3']) {
        expect(await (await fetch(`http://${host}:${EXAMPLE_APP_PORT}/health`)).json()).toMatchObject({ status: 'ok' });
      }
      const pids = await Promise.all(pidFiles.map(async (file) => Number((await readFile(file, 'utf8')).trim())));
      expect(pids.every(isRunning)).toBe(true);
      child.kill('SIGTERM');
      const result = await child;
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('igor stopped');
      expect(pids.filter(isRunning)).toEqual([]);
      for (const file of pidFiles) await expect(access(file)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
      await killPidFiles(pidFiles);
    }
  });

  it('serves the console page and its assets, which the compiled code finds beside itself in dist/', async () => {
    const child = execa('node', MAIN, { cwd: dir, env: { IGOR_CONFIG: join(dir, 'missing.yml'), IGOR_DATA_DIR: join(dir, 'data'), PORT: '0', SLACK_BOT_TOKEN: '' }, reject: false });
    try {
      const url = await listening(child);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      for (const file of ['console.js', 'blocks.js', 'console.css']) expect((await fetch(`${url}/console/assets/${file}`)).status, file).toBe(200);
      expect((await fetch(`${url}/console/deployments/1`)).status).toBe(200);
      child.kill('SIGTERM');
      expect((await child).exitCode).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
  });

  it('reads .env from its working directory: a copy of .env.example starts local mode on 127.0.0.1, and real variables win', async () => {
    // .env.example sets PORT=3000 and leaves IGOR_HOST empty: the real PORT=0 must win, and the
    // empty IGOR_HOST must mean "the default" (127.0.0.1 in local mode), not an address of ''.
    const example = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
    await writeFile(join(dir, '.env'), `${example}\nIGOR_DATA_DIR=./data-from-env-file\nIGOR_CONFIG=./missing.yml\n`);
    // Only these variables, so a developer's own IGOR_* or SLACK_* cannot decide the outcome; the
    // empty IGOR_DATA_DIR means unset, so the file's value applies.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dir, PORT: '0', IGOR_HOST: '', IGOR_DATA_DIR: '' };
    const child = execa(process.execPath, MAIN, { cwd: dir, env, extendEnv: false, reject: false });
    try {
      const url = await listening(child);
      expect(new URL(url).hostname).toBe('127.0.0.1');
      expect(new URL(url).port).not.toBe('3000');
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      await access(join(dir, 'data-from-env-file', 'db.json'));
      child.kill('SIGTERM');
      const result = await child;
      expect(result.exitCode).toBe(0);
      const read = result.stdout.split('\n').find((line) => line.includes('from .env'));
      expect(JSON.parse(read!)).toMatchObject({ file: '.env', variables: expect.arrayContaining(['IGOR_DATA_DIR', 'IGOR_CONFIG']) });
      // Names only, never values: the URL of the Slack API from the file stays out of the log.
      expect(read).not.toContain('slack.com');
      expect(JSON.parse(read!).variables).not.toContain('PORT');
    } finally {
      child.kill('SIGKILL');
      await child;
    }
  });
});

/** Running, and not a zombie: an exited app can wait seconds for PID 1 to reap it here. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

function listening(child: ResultPromise): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(seen);
      if (match) resolve(match[1]!);
    });
    child.once('exit', () => reject(new Error(`igor exited early:\n${seen}`)));
  });
}
