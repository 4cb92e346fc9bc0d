import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { DEPLOYMENT_ACTIONS, type DeploymentActions } from '../../../actions.js';
import { slackUser } from '../../../../shared/actor.js';
import type { Chat } from '../../../port.js';

/**
 * The deployment buttons (`igor.approve`, `igor.reject`, `igor.cancel`, `igor.retry`): ack at once,
 * act, and tell the presser privately when igor refused. Messages themselves are brought up to date
 * by the announcer, so a refused press on a stale message fixes that message too.
 */
export function register(app: App, deps: { actions: DeploymentActions; chat: Chat; log: Logger }): void {
  for (const action of DEPLOYMENT_ACTIONS) {
    app.action<BlockButtonAction>(`igor.${action}`, async ({ ack, body, action: pressed }) => {
      await ack();
      const user = body.user.id;
      const channel = body.channel?.id ?? body.container.channel_id;
      const outcome = await deps.actions.press(action, pressed.value ?? '', slackUser(user));
      deps.log.info({ action, deployment: pressed.value, user, ok: outcome.ok }, 'button pressed');
      if (!outcome.ok && channel) await deps.chat.ephemeral(channel, user, { text: `:no_entry: ${outcome.text}` });
    });
  }
}
