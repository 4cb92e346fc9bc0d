import type { Deployment } from '../pipeline/types.js';

/** Who holds an environment, so a second deploy can be told. */
export interface EnvironmentLock {
  environment: string;
  deploymentId: string;
  ref: string;
  user: string;
  since: string;
}

export interface StoreData {
  version: 1;
  nextDeploymentId: number;
  deployments: Deployment[];
  locks: Record<string, EnvironmentLock>;
  /** SHA-256 fingerprints of SSH host keys seen first (`host:port` → `SHA256:…`). */
  hostKeys: Record<string, string>;
}

export function emptyStore(): StoreData {
  return { version: 1, nextDeploymentId: 1, deployments: [], locks: {}, hostKeys: {} };
}
