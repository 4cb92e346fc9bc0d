import { dictionary } from '../shared/names.js';
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

/** The pipeline's part of the store. */
export interface PipelineData {
  nextDeploymentId: number;
  deployments: Deployment[];
  locks: Record<string, EnvironmentLock>;
  manualLocks: Record<string, ManualLock>;
  /** Releases that failed or were rolled back, per environment: `/rollback` skips them. */
  badReleases: Record<string, Record<string, string>>;
}

export function emptyPipelineData(): PipelineData {
  return { nextDeploymentId: 1, deployments: [], locks: dictionary(), manualLocks: dictionary(), badReleases: dictionary() };
}
