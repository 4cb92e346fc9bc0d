import { phrase, code, time, user } from '../shared/phrase.js';
import { RefusedError } from '../shared/refusal.js';

import type { EnvironmentLock } from './store-data.js';

/** What a deploy or promotion refused for a busy environment asked for: what `Queue` puts in the queue. */
export type QueueableRequest = { app: string; environment: string; ref: string } | { app: string; environment: string; from: string };

export class EnvironmentBusyError extends RefusedError {
  override name = 'EnvironmentBusyError';
  constructor(
    readonly lock: EnvironmentLock,
    /** Set when the refused request was a deploy or a promotion, which may be queued instead. */
    readonly queueable: QueueableRequest | null = null,
  ) {
    super('conflict', phrase`${lock.environment} is busy: ${user(lock.user)} is deploying ${code(lock.ref)} (deployment ${lock.deploymentId}) since ${time(lock.since)}`);
  }
}
