import type { KnownBlock } from '@slack/types';
import type { Actor } from '../shared/actor.js';

/** A message as igor posts it: fallback text and Block Kit blocks, the same for every adapter. */
export interface ChatMessage {
  text: string;
  blocks?: KnownBlock[];
}

/** Where a posted message lives, to update it or reply in its thread. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/** What the core asks of a chat: post, reply in a thread, update, answer one person privately. */
export interface Chat {
  readonly name: string;
  post(channel: string, message: ChatMessage): Promise<MessageRef>;
  reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef>;
  update(ref: MessageRef, message: ChatMessage): Promise<void>;
  /** Seen by `user` alone: in the thread whose root's ts is `threadTs` (where a button was pressed), else in the channel. */
  ephemeral(channel: string, user: string, message: ChatMessage, threadTs?: string | null): Promise<void>;
}

/** Who typed a command, and where. */
export interface CommandContext {
  actor: Actor;
  channel: string;
}

/**
 * A chat call that failed in a way its adapter understands. `permanent`: trying again cannot help
 * (the channel does not exist, the bot is not in it, the message is refused); `retryAfterMs`: the
 * chat asked to be tried again after that long (a rate limit). Any other error is taken as passing.
 */
export class ChatCallError extends Error {
  readonly permanent: boolean;
  readonly retryAfterMs: number | null;
  constructor(message: string, outcome: { permanent: boolean; retryAfterMs?: number | null }, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ChatCallError';
    this.permanent = outcome.permanent;
    this.retryAfterMs = outcome.retryAfterMs ?? null;
  }
}
