import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { slackUser } from '../../../../shared/actor.js';
import { ACTIONS_WITH_REASON } from '../../../../pipeline/actions.js';
import { toldToPresser } from '../../../actions.js';
import { reasonModal } from '../../reason-modal.js';
import { press, type ButtonHandler } from '../../../interactions.js';
import type { Chat } from '../../../port.js';
import type { HomePublisher } from '../../home-publisher.js';
import { threadOfPress } from '../../press-thread.js';

/**
 * Every `igor.*` button, through the one interaction table: ack at once, press, and tell the
 * presser privately, where they pressed, when igor refused. Messages themselves are brought up to date by the
 * announcers, so a refused press on a stale message fixes that message too.
 */
export default {
  register(app: App, deps: { interactions: ReadonlyMap<string, ButtonHandler>; chat: Chat; log: Logger; home?: HomePublisher | undefined }): void {
    app.action<BlockButtonAction>(/^igor\./, async ({ ack, body, action, client }) => {
      await ack();
      const name = action.action_id.slice('igor.'.length);
      const user = body.user.id;
      const value = action.value ?? '';
      // A button that needs a reason asks for it first, in a modal; its submission presses it (listeners/views).
      if (ACTIONS_WITH_REASON.has(name)) {
        const channel = body.channel?.id ?? body.container.channel_id ?? null;
        await client.views.open({ trigger_id: body.trigger_id, view: reasonModal({ action: name, value, channel }) });
        deps.log.info({ action: name, value, user }, 'asked for a reason');
        return;
      }
      const outcome = await press(deps.interactions, name, value, slackUser(user), (error) => deps.log.error({ err: error, action: name, value, user }, 'a button failed'));
      deps.log.info({ action: name, value, user, ok: outcome.ok }, 'button pressed');
      const channel = body.channel?.id ?? body.container.channel_id;
      // Told where the press was: in the thread of a reply's button, beside a root message's.
      if (toldToPresser(outcome) && channel) await deps.chat.ephemeral(channel, user, { text: outcome.ok ? outcome.text : `:no_entry: ${outcome.text}` }, threadOfPress(body));
      // A press on the Home tab has no channel: the presser's tab says why.
      else if (!outcome.ok && body.container.type === 'view') await deps.home?.refused(user, `:no_entry: ${outcome.text}`);
      else if (body.container.type === 'view') deps.home?.changed();
    });
  },
};
