import type { WebClient } from '@slack/web-api';
import type { Chat, ChatMessage, MessageRef } from '../port.js';
import { fitToSlack } from '../slack-limits.js';
import { createChannelPacer } from './pacer.js';

/**
 * The Chat port on Slack's Web API: messages cut to Slack's limits, posts paced per channel as
 * Slack asks; the client's own retries handle 429 and 5xx.
 */
export function createSlackChat(client: WebClient, pacing: { burst: number; intervalMs: number } = { burst: 10, intervalMs: 1_000 }): Chat {
  const pacer = createChannelPacer(pacing);
  return {
    name: 'slack',
    async post(channel: string, original: ChatMessage): Promise<MessageRef> {
      const message = fitToSlack(original);
      await pacer.wait(channel);
      const result = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false });
      return { channel: result.channel ?? channel, ts: result.ts! };
    },
    async reply(thread: MessageRef, original: ChatMessage): Promise<MessageRef> {
      const message = fitToSlack(original);
      await pacer.wait(thread.channel);
      const result = await client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: message.text, blocks: message.blocks, unfurl_links: false });
      return { channel: result.channel ?? thread.channel, ts: result.ts! };
    },
    async update(ref: MessageRef, original: ChatMessage): Promise<void> {
      const message = fitToSlack(original);
      await client.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks ?? [] });
    },
    async ephemeral(channel: string, user: string, original: ChatMessage): Promise<void> {
      const message = fitToSlack(original);
      await client.chat.postEphemeral({ channel, user, text: message.text, blocks: message.blocks });
    },
  };
}
