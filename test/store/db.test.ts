import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/db.js';
import { StoreWriteError } from '../../src/store/errors.js';
import { emptyIgorData } from '../../src/igor-data.js';

let dir: string;
/** Every log line written, parsed. */
let lines: Array<Record<string, unknown>>;
const log = () => createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-store-'));
  lines = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openStore', () => {
  it('gives back what was written when the file is opened again', async () => {
    const path = join(dir, 'db.json');
    const store = await openStore(path, log(), emptyIgorData);
    store.data.nextDeploymentId = 42;
    store.data.hostKeys['127.0.0.1:2222'] = 'SHA256:abc';
    store.data.locks.production = { environment: 'production', deploymentId: '41', ref: 'main', user: 'U0ALICE', since: '2026-11-26T10:20:30.000Z' };
    await store.write();

    const reopened = await openStore(path, log(), emptyIgorData);
    expect(reopened.data).toEqual(store.data);
    expect(reopened.data.nextDeploymentId).toBe(42);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(store.data);
  });

  it('reads records back without a prototype, so a name like constructor finds nothing', async () => {
    const path = join(dir, 'db.json');
    const text = JSON.stringify({ ...emptyIgorData(), locks: { staging: { environment: 'staging' } } }).replace('"staging":{', '"__proto__":{"environment":"x"},"staging":{');
    await writeFile(path, text);
    const store = await openStore(path, log(), emptyIgorData);
    expect(store.data.locks.constructor).toBeUndefined();
    expect(store.data.manualLocks.toString).toBeUndefined();
    expect(Object.keys(store.data.locks).sort()).toEqual(['__proto__', 'staging']);
    expect(({} as Record<string, unknown>).environment).toBeUndefined();
  });

  it('starts with an empty store when there is no file', async () => {
    const store = await openStore(join(dir, 'db.json'), log(), emptyIgorData);
    expect(store.data).toEqual(emptyIgorData());
  });

  it('lands every one of many concurrent writes', async () => {
    const path = join(dir, 'db.json');
    const store = await openStore(path, log(), emptyIgorData);
    const writes: Promise<void>[] = [];
    for (let index = 0; index < 50; index++) {
      store.data.hostKeys[`10.0.0.${index}:22`] = `SHA256:${index}`;
      writes.push(store.write());
    }
    await Promise.all(writes);

    const reopened = await openStore(path, log(), emptyIgorData);
    expect(Object.keys(reopened.data.hostKeys)).toHaveLength(50);
    expect(reopened.data.hostKeys['10.0.0.49:22']).toBe('SHA256:49');
    expect((await readdir(dir)).sort()).toEqual(['db.json']);
  });

  it('moves a file that is not JSON aside, unchanged, logs where, and starts an empty store', async () => {
    const path = join(dir, 'db.json');
    const garbage = '{"version": 1, "deployments": [ half a file';
    await writeFile(path, garbage);

    const store = await openStore(path, log(), emptyIgorData);

    expect(store.data).toEqual(emptyIgorData());
    const aside = (await readdir(dir)).filter((name) => name.startsWith('db.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe(garbage);

    const errors = lines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.movedTo).toBe(join(dir, aside[0]!));
    expect(JSON.stringify(errors[0])).toContain(join(dir, aside[0]!));

    store.data.nextDeploymentId = 2;
    await store.write();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ nextDeploymentId: 2 });
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe(garbage);
  });

  it('logs nothing and moves nothing for a valid file', async () => {
    const path = join(dir, 'db.json');
    await (await openStore(path, log(), emptyIgorData)).write();
    await openStore(path, log(), emptyIgorData);
    expect(lines.filter((line) => (line.level as number) >= 40)).toEqual([]);
    expect(await readdir(dir)).toEqual(['db.json']);
  });

  it('creates a missing folder', async () => {
    const path = join(dir, 'data', 'nested', 'db.json');
    const store = await openStore(path, log(), emptyIgorData);
    await store.write();
    expect(existsSync(path)).toBe(true);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(emptyIgorData());
  });

  it('writes a writeSoon() change within the coalescing time, and a write() at once carries it', async () => {
    const path = join(dir, 'db.json');
    const store = await openStore(path, log(), emptyIgorData, { coalesceMs: 50 });
    store.data.nextDeploymentId = 7;
    store.writeSoon();
    expect(existsSync(path)).toBe(false);
    await vi.waitFor(async () => expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ nextDeploymentId: 7 }), { timeout: 2_000, interval: 10 });

    store.data.nextDeploymentId = 8;
    store.writeSoon();
    await store.write();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ nextDeploymentId: 8 });
  });

  it('rejects write() with a StoreWriteError naming the file when it cannot be written', async () => {
    const path = join(dir, 'db.json');
    const store = await openStore(path, log(), emptyIgorData);
    // A folder where the file should be: the rename over it fails.
    await mkdir(path);
    const failure = await store.write().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreWriteError);
    expect((failure as Error).message).toContain(path);
  });
});
