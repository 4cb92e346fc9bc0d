import { open } from 'node:fs/promises';

/** The last `lines` lines of a log file (reading at most its last 16 KiB), or '' if there is none. */
export async function logTail(path: string, lines = 20): Promise<string> {
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await file.stat();
    const length = Math.min(size, 16 * 1024);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    await file.close();
  }
}
