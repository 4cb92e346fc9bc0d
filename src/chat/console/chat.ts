import type { Logger } from 'pino';
import type { Chat, ChatMessage, MessageRef } from '../port.js';
import { fitToSlack } from '../slack-limits.js';

/** A message as the console keeps it: where it is, whose eyes it is for, and who wrote it. */
export interface ConsoleMessage extends ChatMessage {
  channel: string;
  ts: string;
  /** The root's `ts` for a reply in a thread, else null. */
  threadTs: string | null;
  /** Set for ephemeral messages: only this user sees it. */
  user: string | null;
  /** `igor`, or the user id of a person (a command they typed, echoed back to them). */
  from: string;
  postedAt: string;
  editedAt: string | null;
}

export type ConsoleChange = { type: 'posted' | 'updated'; message: ConsoleMessage };

/** How many messages are kept in memory; the oldest go first. */
const KEPT = 5_000;

/**
 * The Chat port in memory: channels, threads and ephemeral answers, each change told to the
 * listeners (the console's event stream) and written to the log, so igor tells its story with no
 * Slack account, in the browser and in the terminal.
 * @example const chat = createConsoleChat(log); chat.on((change) => send(change)); await chat.post('C0DEPLOYS', { text: 'hi' });
 */
export function createConsoleChat(log: Logger) {
  const messages: ConsoleMessage[] = [];
  const listeners = new Set<(change: ConsoleChange) => void>();
  let counter = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, '0')}`;
  const chatLog = log.child({ chat: 'console' });

  function add(message: Omit<ConsoleMessage, 'ts' | 'postedAt' | 'editedAt'>): ConsoleMessage {
    // The console shows what Slack would: the same message, cut to Slack's limits.
    const stored: ConsoleMessage = { ...message, ...fitToSlack(message), ts: nextTs(), postedAt: new Date().toISOString(), editedAt: null };
    messages.push(stored);
    if (messages.length > KEPT) messages.splice(0, messages.length - KEPT);
    tell({ type: 'posted', message: stored });
    return stored;
  }

  function tell(change: ConsoleChange): void {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        chatLog.error({ err: error }, 'a console listener failed');
      }
    }
  }

  const chat = {
    name: 'console',
    messages,
    /** Hears every message posted or updated; returns the function that stops listening. */
    on(listener: (change: ConsoleChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async post(channel: string, message: ChatMessage): Promise<MessageRef> {
      const stored = add({ text: message.text, blocks: message.blocks, channel, threadTs: null, user: null, from: 'igor' });
      chatLog.info({ channel, ts: stored.ts }, message.text);
      return { channel, ts: stored.ts };
    },
    async reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
      const stored = add({ text: message.text, blocks: message.blocks, channel: thread.channel, threadTs: thread.ts, user: null, from: 'igor' });
      chatLog.info({ channel: thread.channel, thread: thread.ts }, message.text);
      return { channel: thread.channel, ts: stored.ts };
    },
    async update(ref: MessageRef, message: ChatMessage): Promise<void> {
      const existing = messages.find((entry) => entry.channel === ref.channel && entry.ts === ref.ts);
      chatLog.debug({ channel: ref.channel, ts: ref.ts }, `updated: ${message.text}`);
      if (!existing) return;
      const fitted = fitToSlack(message);
      Object.assign(existing, { text: fitted.text, blocks: fitted.blocks, editedAt: new Date().toISOString() });
      tell({ type: 'updated', message: existing });
    },
    async ephemeral(channel: string, user: string, message: ChatMessage, threadTs?: string | null): Promise<void> {
      add({ text: message.text, blocks: message.blocks, channel, threadTs: threadTs ?? null, user, from: 'igor' });
      chatLog.info({ channel, user, ...(threadTs ? { thread: threadTs } : {}) }, message.text);
    },
    /** What a person typed, shown back to them only, as Slack shows a slash command to its author. */
    echo(channel: string, user: string, text: string): void {
      add({ text, channel, threadTs: null, user, from: user });
    },
  } satisfies Chat & Record<string, unknown>;
  return chat;
}
export type ConsoleChat = ReturnType<typeof createConsoleChat>;
