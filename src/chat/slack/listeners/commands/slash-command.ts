import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { slackUser } from '../../../../shared/actor.js';
import type { CommandHandler } from '../../../commands/answer.js';

/**
 * A slash command: acks at once, with the answer when it is immediate (help, status, a malformed
 * ref); work such as a deploy is acked empty and answered through `response_url` when done.
 */
export function register(app: App, name: string, deps: { handler: CommandHandler; log: Logger }): void {
  app.command(name, async ({ command, ack, respond }) => {
    const answer = deps.handler(command.text, { actor: slackUser(command.user_id), channel: command.channel_id });
    await ack(answer.now ? { response_type: 'ephemeral', text: answer.now.text, blocks: answer.now.blocks } : undefined);
    if (!answer.later) return;
    const later = await answer.later();
    await respond({ response_type: 'ephemeral', text: later.text, blocks: later.blocks }).catch((error: unknown) =>
      deps.log.warn({ err: error }, `could not answer ${name} through its response_url`),
    );
  });
}
