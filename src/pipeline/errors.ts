import { phrase, code, time, user } from '../shared/phrase.js';
import { RefusedError } from '../shared/refusal.js';

import type { EnvironmentLock } from './store-data.js';

export class EnvironmentBusyError extends RefusedError {
  override name = 'EnvironmentBusyError';
  constructor(readonly lock: EnvironmentLock) {
    super('conflict', phrase`${lock.environment} is busy: ${user(lock.user)} is deploying ${code(lock.ref)} (deployment ${lock.deploymentId}) since ${time(lock.since)}`);
  }
}
