/**
 * When the store writes. `now()` is a write that starts after the call and resolves once it has
 * landed: calls made while a write runs share the next one, so many callers cost two writes, not
 * one each. `soon()` is a write within `coalesceMs`, for changes a crash may lose: however many
 * come, they cost one write, and none if a `now()` comes first and carries them.
 *
 * @example
 *   const schedule = createWriteSchedule(flush, { coalesceMs: 250, onError: (error) => log.error({ err: error }) });
 *   schedule.soon();        // a host's phase: written within 250 ms
 *   await schedule.now();   // before touching the hosts: on disk when this resolves
 */
interface Pending {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export function createWriteSchedule(flush: () => Promise<void>, options: { coalesceMs: number; onError: (error: unknown) => void }) {
  /** The write that has not started yet, shared by everyone waiting for it. */
  let next: Pending | null = null;
  let running = false;
  let timer: NodeJS.Timeout | null = null;

  async function run(): Promise<void> {
    running = true;
    // Callers in this same turn join this write instead of queueing another behind it.
    await Promise.resolve();
    while (next) {
      const batch = next;
      next = null;
      try {
        await flush();
        batch.resolve();
      } catch (error) {
        batch.reject(error);
      }
    }
    running = false;
  }

  function now(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (!next) {
      next = pending();
      // Nobody may be waiting (a soon() whose timer fired): the failure is reported there, not as an unhandled rejection.
      next.promise.catch(() => undefined);
      if (!running) void run();
    }
    return next.promise;
  }

  function soon(): void {
    // A write that has not started yet takes this change too.
    if (timer || next) return;
    timer = setTimeout(() => {
      timer = null;
      now().catch(options.onError);
    }, options.coalesceMs);
    // A pending soon() never keeps the process alive: stopping igor ends with a now().
    timer.unref();
  }

  return { now, soon };
}

/** Promise.withResolvers, which Node 20 lacks. */
function pending(): Pending {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}
