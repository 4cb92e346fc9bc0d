import { describe, expect, it } from 'vitest';
import { RUN_TRANSITIONS, runMachine } from '../../src/ci/states.js';
import { CI_FINISHED, type CiRunState } from '../../src/ci/types.js';
import { ForbiddenTransitionError } from '../../src/shared/state-machine.js';

const STATES: CiRunState[] = ['queued', 'running', 'passed', 'failed', 'superseded', 'cancelled', 'interrupted'];

describe('test run transitions', () => {
  it('runs a queued run to a verdict', () => {
    expect(runMachine.next(runMachine.next('queued', 'start'), 'pass')).toBe('passed');
    expect(runMachine.next('running', 'fail')).toBe('failed');
  });

  it('supersedes only runs that have not started', () => {
    expect(runMachine.next('queued', 'supersede')).toBe('superseded');
    expect(runMachine.can('running', 'supersede')).toBe(false);
  });

  it('queues a stranded run again after a restart, never a finished verdict', () => {
    expect(runMachine.next('running', 'requeue')).toBe('queued');
    expect(runMachine.next('interrupted', 'requeue')).toBe('queued');
    for (const state of ['passed', 'failed', 'superseded', 'cancelled'] as const) expect(runMachine.can(state, 'requeue')).toBe(false);
  });

  it('refuses every move out of a verdict, naming the run and the move', () => {
    for (const state of STATES.filter((s) => CI_FINISHED.has(s) && s !== 'interrupted')) {
      for (const event of Object.keys(RUN_TRANSITIONS) as Array<keyof typeof RUN_TRANSITIONS>) {
        expect(() => runMachine.next(state, event)).toThrow(ForbiddenTransitionError);
      }
    }
    expect(() => runMachine.next('passed', 'start')).toThrow('a test run that is passed cannot start');
  });
});
