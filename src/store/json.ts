import { readFile, rename } from 'node:fs/promises';
import { dictionary } from '../shared/names.js';

/**
 * JSON with every object read back without a prototype: records keyed by names people typed
 * (environments, flags, branches) then answer only what was stored in them.
 */
export function parseData<Data>(text: string): Data {
  return JSON.parse(text, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? dictionary(Object.entries(value)) : value,
  ) as Data;
}

/** Indented, so a person can read and diff the files. */
export function stringifyData(data: unknown): string {
  return JSON.stringify(data, null, 2);
}

/**
 * Moves a file that is not JSON aside (never emptied in place) and returns where it went; null
 * when the file is JSON or does not exist.
 */
export async function moveAsideIfCorrupt(path: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  try {
    JSON.parse(text);
    return null;
  } catch {
    return moveAside(path);
  }
}

/** Renames `path` to `path.corrupt-<time>`, where nothing reads it, and returns the new name. */
export async function moveAside(path: string): Promise<string> {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '')}`;
  await rename(path, aside);
  return aside;
}
