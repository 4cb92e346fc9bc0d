import { dictionary } from '../shared/names.js';
import { scopeRecords } from '../shared/scope.js';

/** Where a run stands; `passed` and `failed` are verdicts, the rest are runs that gave none. */
export type CiRunState = 'queued' | 'running' | 'passed' | 'failed' | 'superseded' | 'cancelled' | 'interrupted';

/** The GitHub repository a push came from: where commit statuses go. */
export interface CiRepository {
  owner: string;
  name: string;
  /** `https://github.com/acme/shop`, for links to commits; null when the payload had none. */
  htmlUrl: string | null;
}

/** One run of the integration steps on one commit of one branch. */
export interface CiRun {
  id: string;
  /** The app whose repository it tested (set on runs of an older igor when the store is upgraded). */
  app: string;
  branch: string;
  sha: string;
  /** First line of the commit message, and its author, as the push told them. */
  subject: string | null;
  author: string | null;
  /** Who caused the run: `github:<pusher>` for a push, the Slack user id for a Retry. */
  requestedBy: string;
  repository: CiRepository | null;
  /** The `X-GitHub-Delivery` that asked for it, if a webhook did. */
  delivery: string | null;
  forced: boolean;
  retryOf: string | null;
  state: CiRunState;
  /** Why it failed or gave no verdict, in words. */
  reason: string | null;
  failedStep: string | null;
  logTail: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The chat message that told of its result, when one was posted. */
  message: { channel: string; ts: string } | null;
  /** Each integration step as it ran (absent in runs stored by an older igor). */
  steps?: CiStep[];
  /** `integrationFingerprint` of the settings it ran under (absent in runs stored by an older igor). */
  integration?: string;
}

export interface CiStep {
  name: string;
  state: 'running' | 'succeeded' | 'failed' | 'skipped';
  startedAt: string | null;
  finishedAt: string | null;
}

/** A commit that passed its tests and waits for its environment to free (`autoDeploy`). */
export interface PendingDeploy {
  sha: string;
  branch: string;
  user: string;
  runId: string;
}

/** What the integration server keeps in the store (the `ci` field). */
export interface CiData {
  nextRunId: number;
  /** Oldest first; finished ones are pruned past a limit. */
  runs: CiRun[];
  /** `X-GitHub-Delivery` ids acted on, oldest first, bounded. */
  deliveries: string[];
  /** SHA-256 of the signed bodies of the deliveries acted on, oldest first, bounded (absent in stores of an older igor). */
  deliveryDigests?: string[];
  /** Per app, the newest pushed commit of each branch. */
  headsByApp: Record<string, Record<string, string>>;
  /** The newest pushed commit of each branch, as an igor of one app kept it (moved to `headsByApp` by the upgrade). */
  heads?: Record<string, string>;
  /** Per environment: the newest tested commit to deploy once the environment frees. */
  pendingDeploys: Record<string, PendingDeploy>;
}

/** The integration server's part of the store: test runs, webhook deliveries seen, deploys waiting. */
export interface CiSlice {
  ci: CiData;
}

export function emptyCiData(): CiData {
  return { nextRunId: 1, runs: [], deliveries: [], deliveryDigests: [], headsByApp: dictionary(), pendingDeploys: dictionary() };
}

/** States a run never leaves. */
export const CI_FINISHED: ReadonlySet<CiRunState> = new Set(['passed', 'failed', 'superseded', 'cancelled', 'interrupted']);

/** Keys the commits an igor of one app kept waiting per bare environment name by app and environment. */
export function scopeCiData(data: CiData, app: string): boolean {
  const older = data.runs.filter((run) => (run as Partial<CiRun>).app === undefined);
  for (const run of older) run.app = app;
  const heads = data.heads;
  if (heads) {
    data.headsByApp = Object.assign(dictionary<Record<string, string>>(), data.headsByApp);
    data.headsByApp[app] = Object.assign(dictionary<string>(), heads, data.headsByApp[app]);
    delete data.heads;
  }
  return scopeRecords(data.pendingDeploys, app) || older.length > 0 || heads !== undefined;
}
