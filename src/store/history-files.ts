import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TextFile } from 'lowdb/node';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { moveAside, parseData } from './json.js';

/** Files read at once when the folder is opened: enough to keep the disk busy, few enough to keep descriptors. */
const READ_CONCURRENCY = 16;

/**
 * A folder of finished items, one JSON file each (`<id>.json`), each written atomically through a
 * temp file and a rename (lowdb's steno): writing one never touches the others.
 */
export function createHistoryFiles(dir: string, log: Logger) {
  // encodeURIComponent leaves no `/`, and `.json` follows, so an id can never name a path outside.
  const fileOf = (id: string) => join(dir, `${encodeURIComponent(id)}.json`);

  return {
    dir,
    /** Every item in the folder. A file that is not JSON is moved aside with a log line, as db.json is. */
    async readAll<Item>(): Promise<Item[]> {
      await mkdir(dir, { recursive: true });
      // steno's temp files end in `.tmp`: one left by a crash is half a write, never an item.
      const names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
      const limit = pLimit(READ_CONCURRENCY);
      const items: Item[] = [];
      await Promise.all(
        names.map((name) =>
          limit(async () => {
            const path = join(dir, name);
            const text = await readFile(path, 'utf8');
            try {
              items.push(parseData<Item>(text));
            } catch {
              log.error({ store: path, movedTo: await moveAside(path) }, 'a finished record was not valid JSON: moved it aside; the rest of the history is read');
            }
          }),
        ),
      );
      return items;
    },
    write(id: string, text: string): Promise<void> {
      return new TextFile(fileOf(id)).write(text);
    },
    async remove(id: string): Promise<void> {
      await unlink(fileOf(id)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
  };
}
export type HistoryFiles = ReturnType<typeof createHistoryFiles>;
