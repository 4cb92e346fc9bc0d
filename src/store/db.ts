import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataFile } from 'lowdb/node';
import type { Logger } from 'pino';
import { StoreWriteError } from './errors.js';
import { moveAsideIfCorrupt, parseData, stringifyData } from './json.js';
import { createWriteSchedule } from './write-schedule.js';

/**
 * igor's state, in JSON files (lowdb). It knows no feature: each feature declares its part of the
 * data (`PipelineData`, `AlarmsData`, …) and asks for a `Store` of what it uses; the composition
 * root opens one store of all the parts.
 */
export interface Store<Data extends object> {
  /** The data; change it, then `write()` or `writeSoon()`. */
  readonly data: Data;
  /**
   * Persists `data` and resolves once it is on disk (atomically: temp file and rename): await it
   * before a step that cannot be undone, such as touching a host or telling people. Calls made
   * while a write runs share the next one.
   */
  write(): Promise<void>;
  /**
   * Persists `data` within a moment, with whatever else changed meanwhile: for progress that a
   * crash may lose (a host's phase). Never rejects: a failure is logged, and the next write
   * carries the change.
   */
  writeSoon(): void;
}

export interface StoreOptions {
  /** How long `writeSoon()` may wait; default {@link COALESCE_MS}. */
  coalesceMs?: number;
}

/** At most four writes a second from progress alone. */
export const COALESCE_MS = 250;

/**
 * Opens the store at `path` (`db.json`). A file that is not JSON is moved aside (never emptied in
 * place) and a fresh store is started, with a log line saying where the old one went.
 *
 * @example
 *   const store = await openStore(join(dataDir, 'db.json'), log, emptyIgorData);
 *   store.data.deployments.push(deployment);
 *   await store.write();
 */
export async function openStore<Data extends object>(path: string, log: Logger, empty: () => Data, options: StoreOptions = {}): Promise<Store<Data>> {
  await mkdir(dirname(path), { recursive: true });
  const aside = await moveAsideIfCorrupt(path);
  if (aside) log.error({ store: path, movedTo: aside }, 'the store file was not valid JSON: moved it aside and started an empty store');
  // Not JSONFilePreset: it falls back to memory under NODE_ENV=test, and the file always matters here.
  const file = new DataFile<Data>(path, { parse: parseData<Data>, stringify: stringifyData });
  const data: Data = { ...empty(), ...(await file.read()) };

  async function flush(): Promise<void> {
    try {
      await file.write(data);
    } catch (error) {
      throw new StoreWriteError(path, { cause: error });
    }
  }
  const schedule = createWriteSchedule(flush, {
    coalesceMs: options.coalesceMs ?? COALESCE_MS,
    onError: (error) => log.error({ err: error, store: path }, 'could not write the store: the change is in memory, and the next write tries again'),
  });
  return {
    data,
    write: schedule.now,
    writeSoon: schedule.soon,
  };
}
