import type { Actor } from '../shared/actor.js';
import type { Pipelines } from './pipelines.js';
import type { Deployment } from './types.js';

/** What people can do to a deployment: the buttons in chat and the control API's action routes. */
export const DEPLOYMENT_ACTIONS = ['approve', 'reject', 'cancel', 'retry', 'promote', 'rollback', 'deploy-anyway'] as const;
export type DeploymentAction = (typeof DEPLOYMENT_ACTIONS)[number];

/**
 * What an action came to, for each front end to put in its own words: `deployment` is the one
 * acted on; `started` a deployment the action started (a retry, or a rollback of a finished
 * deployment), when it started one.
 */
export type DeploymentActionResult =
  | { action: 'approve'; deployment: Deployment; outcome: 'approved' | 'reasked' }
  | { action: 'reject' | 'cancel' | 'promote' | 'deploy-anyway'; deployment: Deployment }
  | { action: 'rollback'; deployment: Deployment; started: Deployment | null }
  | { action: 'retry'; deployment: Deployment; started: Deployment };

export function isDeploymentAction(name: string): name is DeploymentAction {
  return (DEPLOYMENT_ACTIONS as readonly string[]).includes(name);
}

/** What an action asks of the person beyond pressing: `Deploy anyway` asks why. */
export interface ActionInput {
  reason?: string | undefined;
}

/** The actions that ask for a reason before they act (a modal in Slack, a prompt in the console). */
export const ACTIONS_WITH_REASON: ReadonlySet<string> = new Set(['deploy-anyway']);

/** Does `action` to deployment `id` (through its app's pipeline) as `actor`; refusals are thrown as `RefusedError`. */
export async function actOnDeployment(pipelines: Pipelines, action: DeploymentAction, id: string, actor: Actor, input: ActionInput = {}): Promise<DeploymentActionResult> {
  const pipeline = pipelines.ofDeployment(id);
  const deployment = pipeline.found(id);
  switch (action) {
    case 'approve':
      return { action, deployment, outcome: await pipeline.approve(id, actor) };
    case 'reject':
      await pipeline.reject(id, actor);
      return { action, deployment };
    case 'cancel':
      await pipeline.cancel(id, actor);
      return { action, deployment };
    case 'promote':
      await pipeline.promote(id, actor);
      return { action, deployment };
    case 'rollback': {
      const result = await pipeline.rollBack(id, actor);
      return { action, deployment, started: result.id === id ? null : result };
    }
    case 'retry':
      return { action, deployment, started: await pipeline.retry(id, actor) };
    case 'deploy-anyway':
      await pipeline.deployAnyway(id, actor, input.reason);
      return { action, deployment };
  }
}
