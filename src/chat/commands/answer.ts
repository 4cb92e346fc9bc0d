import type { Logger } from 'pino';
import { EnvironmentBusyError } from '../../pipeline/errors.js';
import { RefusedError } from '../../shared/refusal.js';
import { queueButtonMessage } from '../queue-button.js';
import { plain } from '../messages.js';
import { mrkdwn } from '../mrkdwn.js';
import type { ChatMessage, CommandContext } from '../port.js';

/** What a command answers at once (in the ack), and what it answers later, if anything. */
export interface CommandAnswer {
  now: ChatMessage | null;
  later?: () => Promise<ChatMessage>;
}

/** A slash command, chat-neutral: the Slack listener and the HTTP console both call it. */
export type CommandHandler = (text: string, context: CommandContext) => CommandAnswer;

/**
 * An answer that needs work first (a deploy, a lock, a flag change): acked empty, answered later.
 * A refusal becomes the answer; anything else is a bug and propagates.
 */
export function laterAnswer(work: () => Promise<ChatMessage>, log: Logger, what: string): CommandAnswer {
  return {
    now: null,
    later: () =>
      work().catch((error: unknown) => {
        log.info({ err: error }, `${what} refused`);
        return refusalMessage(error);
      }),
  };
}

/** A refusal, as told to the person who asked. */
export function refusalMessage(error: unknown): ChatMessage {
  // A deploy refused only because another runs may wait its turn instead.
  if (error instanceof EnvironmentBusyError && error.queueable) return queueButtonMessage(plain(`:no_entry: ${mrkdwn(error.words)}`), error.queueable);
  if (error instanceof RefusedError) return plain(`:no_entry: ${mrkdwn(error.words)}`);
  throw error;
}
