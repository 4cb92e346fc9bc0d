import type { DeploymentState } from './states.js';

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';
export type HostState = 'pending' | 'deploying' | 'succeeded' | 'failed' | 'rolled-back' | 'untouched';

export interface StepRecord {
  name: string;
  state: StepState;
  startedAt: string | null;
  finishedAt: string | null;
  logUrl: string | null;
  /** Why it failed, in words: exit code, timeout. */
  error?: string | null;
}

export interface HostRecord {
  host: string;
  state: HostState;
  release: string | null;
  previousRelease: string | null;
  error: string | null;
  /** The current phase while deploying: upload, unpack, steps, switch, restart, health. */
  phase?: string | null;
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
  approvedBy: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  steps: StepRecord[];
  hosts: HostRecord[];
  thread: ChatThread | null;
}
