import type { WebClient } from '@slack/web-api';
import type { Chat, ChatMessage, MessageRef } from '../port.js';
import { mentionedIds, namedMentions, type Directory } from '../../shared/directory.js';
import { fitToSlack } from '../slack-limits.js';
import { slackCallError } from './call-errors.js';
import { createChannelPacer } from './pacer.js';

/**
 * The Chat port on Slack's Web API: messages cut to Slack's limits, posts paced per channel as
 * Slack asks. A failed call throws a ChatCallError saying whether to retry and when: the outbox
 * does the retrying, so give this a client without retries of its own (see `deliveryClient`).
 */
export function createSlackChat(client: WebClient, pacing: { burst: number; intervalMs: number } = { burst: 10, intervalMs: 1_000 }, directory?: Directory): Chat {
  const pacer = createChannelPacer(pacing);
  /**
   * Cut to Slack's limits; the fallback `text` (what notifications show) with people by name, as
   * it is plain text, while the blocks keep their `<@U…>` mentions, which Slack renders itself.
   */
  async function fit(original: ChatMessage): Promise<ChatMessage> {
    const message = fitToSlack(original);
    if (!directory) return message;
    await directory.load(mentionedIds(message.text));
    return { ...message, text: namedMentions(message.text, directory) };
  }
  return {
    name: 'slack',
    async post(channel: string, original: ChatMessage): Promise<MessageRef> {
      const message = await fit(original);
      await pacer.wait(channel);
      const result = await call('chat.postMessage', () => client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false }));
      return { channel: result.channel ?? channel, ts: result.ts! };
    },
    async reply(thread: MessageRef, original: ChatMessage): Promise<MessageRef> {
      const message = await fit(original);
      await pacer.wait(thread.channel);
      const result = await call('chat.postMessage', () =>
        client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: message.text, blocks: message.blocks, unfurl_links: false }),
      );
      return { channel: result.channel ?? thread.channel, ts: result.ts! };
    },
    async update(ref: MessageRef, original: ChatMessage): Promise<void> {
      const message = await fit(original);
      await call('chat.update', () => client.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks ?? [] }));
    },
    async ephemeral(channel: string, user: string, original: ChatMessage, threadTs?: string | null): Promise<void> {
      const message = await fit(original);
      await call('chat.postEphemeral', () => client.chat.postEphemeral({ channel, user, text: message.text, blocks: message.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) }));
    },
  };
}

async function call<T>(method: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw slackCallError(error, method);
  }
}
