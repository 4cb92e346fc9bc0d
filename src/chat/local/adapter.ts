import type { Logger } from 'pino';
import type { Chat, ChatMessage, MessageRef } from '../port.js';

export interface LocalMessage extends ChatMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  /** Set for ephemeral answers: only this user sees it. */
  user: string | null;
}

/**
 * The Chat port with no Slack: messages are kept in memory and written to the log, so igor runs
 * and tells its story on a machine with no Slack account.
 */
export function createLocalChat(log: Logger) {
  const messages: LocalMessage[] = [];
  let counter = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, '0')}`;
  const chatLog = log.child({ chat: 'local' });

  const chat: Chat & { messages: LocalMessage[] } = {
    name: 'local',
    messages,
    async post(channel: string, message: ChatMessage): Promise<MessageRef> {
      const ts = nextTs();
      messages.push({ ...message, channel, ts, threadTs: null, user: null });
      chatLog.info({ channel, ts }, message.text);
      return { channel, ts };
    },
    async reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
      const ts = nextTs();
      messages.push({ ...message, channel: thread.channel, ts, threadTs: thread.ts, user: null });
      chatLog.info({ channel: thread.channel, thread: thread.ts }, message.text);
      return { channel: thread.channel, ts };
    },
    async update(ref: MessageRef, message: ChatMessage): Promise<void> {
      const existing = messages.find((entry) => entry.channel === ref.channel && entry.ts === ref.ts);
      if (existing) Object.assign(existing, { text: message.text, blocks: message.blocks });
      chatLog.debug({ channel: ref.channel, ts: ref.ts }, `updated: ${message.text}`);
    },
    async ephemeral(channel: string, user: string, message: ChatMessage): Promise<void> {
      messages.push({ ...message, channel, ts: nextTs(), threadTs: null, user });
      chatLog.info({ channel, user }, message.text);
    },
  };
  return chat;
}
