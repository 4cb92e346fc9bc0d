import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkedKeptArtifact, KeptArtifactError, keptArtifactPath, pruneKeptArtifacts } from '../../../src/fleet/artifacts/kept.js';

const R1 = '20261201T100000Z-1111111';
const R2 = '20261202T100000Z-2222222';

describe('kept artifacts', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'igor-kept-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  async function keep(app: string, release: string, bytes: string): Promise<string> {
    const file = keptArtifactPath(dataDir, app, release);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, bytes);
    return createHash('sha256').update(bytes).digest('hex');
  }

  it('hands out a kept artifact whose SHA-256 is the one recorded', async () => {
    const sha256 = await keep('shop', R1, 'the tested tree');
    expect(await checkedKeptArtifact(dataDir, 'shop', R1, sha256)).toEqual({ path: keptArtifactPath(dataDir, 'shop', R1), sha256 });
  });

  it('refuses a kept artifact whose bytes changed on disk, naming both checksums', async () => {
    const sha256 = await keep('shop', R1, 'the tested tree');
    await writeFile(keptArtifactPath(dataDir, 'shop', R1), 'something else');
    const error = await checkedKeptArtifact(dataDir, 'shop', R1, sha256).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeptArtifactError);
    expect((error as Error).message).toContain(`${sha256} was recorded`);
  });

  it('says so when the artifact is no longer kept', async () => {
    await expect(checkedKeptArtifact(dataDir, 'shop', R2, 'abc')).rejects.toThrow(`the artifact of release ${R2} is no longer kept (ENOENT)`);
  });

  it('prunes the releases not worth keeping, only of its own app', async () => {
    await keep('shop', R1, 'one');
    await keep('shop', R2, 'two');
    await keep('billing', R1, 'other app');
    expect(await pruneKeptArtifacts(dataDir, 'shop', new Set([R2]))).toEqual([R1]);
    expect(await readdir(join(dataDir, 'artifacts', 'shop'))).toEqual([`${R2}.tar.gz`]);
    expect(await readdir(join(dataDir, 'artifacts', 'billing'))).toEqual([`${R1}.tar.gz`]);
  });

  it('prunes nothing when nothing was kept yet', async () => {
    expect(await pruneKeptArtifacts(dataDir, 'shop', new Set())).toEqual([]);
  });
});
