import type { Alarms } from '../alarms/service.js';
import type { Actor } from '../shared/actor.js';
import { RefusedError } from '../shared/refusal.js';
import type { Pipeline } from '../pipeline/service.js';
import { mrkdwn } from './mrkdwn.js';

/** The buttons igor puts on messages, by the `<action>` of their `igor.<action>` id. */
export const DEPLOYMENT_ACTIONS = ['approve', 'reject', 'cancel', 'retry', 'promote', 'rollback'] as const;
export type DeploymentAction = (typeof DEPLOYMENT_ACTIONS)[number];

/** What a press came to; `text` is mrkdwn, told to the presser. */
export type ActionOutcome = { ok: true; text: string } | { ok: false; text: string };

/**
 * A button press, chat-neutral: the Slack listener and the control API both call this. A refusal
 * is an outcome (told privately to the presser), not an error.
 */
export function createDeploymentActions(pipeline: Pipeline, alarms: Alarms) {
  async function perform(action: DeploymentAction, id: string, actor: Actor): Promise<string> {
    switch (action) {
      case 'approve':
        return (await pipeline.approve(id, actor)) === 'approved'
          ? `Approved deployment ${id}.`
          : `The plan of deployment ${id} changed since approval was asked: it is asked again in the thread.`;
      case 'reject':
        await pipeline.reject(id, actor);
        return `Rejected deployment ${id}.`;
      case 'cancel':
        await pipeline.cancel(id, actor);
        return `Cancelled deployment ${id}.`;
      case 'promote':
        await pipeline.promote(id, actor);
        return `Promoted deployment ${id}.`;
      case 'rollback': {
        // On an alarm, Rollback undoes the deployment the alarm names.
        const target = id.startsWith('A') ? alarms.found(id).deploymentId : id;
        if (!target) throw new RefusedError('conflict', `alarm ${id} names no deployment to roll back`);
        const result = await pipeline.rollBack(target, actor);
        return result.id === target ? `Rolled back deployment ${target}.` : `Rollback ${result.id} puts back ${result.release}.`;
      }
      case 'retry': {
        const retry = await pipeline.retry(id, actor);
        return `Deployment ${retry.id} retries ${id}.`;
      }
    }
  }
  return {
    async press(action: DeploymentAction, id: string, actor: Actor): Promise<ActionOutcome> {
      try {
        return { ok: true, text: await perform(action, id, actor) };
      } catch (error) {
        if (error instanceof RefusedError) return { ok: false, text: mrkdwn(error.words) };
        throw error;
      }
    },
  };
}
export type DeploymentActions = ReturnType<typeof createDeploymentActions>;
