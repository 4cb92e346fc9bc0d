import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { satisfiesRange } from '../../scripts/node-range.mjs';
import { REPO_ROOT } from '../support/igor-dist.js';

const SCRIPT = join(REPO_ROOT, 'scripts', 'check-node-version.mjs');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-node-version-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function check(node: string, range?: string) {
  const args = ['--node', node];
  if (range !== undefined) {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify({ engines: { node: range } }));
    args.push(file);
  }
  return execa(process.execPath, [SCRIPT, ...args], { reject: false });
}

describe('scripts/check-node-version.mjs (.ci/run, before npm ci)', () => {
  it('prints the Node version and passes when package.json engines admits it', async () => {
    const result = await check(process.version);
    expect(result.exitCode).toBe(0);
    const { engines } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(result.stdout).toBe(`Node ${process.version} (package.json engines.node: ${engines.node})`);
  });

  it('fails with a sentence naming the range when Node is too old', async () => {
    const result = await check('v20.18.3');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Node v20\.18\.3 does not satisfy engines\.node ">=20\.19"/);
  });

  it('reads ranges as semver does', () => {
    // Each range with versions just below, at and above its bounds; partial versions as semver reads them.
    const ranges = ['>=20.19', '>=20.19.0 <23', '^20.19.0 || >=22.12.0', '20 || >=22', '~20.19', '~20', '20.19.1', '20.19', '>20 <=22.1', '>=20.19 <22 || ^24'];
    const versions = ['v18.20.0', 'v20.0.0', 'v20.18.3', 'v20.19.0', 'v20.19.1', 'v20.20.2', 'v21.7.0', 'v22.1.5', 'v22.11.0', 'v22.12.0', 'v23.0.0', 'v24.1.0'];
    for (const range of ranges) {
      for (const version of versions) {
        expect({ range, version, admitted: satisfiesRange(version, range) }).toEqual({ range, version, admitted: semver.satisfies(version, range) });
      }
    }
  });

  it('refuses a range it cannot read rather than guessing', async () => {
    const result = await check('v20.20.2', '20.x');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('cannot read engines.node "20.x"');
  });
});
