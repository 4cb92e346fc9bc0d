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
  ephemeral(channel: string, user: string, message: ChatMessage): Promise<void>;
}

/** Who typed a command, and where. */
export interface CommandContext {
  actor: Actor;
  channel: string;
}
