import { TRANSITIONS, type DeploymentEvent, type DeploymentState } from './states.js';

/** A move the state machine forbids: a bug in the caller or a race the caller must handle. */
export class ForbiddenTransitionError extends Error {
  override name = 'ForbiddenTransitionError';
  constructor(
    readonly event: DeploymentEvent,
    readonly state: DeploymentState,
  ) {
    super(`a deployment that is ${state} cannot ${event}`);
  }
}

/** Whether `event` may happen in `state`. */
export function canTransition(state: DeploymentState, event: DeploymentEvent): boolean {
  return (TRANSITIONS[event].from as readonly DeploymentState[]).includes(state);
}

/**
 * The state after `event`, or a {@link ForbiddenTransitionError}.
 * @example nextState('testing', 'approve') // 'deploying'
 */
export function nextState(state: DeploymentState, event: DeploymentEvent): DeploymentState {
  if (!canTransition(state, event)) throw new ForbiddenTransitionError(event, state);
  return TRANSITIONS[event].to;
}
