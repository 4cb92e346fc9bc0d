/** db.json could not be written: the change is in memory only, and the next write tries again. */
export class StoreWriteError extends Error {
  override name = 'StoreWriteError';
  constructor(
    readonly path: string,
    options: { cause: unknown },
  ) {
    super(`[store] could not write ${path}: ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`, options);
  }
}
