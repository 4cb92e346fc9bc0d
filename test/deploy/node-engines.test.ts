import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import semver from 'semver';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/igor-dist.js';

interface Installed {
  name: string;
  version: string;
  /** Where it is, e.g. node_modules/@octokit/request/node_modules/content-type. */
  path: string;
  node: string | undefined;
}

let installed: Installed[];
let engines: string;

beforeAll(async () => {
  engines = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  // npm's own answer to "what does production install": every folder, nested copies included.
  const { stdout } = await execa('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO_ROOT });
  const folders = stdout.split('\n').filter((folder) => folder && folder !== REPO_ROOT.replace(/\/$/, ''));
  installed = await Promise.all(
    folders.map(async (folder) => {
      const manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as { name: string; version: string; engines?: { node?: string } };
      return { name: manifest.name, version: manifest.version, path: relative(REPO_ROOT, folder), node: manifest.engines?.node };
    }),
  );
});

/** The packages whose engines.node refuses `version`, as "name@version (path) wants RANGE". */
function refusing(version: string): string[] {
  return installed.filter((pkg) => pkg.node && !semver.satisfies(version, pkg.node)).map((pkg) => `${pkg.name}@${pkg.version} (${pkg.path}) wants node ${pkg.node}`);
}

describe('Node versions', () => {
  it('package.json engines admits the Node in use', () => {
    expect(semver.satisfies(process.version, engines), `${process.version} vs engines.node ${engines}`).toBe(true);
  });

  it('every installed production dependency admits the Node in use', () => {
    expect(installed.length).toBeGreaterThan(50);
    expect(refusing(process.version)).toEqual([]);
  });

  it('every installed production dependency admits the oldest Node that engines promises', () => {
    const oldest = semver.minVersion(engines)!.version;
    expect(refusing(oldest)).toEqual([]);
  });
});
