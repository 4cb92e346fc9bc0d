import { stateMachine } from '../shared/state-machine.js';
import { TRANSITIONS, type DeploymentEvent, type DeploymentState } from './states.js';

export { ForbiddenTransitionError } from '../shared/state-machine.js';

const deployments = stateMachine<DeploymentState, DeploymentEvent>(TRANSITIONS, 'deployment');

/** Whether `event` may happen in `state`. */
export const canTransition = deployments.can;

/**
 * The state after `event`, or a {@link ForbiddenTransitionError}.
 * @example nextState('testing', 'approve') // 'deploying'
 */
export const nextState = deployments.next;
