import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Logger } from 'pino';
import { dictionary } from '../shared/names.js';

/**
 * One JSON file of state. It knows no feature: each feature declares its part of the data
 * (`PipelineData`, `AlarmsData`, …) and asks for a `Store` of what it uses; the composition root
 * opens one store of all the parts.
 */
export interface Store<Data extends object> {
  /** The data; change it, then `write()`. */
  readonly data: Data;
  /** Persists `data` atomically (temp file and rename). Writes are serialized. */
  write(): Promise<void>;
}

/**
 * Opens the lowdb store at `path`. A file that is not JSON is moved aside (never emptied in place)
 * and a fresh store is started, with a log line saying where the old one went.
 */
export async function openStore<Data extends object>(path: string, log: Logger, empty: () => Data): Promise<Store<Data>> {
  await mkdir(dirname(path), { recursive: true });
  await moveAsideIfCorrupt(path, log);
  // JSONFilePreset would fall back to memory under NODE_ENV=test; the file always matters here.
  const db = new Low<Data>(new DataFile(path, { parse: parseData<Data>, stringify: (data) => JSON.stringify(data, null, 2) }), empty());
  await db.read();
  db.data = { ...empty(), ...db.data };
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
function parseData<Data>(text: string): Data {
  return JSON.parse(text, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? dictionary(Object.entries(value)) : value,
  ) as Data;
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
