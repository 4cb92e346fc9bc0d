import type { Clock } from '../../src/shared/clock.js';

/** A clock held still: time moves, and timers run, only when the test calls `advance`. */
export interface ManualClock extends Clock {
  advance(ms: number): Promise<void>;
}

export function manualClock(start = '2026-12-03T10:00:00Z'): ManualClock {
  let at = Date.parse(start);
  const timers: Array<{ due: number; run: () => void; cancelled: boolean }> = [];
  return {
    now: () => new Date(at),
    schedule(run, ms) {
      const timer = { due: at + ms, run, cancelled: false };
      timers.push(timer);
      return { cancel: () => void (timer.cancelled = true) };
    },
    async advance(ms) {
      at += ms;
      for (const timer of timers.splice(0)) {
        if (timer.cancelled) continue;
        if (timer.due <= at) timer.run();
        else timers.push(timer);
      }
      await settle();
    },
  };
}

/** Lets what the timers started run on before the test looks. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
