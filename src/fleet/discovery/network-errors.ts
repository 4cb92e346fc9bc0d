/** Socket errors that mean "the API cannot be reached", as Node gives them. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** Whether `error` or one of its causes (a few deep) is one that `test` picks. */
export function inChain(error: unknown, test: (error: Error) => boolean): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) if (test(e)) return true;
  return false;
}

/** A socket error, also wrapped by an SDK (its `cause`) or grouped in an AggregateError (one per address tried). */
export function isNetworkError(error: unknown): boolean {
  return inChain(error, (e) => {
    const code = (e as NodeJS.ErrnoException).code;
    return (typeof code === 'string' && NETWORK_CODES.has(code)) || (e instanceof AggregateError && e.errors.some(isNetworkError));
  });
}
