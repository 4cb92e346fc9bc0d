import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { createWriteSchedule } from '../../src/store/write-schedule.js';

/** A flush that takes `ms` and counts how often it started and finished. */
function countingFlush(ms = 20) {
  const counts = { started: 0, finished: 0 };
  let fail: Error | null = null;
  return {
    counts,
    failNext: (error: Error) => (fail = error),
    async flush() {
      counts.started++;
      await sleep(ms);
      counts.finished++;
      if (fail) {
        const error = fail;
        fail = null;
        throw error;
      }
    },
  };
}

const noErrors = (error: unknown) => {
  throw error;
};

describe('the write schedule', () => {
  it('gives many callers in one turn one write, resolved once it has finished', async () => {
    const flush = countingFlush();
    const schedule = createWriteSchedule(flush.flush, { coalesceMs: 1_000, onError: noErrors });
    await Promise.all(Array.from({ length: 50 }, () => schedule.now()));
    expect(flush.counts).toEqual({ started: 1, finished: 1 });
  });

  it('answers a call made during a write only after a write that started after it', async () => {
    const flush = countingFlush();
    const schedule = createWriteSchedule(flush.flush, { coalesceMs: 1_000, onError: noErrors });
    const first = schedule.now();
    await sleep(5);
    expect(flush.counts.started).toBe(1);
    const during = [schedule.now(), schedule.now(), schedule.now()];
    await first;
    expect(flush.counts.finished).toBe(1);
    await Promise.all(during);
    // The three calls made while the first write ran share one more.
    expect(flush.counts).toEqual({ started: 2, finished: 2 });
  });

  it('writes many soon() calls once, within the coalescing time', async () => {
    const flush = countingFlush(1);
    const schedule = createWriteSchedule(flush.flush, { coalesceMs: 40, onError: noErrors });
    for (let index = 0; index < 100; index++) schedule.soon();
    await sleep(10);
    expect(flush.counts.started).toBe(0);
    await sleep(80);
    expect(flush.counts).toEqual({ started: 1, finished: 1 });
  });

  it('lets a now() carry what soon() asked for, with no write of its own after it', async () => {
    const flush = countingFlush(1);
    const schedule = createWriteSchedule(flush.flush, { coalesceMs: 40, onError: noErrors });
    schedule.soon();
    await schedule.now();
    await sleep(80);
    expect(flush.counts.started).toBe(1);
  });

  it('keeps a steady stream of soon() to one write per coalescing time', async () => {
    vi.useFakeTimers();
    try {
      let writes = 0;
      const schedule = createWriteSchedule(async () => void writes++, { coalesceMs: 250, onError: noErrors });
      // A host phase every 2 ms for 10 s, as a fast rollout reports them.
      for (let elapsed = 0; elapsed < 10_000; elapsed += 2) {
        schedule.soon();
        await vi.advanceTimersByTimeAsync(2);
      }
      await vi.advanceTimersByTimeAsync(250);
      expect(writes).toBe(40);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects the callers of a write that failed, and the next call writes again', async () => {
    const flush = countingFlush(1);
    const schedule = createWriteSchedule(flush.flush, { coalesceMs: 40, onError: noErrors });
    flush.failNext(new Error('ENOSPC: no space left on device'));
    await expect(Promise.all([schedule.now(), schedule.now()])).rejects.toThrow('ENOSPC');
    await schedule.now();
    expect(flush.counts).toEqual({ started: 2, finished: 2 });
  });

  it('reports a failed soon() to onError, never as an unhandled rejection', async () => {
    const flush = countingFlush(1);
    const errors: unknown[] = [];
    const schedule = createWriteSchedule(flush.flush, { coalesceMs: 10, onError: (error) => errors.push(error) });
    flush.failNext(new Error('EACCES: permission denied'));
    schedule.soon();
    await sleep(60);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toContain('EACCES');
  });
});
