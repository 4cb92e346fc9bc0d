/** A command that could not be understood; the message says what was expected. */
export class UsageError extends Error {
  override name = 'UsageError';
}
