import { createHash } from 'node:crypto';
import { access, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { Artifact } from '../fleet/host-deploy.js';
import { sha256File } from '../fleet/artifacts/kept.js';
import { withoutCredentials } from '../config/repository-key.js';
import { checkRef } from './refs.js';

/** The repository could not be fetched; names the URL. */
export class RepositoryError extends Error {
  override name = 'RepositoryError';
}

/** A cached `git clone --mirror` of the app's repository. */
export interface Mirror {
  /** Brings every branch and tag up to date (one fetch at a time). */
  fetch(): Promise<void>;
  /** The full sha `ref` names now, or null if it names nothing. `ref` must pass {@link checkRef}. */
  resolve(ref: string): Promise<string | null>;
  /** The repository's branch and tag names, for suggesting one when a ref names nothing. */
  refNames(): Promise<string[]>;
  /** A fresh working copy of exactly `sha` at `dir` (which must not exist). */
  checkout(sha: string, dir: string): Promise<void>;
  /** `git archive` of `sha` as a .tar.gz at `file`, with its SHA-256. */
  archive(sha: string, file: string): Promise<Artifact>;
  /** Whether `ancestor` is `descendant` or in its history (false when either is unknown). */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** The commits in `to` that `from` lacks, newest first, at most `max` (all of `to`'s history when `from` is null). */
  commitsBetween(from: string | null, to: string, max?: number): Promise<CommitSummary[]>;
}

export interface CommitSummary {
  sha: string;
  subject: string;
  author: string;
}

export function createMirror(options: { repo: string; cacheDir: string }): Mirror {
  const dir = join(options.cacheDir, createHash('sha256').update(options.repo).digest('hex').slice(0, 16) + '.git');
  let fetching: Promise<void> = Promise.resolve();

  async function fetchNow(): Promise<void> {
    try {
      if (await exists(join(dir, 'HEAD'))) {
        await simpleGit(dir).raw(['fetch', '--prune', '--quiet', 'origin']);
      } else {
        await mkdir(options.cacheDir, { recursive: true });
        await rm(dir, { recursive: true, force: true });
        await simpleGit().clone(options.repo, dir, ['--mirror']);
      }
    } catch (error) {
      // Without the token a private repository's URL may carry: this message reaches logs and Slack.
      throw new RepositoryError(`[integration] cannot fetch ${withoutCredentials(options.repo)} (repo in igor.yml): ${withoutCredentials(firstLine(error))}`, { cause: error });
    }
  }

  return {
    fetch() {
      fetching = fetching.catch(() => {}).then(fetchNow);
      return fetching;
    },
    async resolve(ref: string): Promise<string | null> {
      checkRef(ref);
      try {
        const sha = await simpleGit(dir).raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
        return sha.trim() || null;
      } catch {
        return null;
      }
    },
    async refNames(): Promise<string[]> {
      const listing = await simpleGit(dir).raw(['for-each-ref', '--format=%(refname:short)', 'refs/heads', 'refs/tags']).catch(() => '');
      return listing.split('\n').map((name) => name.trim()).filter(Boolean);
    },
    async checkout(sha: string, target: string): Promise<void> {
      await simpleGit().clone(dir, target, ['--shared', '--no-checkout', '--quiet']);
      await simpleGit(target).raw(['checkout', '--quiet', '--detach', sha]);
    },
    async commitsBetween(from: string | null, to: string, max = 20): Promise<CommitSummary[]> {
      const range = from ? `${from}..${to}` : to;
      const output = await simpleGit(dir).raw(['log', `--max-count=${max}`, '--format=%H%x09%an%x09%s', range, '--']);
      return output
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [sha = '', author = '', ...subject] = line.split('\t');
          return { sha, author, subject: subject.join('\t') };
        });
    },
    async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
      // Not `--is-ancestor`: simple-git reads an exit code of 1 with nothing on stderr as success.
      try {
        const base = (await simpleGit(dir).raw(['merge-base', '--end-of-options', ancestor, descendant])).trim();
        return base !== '' && base === (await simpleGit(dir).raw(['rev-parse', '--verify', '--end-of-options', `${ancestor}^{commit}`])).trim();
      } catch {
        return false;
      }
    },
    async archive(sha: string, file: string): Promise<Artifact> {
      await simpleGit(dir).raw(['archive', '--format=tar.gz', '-o', file, sha]);
      return { path: file, sha256: await sha256File(file) };
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).trim().split('\n')[0] ?? '';
}
