import type { EnvironmentLock } from '../store/schema.js';

/** What kind of refusal an error is; the HTTP layer maps it to a status, chat to a sentence. */
export type RefusalCode = 'bad-input' | 'forbidden' | 'not-found' | 'conflict';

/** A request igor refuses; the message says why and what to do instead. */
export class RefusedError extends Error {
  override name = 'RefusedError';
  constructor(
    readonly code: RefusalCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class EnvironmentBusyError extends RefusedError {
  override name = 'EnvironmentBusyError';
  constructor(readonly lock: EnvironmentLock) {
    super('conflict', `${lock.environment} is busy: <@${lock.user}> is deploying \`${lock.ref}\` (deployment ${lock.deploymentId}) since ${lock.since}`);
  }
}
