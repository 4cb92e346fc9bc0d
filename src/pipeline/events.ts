import { createEventHub } from '../shared/event-hub.js';
import type { CommitSummary } from '../integration/mirror.js';
import type { StepEvent } from '../integration/runner.js';
import type { ChatThread, Deployment } from './types.js';
import type { Phrase } from '../shared/phrase.js';
import type { ManualLock } from './store-data.js';

/** What the pipeline tells the chat adapters; each is rendered as a message or an update. */
export type PipelineEvent =
  | { type: 'created'; deployment: Deployment }
  | { type: 'changed'; deployment: Deployment }
  | { type: 'finished'; deployment: Deployment }
  | { type: 'step'; deployment: Deployment; step: StepEvent }
  | { type: 'note'; deployment: Deployment; text: Phrase; tone: 'info' | 'warning' | 'error' }
  /** A rollout ended early and its switched hosts were put back (`failures` could not be). */
  | { type: 'rollout-stopped'; deployment: Deployment; reason: string; failures: number }
  | { type: 'promotion-requested'; deployment: Deployment }
  /** An approver started a queued deployment despite the freeze it waited for (Deploy anyway, `--break-glass`). */
  | { type: 'break-glass'; deployment: Deployment; user: string; reason: string; frozenUntil: string; freezeReason: string | null }
  /** The canary analysis ended: `deployment.analysis` holds its numbers. */
  | { type: 'analysis'; deployment: Deployment }
  | {
      type: 'approval-requested';
      deployment: Deployment;
      commits: CommitSummary[];
      compareUrl: string | null;
      /** The earlier request this one replaces, when the plan changed. */
      superseded: ChatThread | null;
    };

export type PipelineListener = (event: PipelineEvent) => void;

/** The pipeline's hub: its listeners (chat, alarms, CI statuses) must not throw, and must not block. */
export const createPipelineEvents = () => createEventHub<PipelineEvent>();
export type EventHub = ReturnType<typeof createPipelineEvents>;

/**
 * A person locked or unlocked an environment (`/deploy lock`, `/deploy unlock`, the API): the
 * environment's channel is told, not only the person who did it. `lock` is the lock put on, or the
 * one lifted; `by` who lifted it.
 */
export type LockEvent = { type: 'locked'; app: string; lock: ManualLock } | { type: 'unlocked'; app: string; lock: ManualLock; by: string };

export const createLockEvents = () => createEventHub<LockEvent>();
