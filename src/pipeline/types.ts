import type { CanaryAnalysis } from '../analysis/types.js';
import type { TestEvidence } from '../integration/evidence.js';
import type { Via } from '../shared/actor.js';
import type { DeploymentState } from './states.js';

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type HostState = 'pending' | 'deploying' | 'succeeded' | 'failed' | 'rolling-back' | 'rolled-back' | 'rollback-failed' | 'untouched';

export interface StepRecord {
  name: string;
  state: StepState;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why it failed, in words: exit code, timeout. */
  error?: string | null;
}

export interface HostRecord {
  host: string;
  /** Where igor reached it (`{host}` of health URLs); older records lack it. */
  address?: string;
  /** The cloud's id of the server (EC2 instance id, GCE id, Azure vmId), when it has one. */
  instanceId?: string;
  state: HostState;
  release: string | null;
  previousRelease: string | null;
  error: string | null;
  /** The current phase while deploying: upload, unpack, steps, switch, restart, health. */
  phase?: string | null;
  /** Whether this deployment switched the host's `current` (so a rollback must put it back). */
  switched?: boolean;
  /** The wave the host belongs to: `canary`, `wave 1`, … */
  wave?: string;
}

/** What an approver approves: the exact commit, the hosts and how they will be rolled out. */
export interface DeploymentPlan {
  sha: string;
  environment: string;
  hosts: string[];
  strategy: string;
}

export interface ApprovalRequest {
  plan: DeploymentPlan;
  requestedAt: string;
  expiresAt: string;
  /** Why the approval was asked again, when it was. */
  reaskedBecause: string | null;
  /** The thread reply carrying the Approve / Reject buttons. */
  message: ChatThread | null;
  /** Releases of this commit that failed or were rolled back before (absent in requests of an older igor): the approvers are warned. */
  badReleases?: BadRelease[];
}

/** A release marked bad in an environment (it failed, or was rolled back), and why. */
export interface BadRelease {
  environment: string;
  release: string;
  why: string;
}

/** Where a promotion's release comes from: the environment it was live on, and since when. */
export interface PromotedFrom {
  environment: string;
  /** The deployment that put the release there. */
  deployment: string;
  release: string;
  /** When the release went live there (that deployment's end): how long it was healthy there is counted from it. */
  liveSince: string;
}

/** When a deployment entered a state. */
export interface Transition {
  state: DeploymentState;
  at: string;
}

export interface PromotionRequest {
  requestedAt: string;
  /** The thread reply carrying Promote / Rollback. */
  message: ChatThread | null;
  decision: 'promote' | 'rollback' | null;
  decidedBy: string | null;
}

export interface AuditEntry {
  action: string;
  user: string;
  /** Through what the user acted (absent in entries of an older igor); for the API, the token's name. */
  via?: Via['via'];
  token?: string | null;
  at: string;
  outcome: 'done' | 'refused';
  detail: string | null;
  /** The same refusal repeated: how many times in all, and the last time. */
  count?: number;
  lastAt?: string;
}

/** Why and since when a queued deployment waits, and what it will start with. */
export interface Waiting {
  since: string;
  /** A freeze window it waits for, while one is in force: when it ends, and why it was set. */
  frozenUntil: string | null;
  freezeReason: string | null;
  /** A setting that authorised the request in place of `deployers` (autoDeploy): a newer commit of the same ref supersedes it. */
  authorizedBy: string | null;
  /** An approver started it during a freeze (Deploy anyway, `--break-glass`): it waits for no freeze. */
  breakGlass: { user: string; reason: string; at: string } | null;
  /** Where its tests passed already (an autoDeploy's test run), judged again when it starts. */
  tested: TestEvidence | null;
}

/** Where a deployment's story is told in chat, once its root message exists. */
export interface ChatThread {
  channel: string;
  ts: string;
}

export interface Deployment {
  id: string;
  kind: 'deploy' | 'rollback';
  app: string;
  ref: string;
  sha: string | null;
  release: string | null;
  environment: string;
  state: DeploymentState;
  /** Why it ended the way it did, when that is not success. */
  reason: string | null;
  requestedBy: string;
  /** Through what it was asked (absent in deployments of an older igor). */
  requestedVia?: Via;
  approvedBy: string | null;
  rejectedBy: string | null;
  /** Set while an approval is asked for, and kept afterwards as the record of what was approved. */
  approval: ApprovalRequest | null;
  /** Every button press and API action on this deployment, refused ones too. */
  audit: AuditEntry[];
  /** The deployment this one retries, if any. */
  retryOf: string | null;
  /** Where its integration steps already passed on this commit (a test run), so they were not run again. */
  testedIn?: TestEvidence | null;
  /** For a rollback: the release that was live when it started. */
  fromRelease?: string | null;
  /** For a rollback: whether it undoes the rollback that was live (lifting the bad mark). */
  undo?: boolean;
  /** Set while a manual canary promotion is asked for, and kept as its record. */
  promotion?: PromotionRequest | null;
  /** The canary analysis of the bake (`strategy.canary.analysis`): running, then its numbers and verdict. */
  analysis?: CanaryAnalysis | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Each state it entered after `queued`, in order (absent in deployments of an older igor): what its times are counted from. */
  transitions?: Transition[];
  steps: StepRecord[];
  hosts: HostRecord[];
  thread: ChatThread | null;
  /** When a deployment that waited in its environment's queue took the environment: its release is named by it. */
  startedAt?: string;
  /** Set while it waits in its environment's queue (state `queued`), for its turn or for a freeze to end (see queue.ts). */
  waiting?: Waiting | null;
  /** The SHA-256 of the artifact it shipped (kept by release id, see `keptArtifactPath`), once packed or checked. */
  artifactSha256?: string | null;
  /** For a promotion: the environment, deployment and release it ships again, unchanged. */
  promotedFrom?: PromotedFrom | null;
  /** The id of the GitHub Deployment that mirrors this one (GitHub's deployments view), once GitHub made it. */
  githubDeploymentId?: number;
}
