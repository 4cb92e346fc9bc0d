import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Alarms } from '../../../../alarms/service.js';
import { RefusedError } from '../../../../shared/refusal.js';
import { mrkdwn } from '../../../mrkdwn.js';
import type { Chat } from '../../../port.js';

const HOUR_MS = 3_600_000;

/** `Acknowledge` and `Silence 1h` on alarm messages; `Rollback` on alarms goes through the deployment listener. */
export function register(app: App, deps: { alarms: Alarms; chat: Chat; log: Logger }): void {
  const actions = {
    acknowledge: (id: string, user: string) => deps.alarms.acknowledge(id, user, { via: 'slack' }),
    silence: (id: string, user: string) => deps.alarms.silence(id, user, HOUR_MS, { via: 'slack' }),
  };
  for (const [name, act] of Object.entries(actions)) {
    app.action<BlockButtonAction>(`igor.${name}`, async ({ ack, body, action }) => {
      await ack();
      const user = body.user.id;
      try {
        await act(action.value ?? '', user);
        deps.log.info({ action: name, alarm: action.value, user }, 'alarm button pressed');
      } catch (error) {
        if (!(error instanceof RefusedError)) throw error;
        const channel = body.channel?.id ?? body.container.channel_id;
        if (channel) await deps.chat.ephemeral(channel, user, { text: `:no_entry: ${mrkdwn(error.words)}` });
      }
    });
  }
}
