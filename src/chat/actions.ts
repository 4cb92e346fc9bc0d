import type { Alarms } from '../alarms/service.js';
import { actOnDeployment, DEPLOYMENT_ACTIONS, type ActionInput, type DeploymentAction, type DeploymentActionResult } from '../pipeline/actions.js';
import type { Pipelines } from '../pipeline/pipelines.js';
import type { Actor } from '../shared/actor.js';
import { RefusedError } from '../shared/refusal.js';
import { mrkdwn } from './mrkdwn.js';

export { DEPLOYMENT_ACTIONS, type DeploymentAction };

/** What a press came to; `text` is mrkdwn, told to the presser. */
export type ActionOutcome = { ok: true; text: string; tell?: boolean } | { ok: false; text: string };

/** Whether the presser is told the outcome privately: always a refusal; a success when it says so (its effect shows nowhere else they look). */
export const toldToPresser = (outcome: ActionOutcome): boolean => !outcome.ok || outcome.tell === true;

/** The sentence told to whoever pressed: the pipeline says what happened, chat says it in words. */
function told(result: DeploymentActionResult): string {
  const { id } = result.deployment;
  switch (result.action) {
    case 'approve':
      return result.outcome === 'approved' ? `Approved deployment ${id}.` : `The plan of deployment ${id} changed since approval was asked: it is asked again in the thread.`;
    case 'reject':
      return `Rejected deployment ${id}.`;
    case 'cancel':
      return `Cancelled deployment ${id}.`;
    case 'promote':
      return `Promoted deployment ${id}.`;
    case 'rollback':
      return result.started ? `Rollback ${result.started.id} puts back ${result.started.release}.` : `Rolled back deployment ${id}.`;
    case 'retry':
      return `Deployment ${result.started.id} retries ${id}.`;
    case 'deploy-anyway':
      return `Deployment ${id} starts despite the freeze; the alerts channel is told.`;
  }
}

/**
 * A deployment button press: the same action the control API's routes take, told in words. A
 * refusal is an outcome (told privately to the presser), not an error.
 */
export function createDeploymentActions(pipelines: Pipelines, alarms: Alarms) {
  return {
    async press(action: DeploymentAction, id: string, actor: Actor, input: ActionInput = {}): Promise<ActionOutcome> {
      try {
        // On an alarm, Rollback undoes the deployment the alarm names.
        const target = action === 'rollback' && id.startsWith('A') ? alarms.found(id).deploymentId : id;
        if (!target) throw new RefusedError('conflict', `alarm ${id} names no deployment to roll back`);
        return { ok: true, text: told(await actOnDeployment(pipelines, action, target, actor, input)) };
      } catch (error) {
        if (error instanceof RefusedError) return { ok: false, text: mrkdwn(error.words) };
        throw error;
      }
    },
  };
}
export type DeploymentActions = ReturnType<typeof createDeploymentActions>;
