/** Every state a deployment can be in; the contract's list. */
export const STATES = [
  'queued',
  'testing',
  'awaiting-approval',
  'deploying',
  'baking',
  'verifying',
  'succeeded',
  'failed',
  'rolled-back',
  'rejected',
  'expired',
  'cancelled',
  'interrupted',
] as const;
export type DeploymentState = (typeof STATES)[number];

/** States in which a deployment holds its environment's lock. */
export const ACTIVE: ReadonlySet<DeploymentState> = new Set(['queued', 'testing', 'awaiting-approval', 'deploying', 'baking', 'verifying']);

/** States a deployment never leaves. */
export const FINISHED: ReadonlySet<DeploymentState> = new Set(['succeeded', 'failed', 'rolled-back', 'rejected', 'expired', 'cancelled', 'interrupted']);

export const TRANSITIONS = {
  test: { from: ['queued'], to: 'testing' },
  /** A promotion (`/deploy promote`) runs no tests: it goes from `queued` to approval, or to its rollout. */
  requestApproval: { from: ['queued', 'testing'], to: 'awaiting-approval' },
  approve: { from: ['queued', 'testing', 'awaiting-approval'], to: 'deploying' },
  /** Rollbacks skip tests and approval: the release passed them when it was first deployed. */
  startRollback: { from: ['queued'], to: 'deploying' },
  reject: { from: ['awaiting-approval'], to: 'rejected' },
  expire: { from: ['awaiting-approval'], to: 'expired' },
  bake: { from: ['deploying'], to: 'baking' },
  promote: { from: ['baking'], to: 'deploying' },
  verify: { from: ['deploying'], to: 'verifying' },
  succeed: { from: ['verifying'], to: 'succeeded' },
  fail: { from: ['queued', 'testing', 'awaiting-approval', 'deploying', 'baking', 'verifying'], to: 'failed' },
  rollBack: { from: ['deploying', 'baking', 'verifying'], to: 'rolled-back' },
  cancel: { from: ['queued', 'testing', 'awaiting-approval', 'deploying', 'baking'], to: 'cancelled' },
  interrupt: { from: ['queued', 'testing', 'awaiting-approval', 'deploying', 'baking', 'verifying'], to: 'interrupted' },
} as const satisfies Record<string, { from: readonly DeploymentState[]; to: DeploymentState }>;

export type DeploymentEvent = keyof typeof TRANSITIONS;
