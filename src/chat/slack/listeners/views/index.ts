import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { slackUser } from '../../../../shared/actor.js';
import { press, type ButtonHandler } from '../../../interactions.js';
import type { Chat } from '../../../port.js';
import { reasonMetadata, REASON_CALLBACK_ID } from '../../reason-modal.js';

/**
 * The reason modal's submission: the button it was opened for is pressed with the reason, through
 * the one interaction table. A missing reason keeps the modal open, saying so; a refusal closes it
 * and is told to the presser privately, where they pressed, as a refused button is.
 */
export default {
  register(app: App, deps: { interactions: ReadonlyMap<string, ButtonHandler>; chat: Chat; log: Logger }): void {
    app.view(REASON_CALLBACK_ID, async ({ ack, body, view }) => {
      let raw: unknown;
      try {
        raw = JSON.parse(view.private_metadata);
      } catch {
        raw = undefined;
      }
      const metadata = reasonMetadata.safeParse(raw);
      const reason = view.state.values.reason?.reason?.value?.trim() ?? '';
      if (!metadata.success) {
        await ack({ response_action: 'errors', errors: { reason: 'igor cannot read what this form was opened for: press the button again' } });
        return;
      }
      if (!reason) {
        await ack({ response_action: 'errors', errors: { reason: 'Say why: the reason is recorded and told in the alerts channel.' } });
        return;
      }
      const { action, value, channel } = metadata.data;
      const user = body.user.id;
      const outcome = await press(deps.interactions, action, value, slackUser(user), (error) => deps.log.error({ err: error, action, value, user }, 'a reasoned button failed'), { reason });
      await ack();
      deps.log.info({ action, value, user, ok: outcome.ok }, 'reason submitted');
      if (channel) await deps.chat.ephemeral(channel, user, { text: outcome.ok ? outcome.text : `:no_entry: ${outcome.text}` });
    });
  },
};
