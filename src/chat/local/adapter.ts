import type { Logger } from 'pino';
import { createConsoleChat, type ConsoleMessage } from '../console/chat.js';

/** A message kept by the local chat. */
export type LocalMessage = ConsoleMessage;

/**
 * The Chat port with no Slack: the console's chat (messages, threads and ephemeral answers kept in
 * memory and written to the log). Kept under this name for code that wants a chat without the
 * console's routes.
 */
export function createLocalChat(log: Logger) {
  return createConsoleChat(log);
}
