import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Response } from 'express';
import { HttpError } from './errors.js';

/** What a step may be called in a log path: no separators, no leading dot. */
export const STEP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether a log has been written (a step that never ran has none). */
export function logExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Streams a step's log as text, or answers 404 with `missing` when there is none yet. */
export async function sendLogFile(response: Response, path: string, missing: string): Promise<void> {
  if (!(await logExists(path))) throw new HttpError(404, missing);
  response.type('text/plain; charset=utf-8');
  createReadStream(path).pipe(response);
}
