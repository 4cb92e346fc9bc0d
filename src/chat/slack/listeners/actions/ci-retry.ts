import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { ciRetryAction, type CiRetry } from '../../../../ci/retry-action.js';
import type { Chat } from '../../../port.js';

export type { CiRetry };

/**
 * `igor.ci-retry` (value: the test run id): ack at once, run the same commit again, and tell the
 * presser privately when igor refused. The new run's result is told like any other.
 */
export function register(app: App, deps: { ci: CiRetry; chat: Chat; log: Logger }): void {
  const press = ciRetryAction(deps.ci);
  app.action<BlockButtonAction>('igor.ci-retry', async ({ ack, body, action }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container.channel_id;
    const outcome = await press(action.value ?? '', user);
    deps.log.info({ action: 'ci-retry', run: action.value, user, ok: outcome.ok }, 'button pressed');
    if (!outcome.ok && channel) await deps.chat.ephemeral(channel, user, { text: `:no_entry: ${outcome.text}` });
  });
}
