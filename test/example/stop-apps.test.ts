import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { stopExampleApps } from '../../src/example/stop-apps.js';

let dir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-stop-apps-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** A stand-in for the example app: a long sleep running in `cwd`, recorded in `pidFile`. */
async function startApp(cwd: string, pidFile: string): Promise<ChildProcess> {
  await mkdir(cwd, { recursive: true });
  const child = spawn('sleep', ['30'], { cwd, stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  await mkdir(join(pidFile, '..'), { recursive: true });
  await writeFile(pidFile, `${child.pid}\n`);
  return child;
}

function exitOf(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.signalCode) : new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

function configFor(servers: string[]) {
  const local = servers.map((name) => `      - { name: ${name}, path: ${join(dir, 'servers', name)} }`).join('\n');
  return parseConfig(`app: example\nrepo: ${dir}/repo\nchannels: { deploys: C1 }\nenvironments:\n  staging:\n    servers:\n      local:\n${local}\n`);
}

describe('stopExampleApps', () => {
  it('stops the app running in each server’s release and removes its pid file', async () => {
    const pidFiles = ['web-1', 'web-2'].map((name) => join(dir, 'servers', name, 'shared', 'app.pid'));
    const apps = await Promise.all(['web-1', 'web-2'].map((name, i) => startApp(join(dir, 'servers', name, 'releases', '20261203T180000Z-abcdef0'), pidFiles[i]!)));
    await stopExampleApps(configFor(['web-1', 'web-2']), pino({ level: 'silent' }));
    expect(await Promise.all(apps.map(exitOf))).toEqual(['SIGTERM', 'SIGTERM']);
    for (const file of pidFiles) await expect(access(file)).rejects.toThrow();
  });

  it('leaves alone a process that a stale pid file names but that runs outside the server’s folder', async () => {
    const pidFile = join(dir, 'servers', 'web-1', 'shared', 'app.pid');
    const stranger = await startApp(join(dir, 'elsewhere'), pidFile);
    await stopExampleApps(configFor(['web-1']), pino({ level: 'silent' }));
    expect(stranger.exitCode).toBeNull();
    expect(stranger.signalCode).toBeNull();
    await expect(access(pidFile)).rejects.toThrow();
  });

  it('does nothing for a server whose app never started', async () => {
    await expect(stopExampleApps(configFor(['web-1']), pino({ level: 'silent' }))).resolves.toBeUndefined();
  });
});
