/**
 * An AbortSignal that fires after `ms` or when `outer` does, whichever comes first; `clear()`
 * drops the timer and the listener. Plain timers and an AbortController: on Node 20.20,
 * `AbortSignal.any` over `AbortSignal.timeout` can be garbage-collected before it fires.
 * @example const deadline = withDeadline(5_000, run.signal); try { await fetch(url, { signal: deadline.signal }) } finally { deadline.clear() }
 */
export function withDeadline(ms: number, outer: AbortSignal): { signal: AbortSignal; timedOut(): boolean; clear(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${ms}ms`));
  }, ms);
  const onAbort = () => controller.abort(outer.reason);
  if (outer.aborted) onAbort();
  else outer.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear() {
      clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
    },
  };
}
