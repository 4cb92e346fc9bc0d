import type { Logger } from 'pino';
import type { Clock, Timer } from './clock.js';

/**
 * What a queue that sends to one server keeps while that server fails: until when every call waits
 * (the server is one, so is its outage or rate limit), the one timer that wakes the queue then, and
 * who waits for the queue to empty (`drain`). The outbox (Slack) and GitHub's deployments view each
 * hold one.
 * @example
 *   const gate = createRetryGate(clock, pump);
 *   function pump() { if (empty) gate.idle(); if (gate.held()) return; … send the next … }
 *   // after a failure: gate.pause(retryAfterMs)
 */
export function createRetryGate(clock: Clock, resume: () => void) {
  let pausedUntil = 0;
  let wake: Timer | null = null;
  const idleWaiters = new Set<() => void>();
  return {
    /** Holds every call for `ms` from now (or longer, if it is held longer already). */
    pause(ms: number): void {
      pausedUntil = Math.max(pausedUntil, clock.now().getTime() + ms);
    },
    /** Whether calls must wait now; when they must, `resume` is called once they may go. */
    held(): boolean {
      const wait = pausedUntil - clock.now().getTime();
      if (wait <= 0) return false;
      wake?.cancel();
      wake = clock.schedule(() => {
        wake = null;
        resume();
      }, wait);
      return true;
    },
    /** Tells whoever waits in {@link drain} that nothing is left to send. */
    idle(): void {
      for (const resolve of idleWaiters) resolve();
    },
    /** Resolves at the next {@link idle}, or after `timeoutMs`, whichever is first. */
    async drain(timeoutMs: number): Promise<void> {
      let done = () => undefined as void;
      const idle = new Promise<void>((resolve) => (done = resolve));
      idleWaiters.add(done);
      const timer = setTimeout(done, timeoutMs);
      await idle;
      clearTimeout(timer);
      idleWaiters.delete(done);
    },
    /** Cancels the wake-up: the queue stops. */
    stop(): void {
      wake?.cancel();
      wake = null;
    },
  };
}
export type RetryGate = ReturnType<typeof createRetryGate>;

/**
 * Logs a call a queue keeps to try again: a warning at the first failure and every tenth after it,
 * so an outage is seen without one warning per attempt; debug for the others.
 */
export function logKeptForRetry(log: Logger, attempts: number, line: Record<string, unknown>, message: string): void {
  if (attempts === 1 || attempts % 10 === 0) log.warn(line, message);
  else log.debug(line, message);
}
