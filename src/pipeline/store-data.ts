import { dictionary } from '../shared/names.js';
import { scopeRecords } from '../shared/scope.js';
import type { Deployment } from './types.js';

/** Who holds an environment, so a second deploy can be told. */
export interface EnvironmentLock {
  environment: string;
  deploymentId: string;
  ref: string;
  user: string;
  since: string;
}

/** A lock a person put on an environment: no deploys until it is lifted. */
export interface ManualLock {
  environment: string;
  user: string;
  reason: string | null;
  since: string;
}

/** The pipeline's part of the store. The records per environment are keyed by `scopeKey(app, environment)`. */
export interface PipelineData {
  nextDeploymentId: number;
  deployments: Deployment[];
  locks: Record<string, EnvironmentLock>;
  manualLocks: Record<string, ManualLock>;
  /** Releases that failed or were rolled back, per app and environment: `/rollback` skips them. */
  badReleases: Record<string, Record<string, string>>;
}

export function emptyPipelineData(): PipelineData {
  return { nextDeploymentId: 1, deployments: [], locks: dictionary(), manualLocks: dictionary(), badReleases: dictionary() };
}

/** Keys the locks, manual locks and bad releases an igor of one app kept per bare environment name by app and environment. */
export function scopePipelineData(data: PipelineData, app: string): boolean {
  // Each is moved, whatever the others did.
  const moved = [data.locks, data.manualLocks, data.badReleases].map((records) => scopeRecords(records, app));
  return moved.includes(true);
}
