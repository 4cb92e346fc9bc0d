import { stateMachine, type TransitionTable } from '../shared/state-machine.js';
import type { CiRunState } from './types.js';

/** How a test run moves, as deployments do: one table, checked on every move. */
export const RUN_TRANSITIONS = {
  start: { from: ['queued'], to: 'running' },
  pass: { from: ['running'], to: 'passed' },
  fail: { from: ['running'], to: 'failed' },
  /** A newer commit of the branch came before this one started. */
  supersede: { from: ['queued'], to: 'superseded' },
  /** The branch was deleted. */
  cancel: { from: ['queued', 'running'], to: 'cancelled' },
  /** igor was stopped while it ran. */
  interrupt: { from: ['running'], to: 'interrupted' },
  /** After a restart: tests are safe to repeat, so a stranded run waits its turn again. */
  requeue: { from: ['running', 'interrupted'], to: 'queued' },
} as const satisfies TransitionTable<CiRunState, string>;

export type RunEvent = keyof typeof RUN_TRANSITIONS;

export const runMachine = stateMachine<CiRunState, RunEvent>(RUN_TRANSITIONS, 'test run');
