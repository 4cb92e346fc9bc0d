import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { simpleGit, type SimpleGit } from 'simple-git';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleAppFiles } from '../../src/example/app-files.js';
import { createExampleRepository } from '../../src/example/repository.js';
import { createMirror, RepositoryError, type Mirror } from '../../src/integration/mirror.js';
import { InvalidRefError } from '../../src/integration/refs.js';

let dir: string;
let source: string;
let git: SimpleGit;
let mainSha: string;
let mirror: Mirror;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-mirror-'));
  source = join(dir, 'source');
  mainSha = await createExampleRepository(source);
  git = simpleGit(source);
  mirror = createMirror({ repo: source, cacheDir: join(dir, 'cache') });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Commits `files` on the current branch of the source repository; returns the new sha. */
async function commit(files: Record<string, string>, message = 'change'): Promise<string> {
  for (const [name, content] of Object.entries(files)) await writeFile(join(source, name), content);
  await git.add('.');
  await git.commit(message);
  return (await git.revparse(['HEAD'])).trim();
}

/** Every file under `root` (relative, sorted), leaving out `.git`. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((name) => name !== '.git' && !name.startsWith('.git/'))
    .sort();
}

describe('createMirror', () => {
  describe('resolve', () => {
    beforeEach(async () => {
      await git.checkoutLocalBranch('feature/x');
      await commit({ 'feature.txt': 'feature\n' }, 'feature');
      await git.checkout('main');
      await mirror.fetch();
    });

    it('resolves a branch to the commit it points at', async () => {
      const feature = (await git.revparse(['feature/x'])).trim();
      expect(await mirror.resolve('main')).toBe(mainSha);
      expect(await mirror.resolve('feature/x')).toBe(feature);
      expect(feature).not.toBe(mainSha);
    });

    it('resolves a lightweight tag and an annotated tag to the commit, not the tag object', async () => {
      await git.addTag('v1.0.0');
      await git.addAnnotatedTag('v2.0.0', 'release 2');
      const tagObject = (await git.revparse(['v2.0.0'])).trim();
      expect(tagObject).not.toBe(mainSha);
      await mirror.fetch();
      expect(await mirror.resolve('v1.0.0')).toBe(mainSha);
      expect(await mirror.resolve('v2.0.0')).toBe(mainSha);
    });

    it('resolves a full sha and a short sha to the full sha', async () => {
      expect(await mirror.resolve(mainSha)).toBe(mainSha);
      expect(await mirror.resolve(mainSha.slice(0, 7))).toBe(mainSha);
    });

    it('resolves a branch named like a command through refs/heads/', async () => {
      await git.branch(['status']);
      await mirror.fetch();
      expect(await mirror.resolve('refs/heads/status')).toBe(mainSha);
    });

    it('answers null for a ref that names nothing', async () => {
      expect(await mirror.resolve('no-such-branch')).toBeNull();
      expect(await mirror.resolve('v9.9.9')).toBeNull();
      expect(await mirror.resolve('0000000000000000000000000000000000000000')).toBeNull();
      expect(await mirror.resolve('deadbee')).toBeNull();
    });

    it('refuses a ref that fails checkRef with InvalidRefError', async () => {
      await expect(mirror.resolve('main;rm -rf /')).rejects.toBeInstanceOf(InvalidRefError);
      await expect(mirror.resolve('--upload-pack=touch /tmp/x')).rejects.toBeInstanceOf(InvalidRefError);
      await expect(mirror.resolve('main^{tree}')).rejects.toBeInstanceOf(InvalidRefError);
    });
  });

  describe('fetch', () => {
    it('sees a new commit on main only after fetching again', async () => {
      await mirror.fetch();
      const next = await commit({ 'lib/greeting.js': "exports.greeting = (name) => 'hi, ' + name;\n" });
      expect(await mirror.resolve('main')).toBe(mainSha);
      await mirror.fetch();
      expect(await mirror.resolve('main')).toBe(next);
    });

    it('follows a branch that was rewritten (force-pushed)', async () => {
      await mirror.fetch();
      await writeFile(join(source, 'amended.txt'), 'amended\n');
      await git.add('.');
      await git.commit('Example app, amended', ['--amend']);
      const rewritten = (await git.revparse(['HEAD'])).trim();
      expect(rewritten).not.toBe(mainSha);
      await mirror.fetch();
      expect(await mirror.resolve('main')).toBe(rewritten);
    });

    it('forgets a branch deleted in the repository, as a mirror does', async () => {
      await git.branch(['doomed']);
      await mirror.fetch();
      expect(await mirror.resolve('doomed')).toBe(mainSha);
      await git.deleteLocalBranch('doomed', true);
      await mirror.fetch();
      expect(await mirror.resolve('doomed')).toBeNull();
    });

    it('does not fail when fetches overlap, first clone included', async () => {
      await Promise.all([mirror.fetch(), mirror.fetch(), mirror.fetch()]);
      const next = await commit({ 'new.txt': 'new\n' });
      await Promise.all([mirror.fetch(), mirror.fetch(), mirror.fetch()]);
      expect(await mirror.resolve('main')).toBe(next);
    });

    it('fails with a RepositoryError naming the repo and the igor.yml setting when the repo cannot be reached', async () => {
      const missing = join(dir, 'no-such-repository');
      const unreachable = createMirror({ repo: missing, cacheDir: join(dir, 'cache') });
      const error = await unreachable.fetch().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(RepositoryError);
      expect((error as Error).message).toContain(missing);
      expect((error as Error).message).toContain('repo in igor.yml');
    });

    it('never puts the token of a private repository\'s URL in its error (which reaches logs and Slack)', async () => {
      // Nothing listens on port 9 of loopback: git fails at once, as for a host that cannot be reached.
      const unreachable = createMirror({ repo: 'https://x-access-token:ghp_s3cret@127.0.0.1:9/acme/shop.git', cacheDir: join(dir, 'cache') });
      const error = await unreachable.fetch().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(RepositoryError);
      expect((error as Error).message).toContain('cannot fetch https://127.0.0.1:9/acme/shop.git (repo in igor.yml)');
      expect((error as Error).message).not.toMatch(/s3cret|x-access-token/);
    });
  });

  describe('checkout', () => {
    it("gives exactly that commit's tree, even after main moved on", async () => {
      await commit({ 'lib/greeting.js': 'changed\n', 'added.txt': 'added\n' });
      await git.rm('test/unit.js');
      await git.commit('remove a file');
      await mirror.fetch();

      const target = join(dir, 'work', 'checkout');
      await mirror.checkout(mainSha, target);

      expect(await filesUnder(target)).toEqual(Object.keys(exampleAppFiles()).sort());
      for (const [name, content] of Object.entries(exampleAppFiles())) {
        expect(await readFile(join(target, name), 'utf8')).toBe(content);
      }
      const there = simpleGit(target);
      expect((await there.revparse(['HEAD'])).trim()).toBe(mainSha);
      expect((await there.status()).isClean()).toBe(true);
    });
  });

  describe('isAncestor', () => {
    it('knows an older commit of a branch from a newer one, and says no for a commit it does not have', async () => {
      const newer = await commit({ 'NEWS.md': 'newer\n' });
      await mirror.fetch();
      expect(await mirror.isAncestor(mainSha, newer)).toBe(true);
      expect(await mirror.isAncestor(newer, mainSha)).toBe(false);
      expect(await mirror.isAncestor(newer, newer)).toBe(true);
      expect(await mirror.isAncestor('0'.repeat(40), newer)).toBe(false);
    });
  });

  describe('archive', () => {
    it("packs the commit as a .tar.gz whose sha256 is the file's and which lists the repo's files", async () => {
      await mirror.fetch();
      const file = join(dir, 'artifact.tar.gz');
      const artifact = await mirror.archive(mainSha, file);

      expect(artifact.path).toBe(file);
      const { stdout: sum } = await execa('sha256sum', [file]);
      expect(artifact.sha256).toBe(sum.split(' ')[0]);
      expect(artifact.sha256).toBe(createHash('sha256').update(await readFile(file)).digest('hex'));

      const { stdout: listing } = await execa('tar', ['-tzf', file]);
      const entries = listing.split('\n');
      for (const name of Object.keys(exampleAppFiles())) expect(entries).toContain(name);
      expect(entries.some((entry) => entry.startsWith('.git/'))).toBe(false);
      expect(existsSync(file)).toBe(true);
    });
  });
});
