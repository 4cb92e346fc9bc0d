/**
 * Something the analysis could not do (Prometheus unreachable, a query Prometheus refused): its
 * message says what to check. `[analysis] [prometheus] http://…: connection refused`.
 */
export class AnalysisError extends Error {
  constructor(
    readonly part: 'load' | 'prometheus',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`[analysis] [${part}] ${message}`, options);
    this.name = 'AnalysisError';
  }

  /** The message without the subsystem prefix, for a table cell. */
  get detail(): string {
    return this.message.replace(/^\[analysis\] \[\w+\] /, '');
  }
}
