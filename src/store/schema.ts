import type { Alarm, Silence } from '../alarms/model.js';
import { emptyCiData, type CiData } from '../ci/types.js';
import { emptyFlags, type FlagsData } from '../flags/model.js';
import type { Deployment } from '../pipeline/types.js';
import { dictionary } from '../shared/names.js';

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

export interface StoreData {
  version: 1;
  nextDeploymentId: number;
  deployments: Deployment[];
  locks: Record<string, EnvironmentLock>;
  manualLocks: Record<string, ManualLock>;
  /** Releases that failed or were rolled back, per environment: `/rollback` skips them. */
  badReleases: Record<string, Record<string, string>>;
  nextAlarmId: number;
  alarms: Alarm[];
  /** Silences by alarm key: no notification for that key until the silence ends. */
  silences: Record<string, Silence>;
  /** SHA-256 fingerprints of SSH host keys seen first (`host:port` → `SHA256:…`). */
  hostKeys: Record<string, string>;
  /** Feature flags per environment and their audit log (`/flags`, `/api/flags`). */
  flags: FlagsData;
  /** The integration server: test runs of pushed commits, webhook deliveries seen, deploys waiting. */
  ci: CiData;
}

export function emptyStore(): StoreData {
  return { version: 1, nextDeploymentId: 1, nextAlarmId: 1, alarms: [], silences: dictionary(), deployments: [], locks: dictionary(), manualLocks: dictionary(), badReleases: dictionary(), hostKeys: dictionary(), flags: emptyFlags(), ci: emptyCiData() };
}
