import { describe, expect, it } from 'vitest';
import { canTransition, ForbiddenTransitionError, nextState } from '../../src/pipeline/machine.js';
import { ACTIVE, FINISHED, STATES, TRANSITIONS, type DeploymentEvent, type DeploymentState } from '../../src/pipeline/states.js';

const EVENTS = Object.keys(TRANSITIONS) as DeploymentEvent[];

const ALLOWED = EVENTS.flatMap((event) =>
  TRANSITIONS[event].from.map((from): [DeploymentState, DeploymentEvent, DeploymentState] => [from, event, TRANSITIONS[event].to]),
);

const FORBIDDEN = STATES.flatMap((state) =>
  EVENTS.filter((event) => !(TRANSITIONS[event].from as readonly DeploymentState[]).includes(state)).map(
    (event): [DeploymentState, DeploymentEvent] => [state, event],
  ),
);

describe('the transition table', () => {
  it('moves only between states the contract lists', () => {
    for (const event of EVENTS) {
      expect(STATES).toContain(TRANSITIONS[event].to);
      for (const from of TRANSITIONS[event].from) expect(STATES).toContain(from);
    }
  });

  it('starts every transition in an active state', () => {
    for (const [from] of ALLOWED) expect(ACTIVE.has(from)).toBe(true);
  });

  it('splits the states into active and finished with none in both and none left out', () => {
    for (const state of STATES) expect(ACTIVE.has(state) !== FINISHED.has(state)).toBe(true);
    expect(ACTIVE.size + FINISHED.size).toBe(STATES.length);
  });

  it('reaches every finished state from some active state', () => {
    const targets = new Set<DeploymentState>(EVENTS.map((event) => TRANSITIONS[event].to));
    for (const state of FINISHED) expect(targets.has(state)).toBe(true);
  });

  it('lets every active state fail and be interrupted', () => {
    for (const state of ACTIVE) {
      expect(nextState(state, 'fail')).toBe('failed');
      expect(nextState(state, 'interrupt')).toBe('interrupted');
    }
  });
});

describe('nextState', () => {
  it.each(ALLOWED)('moves a deployment that is %s on %s to %s', (from, event, to) => {
    expect(canTransition(from, event)).toBe(true);
    expect(nextState(from, event)).toBe(to);
  });

  it('has forbidden pairs to check', () => {
    expect(FORBIDDEN.length + ALLOWED.length).toBe(STATES.length * EVENTS.length);
    expect(FORBIDDEN.length).toBeGreaterThan(0);
  });

  it.each(FORBIDDEN)('refuses a deployment that is %s the event %s', (state, event) => {
    expect(canTransition(state, event)).toBe(false);
    let thrown: unknown;
    try {
      nextState(state, event);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ForbiddenTransitionError);
    const error = thrown as ForbiddenTransitionError;
    expect(error.state).toBe(state);
    expect(error.event).toBe(event);
    expect(error.message).toBe(`a deployment that is ${state} cannot ${event}`);
  });

  it.each([...FINISHED])('never moves a deployment out of %s', (state) => {
    for (const event of EVENTS) {
      expect(canTransition(state, event)).toBe(false);
      expect(() => nextState(state, event)).toThrow(ForbiddenTransitionError);
    }
  });

  it('follows the happy path with a canary from queued to succeeded', () => {
    const events: DeploymentEvent[] = ['test', 'requestApproval', 'approve', 'bake', 'promote', 'verify', 'succeed'];
    const path = events.reduce<DeploymentState[]>((states, event) => [...states, nextState(states.at(-1)!, event)], ['queued']);
    expect(path).toEqual(['queued', 'testing', 'awaiting-approval', 'deploying', 'baking', 'deploying', 'verifying', 'succeeded']);
  });

  it('goes straight from testing to deploying when approval is automatic', () => {
    expect(nextState('testing', 'approve')).toBe('deploying');
  });
});
