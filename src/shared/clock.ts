/** A run that `Clock.schedule` will start, until it is cancelled. */
export interface Timer {
  cancel(): void;
}

/** Time, injected so tests can hold it still and move it themselves. */
export interface Clock {
  now(): Date;
  /** Runs `run` once `ms` have passed on this clock, unless cancelled first. Never keeps the process alive. */
  schedule(run: () => void, ms: number): Timer;
}

export const systemClock: Clock = {
  now: () => new Date(),
  schedule(run, ms) {
    const timer = setTimeout(run, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Resolves once `ms` have passed on `clock`, or at once when `signal` aborts (never rejects). */
export function waitOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      timer.cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.schedule(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
