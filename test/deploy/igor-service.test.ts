import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GRACE_MS } from '../../src/app.js';
import { REPO_ROOT } from '../support/igor-dist.js';
import { findBinary } from '../support/system-deps.js';

const UNIT = join(REPO_ROOT, 'deploy', 'igor.service');
let text: string;
let analyze: string;
let dir: string;

beforeAll(async () => {
  text = await readFile(UNIT, 'utf8');
  // The global setup installs it when running as root; never skip: a unit nobody verified fails here.
  const found = await findBinary('systemd-analyze');
  if (!found) throw new Error('systemd-analyze is missing: apt-get install -y systemd (the tests install it when run as root)');
  analyze = found;
  dir = await mkdtemp(join(tmpdir(), 'igor-unit-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The `[Service]` (or other section's) values of `key`, in order. */
function values(unit: string, section: string, key: string): string[] {
  let current = '';
  const found: string[] = [];
  for (const line of unit.split('\n').map((l) => l.trim())) {
    if (line.startsWith('[')) current = line.slice(1, -1);
    else if (current === section && line.startsWith(`${key}=`)) found.push(line.slice(key.length + 1));
  }
  return found;
}

/**
 * `systemd-analyze verify` against a scratch root: the unit under etc/, empty stand-ins for the
 * targets it names, and an executable /usr/bin/node, so the check is about the unit, not this
 * machine, and needs no running systemd. Warnings (an unknown key, a bad value) only go to stderr
 * with exit code 0: the caller treats any output as a failure.
 */
async function verify(unit: string, name: string): Promise<{ exitCode: number | undefined; output: string }> {
  const root = await mkdtemp(join(dir, 'root-'));
  const units = join(root, 'etc', 'systemd', 'system');
  await mkdir(units, { recursive: true });
  await mkdir(join(root, 'usr', 'bin'), { recursive: true });
  await writeFile(join(root, 'usr', 'bin', 'node'), '#!/bin/sh\n');
  await chmod(join(root, 'usr', 'bin', 'node'), 0o755);
  const targets = new Set(['sysinit.target', 'basic.target', 'shutdown.target', ...(unit.match(/[\w@-]+\.target/g) ?? [])]);
  for (const target of targets) await writeFile(join(units, target), '[Unit]\nDescription=stand-in for the test\n');
  await writeFile(join(units, name), unit);
  const result = await execa(analyze, ['verify', `--root=${root}`, name], { reject: false, all: true });
  return { exitCode: result.exitCode, output: result.all.trim() };
}

describe('deploy/igor.service', () => {
  it('passes systemd-analyze verify with no warning', async () => {
    expect(await verify(text, 'igor.service')).toEqual({ exitCode: 0, output: '' });
  });

  it('would be caught by that check if a key were misspelt', async () => {
    const { output } = await verify(text.replace('KillMode=', 'KilMode='), 'igor.service');
    expect(output).toContain("Unknown key 'KilMode'");
  });

  it('runs the compiled igor as its own user, with an EnvironmentFile, restarting on failure', () => {
    expect(values(text, 'Service', 'User')).toEqual(['igor']);
    expect(values(text, 'Service', 'EnvironmentFile')).toHaveLength(1);
    expect(values(text, 'Service', 'WorkingDirectory')[0]).toMatch(/^\//);
    expect(values(text, 'Service', 'ExecStart')).toEqual(['/usr/bin/node dist/main.js']);
    expect(values(text, 'Service', 'Restart')).toEqual(['on-failure']);
  });

  it('sends SIGTERM to igor alone and waits longer than its shutdown grace period before SIGKILL', async () => {
    expect(values(text, 'Service', 'KillMode')).toEqual(['mixed']);
    const [timeout] = values(text, 'Service', 'TimeoutStopSec');
    const { stdout } = await execa(analyze, ['timespan', timeout!]);
    const timeoutMs = Number(/μs: (\d+)/.exec(stdout)![1]) / 1000;
    // The unit must not set another grace than the one this timeout was sized for.
    expect(values(text, 'Service', 'Environment').join(' ')).not.toContain('IGOR_GRACE_PERIOD=');
    // Beyond the grace, stop() still flushes messages and writes the store: leave 10 s for that.
    expect(timeoutMs).toBeGreaterThanOrEqual(DEFAULT_GRACE_MS + 10_000);
  });
});
