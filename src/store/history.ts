import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { HistoryFiles } from './history-files.js';
import { stringifyData } from './json.js';

/** Keys of `Data` whose values are lists. */
export type ListKey<Data> = { [K in keyof Data]-?: Data[K] extends readonly unknown[] ? K : never }[keyof Data] & string;
type ItemOf<Data, K extends keyof Data> = Data[K] extends ReadonlyArray<infer Item> ? Item : never;

/**
 * A list in the store whose items end and then rarely change (finished deployments): each finished
 * item is kept in a file of its own, so the file rewritten on every change holds only the others.
 * Readers still see the whole list in `store.data`.
 */
export interface HistoryOptions<Data, K extends ListKey<Data> = ListKey<Data>> {
  collection: K;
  /** A stable id, unique in the list: the item's file name. */
  id(item: ItemOf<Data, K>): string;
  /** Whether the item has ended. Once it has, it never goes back. */
  finished(item: ItemOf<Data, K>): boolean;
  /** Changes whenever the item does: a finished item's file is written again when it moves. */
  revision(item: ItemOf<Data, K>): string;
  /** The list's order, to put the items of both places back in it when the store is opened. */
  order(a: ItemOf<Data, K>, b: ItemOf<Data, K>): number;
}

/** At most this many files written at once (the first start after an upgrade writes hundreds). */
const WRITE_CONCURRENCY = 16;

/** What was last written to an item's file. */
interface Written {
  revision: string;
  /** Of the text written; null for a file read at start-up. */
  digest: string | null;
  /** Compare the text once more at the next write: a change in the same millisecond leaves the revision as it was. */
  recheck: boolean;
}

/**
 * Which items of the list live in files of their own, and keeping those files current. The main
 * file keeps an item until its own file holds its latest state, so a write never depends on both
 * landing: a crash between the two leaves the item in both places, and opening sorts it out.
 */
export function createHistory<Data extends object, K extends ListKey<Data>>(options: HistoryOptions<Data, K>, files: HistoryFiles, log: Logger) {
  type Item = ItemOf<Data, K>;
  const written = new Map<string, Written>();
  /** Finished items whose latest state is not in their file yet (its write failed): the main file keeps them. */
  const behind = new Set<string>();
  const list = (data: Data) => data[options.collection] as unknown as Item[];
  const digestOf = (text: string) => createHash('sha256').update(text).digest('base64');

  /** The text to write for a finished item, or null when its file holds it already. */
  function changed(item: Item, id: string): { text: string; digest: string; revision: string } | null {
    const last = written.get(id);
    const revision = options.revision(item);
    if (last && last.revision === revision && !last.recheck) return null;
    const text = stringifyData(item);
    const digest = digestOf(text);
    if (last && last.digest === digest) {
      Object.assign(last, { revision, recheck: false });
      return null;
    }
    return { text, digest, revision };
  }

  return {
    /**
     * Reads the files into the list, in order. An item in both places is the one the main file has
     * if it is finished there (its own file could not be written), else the one in its file (the
     * main file was not rewritten after it). Returns how many items the main file should not keep.
     */
    async load(data: Data): Promise<number> {
      const stored = await files.readAll<Item>();
      const inMain = list(data);
      const finishedInMain = new Set(inMain.filter((item) => options.finished(item)).map((item) => options.id(item)));
      const inFiles = new Set(stored.map((item) => options.id(item)));
      for (const item of stored) {
        const id = options.id(item);
        if (!finishedInMain.has(id)) written.set(id, { revision: options.revision(item), digest: null, recheck: false });
      }
      const fromFiles = stored.filter((item) => !finishedInMain.has(options.id(item)));
      const fromMain = inMain.filter((item) => finishedInMain.has(options.id(item)) || !inFiles.has(options.id(item)));
      (data as Record<K, Item[]>)[options.collection] = [...fromFiles, ...fromMain].sort((a, b) => options.order(a, b));
      return inMain.length - fromMain.filter((item) => !options.finished(item)).length;
    },

    /** Writes the file of every finished item that changed, and removes those of items gone from the list. */
    async save(data: Data): Promise<void> {
      const limit = pLimit(WRITE_CONCURRENCY);
      const present = new Set<string>();
      const work: Array<Promise<void>> = [];
      for (const item of list(data)) {
        const id = options.id(item);
        present.add(id);
        if (!options.finished(item)) continue;
        const update = changed(item, id);
        if (!update) continue;
        work.push(
          limit(async () => {
            try {
              await files.write(id, update.text);
              written.set(id, { revision: update.revision, digest: update.digest, recheck: true });
              behind.delete(id);
            } catch (error) {
              behind.add(id);
              log.warn({ err: error, id, dir: files.dir }, 'could not write a finished record to its own file: db.json keeps it, and the next write tries again');
            }
          }),
        );
      }
      for (const id of written.keys()) {
        if (present.has(id)) continue;
        work.push(
          limit(async () => {
            try {
              await files.remove(id);
              written.delete(id);
              behind.delete(id);
            } catch (error) {
              log.warn({ err: error, id, dir: files.dir }, 'could not remove the file of a record no longer kept; the next write tries again');
            }
          }),
        );
      }
      await Promise.all(work);
    },

    /** `data` as the main file keeps it: the list without the items whose own file is current. */
    main(data: Data): Data {
      return { ...data, [options.collection]: list(data).filter((item) => !written.has(options.id(item)) || behind.has(options.id(item))) };
    },
  };
}
