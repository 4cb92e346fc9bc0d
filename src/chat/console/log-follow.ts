import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Response } from 'express';

/** How often a log that is still being written is looked at again. */
const FOLLOW_MS = 250;

/**
 * Sends a log file as it grows, like `tail -f`, until `stillWriting()` says it is done (then the
 * rest, then the end) or the reader goes away. `stillWriting` is asked before each read, so the
 * last read after it said no catches everything written.
 */
export async function followLog(path: string, stillWriting: () => boolean, response: Response): Promise<void> {
  const gone = new AbortController();
  response.on('close', () => gone.abort());
  response.status(200).type('text/plain; charset=utf-8').set({ 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  response.flushHeaders();
  let offset = 0;
  while (!gone.signal.aborted) {
    const writing = stillWriting();
    const chunk = await readFrom(path, offset);
    if (chunk.length) {
      offset += chunk.length;
      response.write(chunk);
    }
    if (!writing) break;
    await sleep(FOLLOW_MS, undefined, { signal: gone.signal }).catch(() => undefined);
  }
  response.end();
}

async function readFrom(path: string, offset: number): Promise<Buffer> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const { size } = await file.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - offset);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
