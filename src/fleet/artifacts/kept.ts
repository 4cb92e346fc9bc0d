import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '../host-deploy.js';

/**
 * Each release's artifact, kept in igor's data dir by app and release id for as long as an
 * environment may still promote or roll back to it: a promotion ships these exact bytes, never a
 * new `git archive` (whose gzip bytes need not be the same).
 */
export function keptArtifactPath(dataDir: string, app: string, release: string): string {
  return join(keptArtifactsDir(dataDir, app), `${release}.tar.gz`);
}

function keptArtifactsDir(dataDir: string, app: string): string {
  return join(dataDir, 'artifacts', app);
}

/** A kept artifact that is gone, or whose bytes are not the ones recorded when it was packed. */
export class KeptArtifactError extends Error {
  override name = 'KeptArtifactError';
}

/**
 * The kept artifact of `release`, once its SHA-256 is checked against the one recorded when it
 * was packed: a file changed on disk is never shipped.
 * @example await checkedKeptArtifact(dataDir, 'shop', '20261201T100000Z-abcdef0', 'e3b0c4…') // { path, sha256 }
 */
export async function checkedKeptArtifact(dataDir: string, app: string, release: string, expectedSha256: string): Promise<Artifact> {
  const path = keptArtifactPath(dataDir, app, release);
  let actual: string;
  try {
    actual = await sha256File(path);
  } catch (error) {
    throw new KeptArtifactError(`the artifact of release ${release} is no longer kept (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  if (actual !== expectedSha256) throw new KeptArtifactError(`the artifact of release ${release} changed on disk: its SHA-256 is ${actual}, ${expectedSha256} was recorded when it was packed`);
  return { path, sha256: actual };
}

/** Deletes the app's kept artifacts of releases not in `keep`; returns the releases deleted. */
export async function pruneKeptArtifacts(dataDir: string, app: string, keep: ReadonlySet<string>): Promise<string[]> {
  const dir = keptArtifactsDir(dataDir, app);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const pruned: string[] = [];
  for (const name of names) {
    const release = name.endsWith('.tar.gz') ? name.slice(0, -'.tar.gz'.length) : null;
    if (release === null || keep.has(release)) continue;
    await rm(join(dir, name), { force: true });
    pruned.push(release);
  }
  return pruned.sort();
}

/** The SHA-256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
