import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ActionOutcome } from '../../../actions.js';
import { escapeMrkdwn } from '../../../mrkdwn.js';
import type { Chat } from '../../../port.js';

/** What the `Undo` button of a flag change calls: `createFlags(…).undo`. */
export type FlagUndo = (changeId: string, user: string) => Promise<ActionOutcome>;

/**
 * `igor.flag-undo` (value: the change id): ack at once, revert the change, and tell the presser
 * privately when igor refused (not a deployer, undone already, changed since). The revert itself
 * is announced in the channel like any change, and the undone message loses its button.
 */
export function register(app: App, deps: { undo: FlagUndo; chat: Chat; log: Logger }): void {
  app.action<BlockButtonAction>('igor.flag-undo', async ({ ack, body, action }) => {
    await ack();
    const user = body.user.id;
    const changeId = action.value ?? '';
    const outcome = await deps.undo(changeId, user).catch((error: unknown): ActionOutcome => {
      deps.log.error({ err: error, change: changeId, user }, 'could not undo a flag change');
      return { ok: false, text: `could not undo flag change ${escapeMrkdwn(changeId)}: ${escapeMrkdwn((error as Error).message)}` };
    });
    deps.log.info({ action: 'flag-undo', change: changeId, user, ok: outcome.ok }, 'button pressed');
    const channel = body.channel?.id ?? body.container.channel_id;
    if (!outcome.ok && channel) await deps.chat.ephemeral(channel, user, { text: `:no_entry: ${outcome.text}` });
  });
}
