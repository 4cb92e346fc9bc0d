import type { WebClient } from '@slack/web-api';
import type { Chat, ChatMessage, MessageRef } from '../port.js';

/** The Chat port on Slack's Web API; the client's own retries handle 429 and 5xx. */
export function createSlackChat(client: WebClient): Chat {
  return {
    name: 'slack',
    async post(channel: string, message: ChatMessage): Promise<MessageRef> {
      const result = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false });
      return { channel: result.channel ?? channel, ts: result.ts! };
    },
    async reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
      const result = await client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text: message.text, blocks: message.blocks, unfurl_links: false });
      return { channel: result.channel ?? thread.channel, ts: result.ts! };
    },
    async update(ref: MessageRef, message: ChatMessage): Promise<void> {
      await client.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks ?? [] });
    },
    async ephemeral(channel: string, user: string, message: ChatMessage): Promise<void> {
      await client.chat.postEphemeral({ channel, user, text: message.text, blocks: message.blocks });
    },
  };
}
