import type { ChatMessage, CommandContext } from '../port.js';

/** What a command answers at once (in the ack), and what it answers later, if anything. */
export interface CommandAnswer {
  now: ChatMessage | null;
  later?: () => Promise<ChatMessage>;
}

/** A slash command, chat-neutral: the Slack listener and the HTTP console both call it. */
export type CommandHandler = (text: string, context: CommandContext) => CommandAnswer;
