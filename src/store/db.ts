import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Logger } from 'pino';
import { emptyStore, type StoreData } from './schema.js';
import { dictionary } from '../shared/names.js';

export interface Store {
  /** The data; change it, then `write()`. */
  readonly data: StoreData;
  /** Persists `data` atomically (temp file and rename). Writes are serialized. */
  write(): Promise<void>;
}

/**
 * Opens the lowdb store at `path`. A file that is not JSON is moved aside (never emptied in place)
 * and a fresh store is started, with a log line saying where the old one went.
 */
export async function openStore(path: string, log: Logger): Promise<Store> {
  await mkdir(dirname(path), { recursive: true });
  await moveAsideIfCorrupt(path, log);
  // JSONFilePreset would fall back to memory under NODE_ENV=test; the file always matters here.
  const db = new Low<StoreData>(new DataFile(path, { parse: parseData, stringify: (data) => JSON.stringify(data, null, 2) }), emptyStore());
  await db.read();
  db.data = { ...emptyStore(), ...db.data };
  let queue: Promise<void> = Promise.resolve();
  return {
    get data() {
      return db.data;
    },
    write() {
      // A failed write rejects its own caller only; the next write starts from a settled queue.
      const next = queue.catch(() => undefined).then(() => db.write());
      queue = next;
      return next;
    },
  };
}

/**
 * JSON with every object read back without a prototype: records keyed by names people typed
 * (environments, flags, branches) then answer only what was stored in them.
 */
function parseData(text: string): StoreData {
  return JSON.parse(text, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? dictionary(Object.entries(value)) : value,
  ) as StoreData;
}

async function moveAsideIfCorrupt(path: string, log: Logger): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return;
  }
  try {
    JSON.parse(text);
  } catch {
    const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '')}`;
    await rename(path, aside);
    log.error({ store: path, movedTo: aside }, 'the store file was not valid JSON: moved it aside and started an empty store');
  }
}
