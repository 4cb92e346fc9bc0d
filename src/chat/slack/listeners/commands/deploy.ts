import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { CommandHandler } from '../../../commands/answer.js';

/**
 * `/deploy`: acks at once, with the answer when it is immediate (help, status, a malformed ref);
 * a deploy is acked empty and answered through `response_url` once the ref is resolved.
 */
export function register(app: App, deps: { deploy: CommandHandler; log: Logger }): void {
  app.command('/deploy', async ({ command, ack, respond }) => {
    const answer = deps.deploy(command.text, { user: command.user_id, channel: command.channel_id });
    await ack(answer.now ? { response_type: 'ephemeral', text: answer.now.text, blocks: answer.now.blocks } : undefined);
    if (!answer.later) return;
    const later = await answer.later();
    await respond({ response_type: 'ephemeral', text: later.text, blocks: later.blocks }).catch((error: unknown) =>
      deps.log.warn({ err: error }, 'could not answer /deploy through its response_url'),
    );
  });
}
