import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DataFile } from 'lowdb/node';
import type { Logger } from 'pino';
import { StoreWriteError } from './errors.js';
import { createHistoryFiles } from './history-files.js';
import { createHistory, type HistoryOptions, type ListKey } from './history.js';
import { moveAsideIfCorrupt, parseData, stringifyData } from './json.js';
import { createWriteSchedule } from './write-schedule.js';

export type { HistoryOptions, ListKey } from './history.js';

/**
 * igor's state, in JSON files (lowdb). It knows no feature: each feature declares its part of the
 * data (`PipelineData`, `AlarmsData`, …) and asks for a `Store` of what it uses; the composition
 * root opens one store of all the parts.
 */
export interface Store<Data extends object> {
  /** The data; change it, then `write()` or `writeSoon()`. */
  readonly data: Data;
  /**
   * Persists `data` and resolves once the files are replaced (a temp file and a rename, no fsync:
   * what a crash of igor cannot lose, a power cut could): await it before a step that cannot be
   * undone, such as touching a host or telling people. Calls made while a write runs share the
   * next one.
   */
  write(): Promise<void>;
  /**
   * Persists `data` within a moment, with whatever else changed meanwhile: for progress that a
   * crash may lose (a host's phase). Never rejects: a failure is logged, and the next write
   * carries the change.
   */
  writeSoon(): void;
}

export interface StoreOptions<Data, K extends ListKey<Data>> {
  /** A list whose finished items are kept in files of their own (see {@link HistoryOptions}). */
  history?: HistoryOptions<Data, K>;
  /** How long `writeSoon()` may wait; default {@link COALESCE_MS}. */
  coalesceMs?: number;
}

/** At most four writes a second from progress alone. */
export const COALESCE_MS = 250;

/**
 * Opens the store at `path` (`db.json`). With `history`, the finished items of that list live in
 * `history/<list>/<id>.json` beside it, written when they finish (and again only if they change),
 * so the cost of a write does not grow with the history; `data` still holds every item. A db.json
 * that holds finished items (one written before this layout) is moved into it on opening.
 *
 * A file that is not JSON is moved aside (never emptied in place), with a log line saying where it
 * went; for db.json a fresh store is started.
 *
 * @example
 *   const store = await openStore(join(dataDir, 'db.json'), log, emptyIgorData, { history: igorHistory });
 *   store.data.deployments.push(deployment);
 *   await store.write();
 */
export async function openStore<Data extends object, K extends ListKey<Data> = ListKey<Data>>(
  path: string,
  log: Logger,
  empty: () => Data,
  options: StoreOptions<Data, K> = {},
): Promise<Store<Data>> {
  await mkdir(dirname(path), { recursive: true });
  const aside = await moveAsideIfCorrupt(path);
  if (aside) log.error({ store: path, movedTo: aside }, 'the store file was not valid JSON: moved it aside and started an empty store');
  // Not JSONFilePreset: it falls back to memory under NODE_ENV=test, and the file always matters here.
  const file = new DataFile<Data>(path, { parse: parseData<Data>, stringify: stringifyData });
  const data: Data = { ...empty(), ...(await file.read()) };
  const history = options.history ? createHistory(options.history, createHistoryFiles(join(dirname(path), 'history', options.history.collection), log), log) : null;
  const misplaced = history ? await history.load(data) : 0;

  async function flush(): Promise<void> {
    // Finished items first: db.json lets go of one only once its own file holds it.
    await history?.save(data);
    try {
      await file.write(history ? history.main(data) : data);
    } catch (error) {
      throw new StoreWriteError(path, { cause: error });
    }
  }
  const schedule = createWriteSchedule(flush, {
    coalesceMs: options.coalesceMs ?? COALESCE_MS,
    onError: (error) => log.error({ err: error, store: path }, 'could not write the store: the change is in memory, and the next write tries again'),
  });

  if (misplaced > 0) {
    await schedule.now();
    log.info({ store: path, moved: misplaced, to: join(dirname(path), 'history', options.history!.collection) }, 'moved finished records out of db.json into files of their own');
  }
  return {
    data,
    write: schedule.now,
    writeSoon: schedule.soon,
  };
}
