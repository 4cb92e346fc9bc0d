import type { Router } from 'express';
import type { ConsoleChat } from './chat.js';
import { createEventStream } from './event-stream.js';
import type { ConsoleOptions } from './options.js';
import { consoleRoutes } from './routes.js';

export interface LocalConsole {
  /** The Chat port it was given, whose every post, update, reply and ephemeral reaches the open pages. */
  chat: ConsoleChat;
  /** Mount at `/`: `GET /` and everything under `/console/`. */
  router: Router;
  /** Ends the open event streams and stops listening to the pipeline. */
  close(): void;
}

/**
 * The local console: a Chat adapter that shows igor's channels in the browser as Slack would, and
 * takes the same slash commands and buttons.
 * @example
 * const chat = createConsoleChat(log); // first: the outbox and announcers post to it
 * const console = createConsole({ chat, apps, alarms, commands, interactions, log, apiTokens, localMode: true });
 * http.use('/', console.router); // before finishHttpApp
 */
export function createConsole(options: ConsoleOptions & { chat: ConsoleChat }): LocalConsole {
  const { chat } = options;
  const stream = createEventStream();
  const stopChat = chat.on((change) => stream.send('message', change.message));
  const router = consoleRoutes({ ...options, chat, stream });
  return {
    chat,
    router,
    close() {
      stopChat();
      stream.close();
    },
  };
}

export { createConsoleChat, type ConsoleChat, type ConsoleMessage } from './chat.js';
export type { ConsoleOptions } from './options.js';
export { GUEST } from './directory.js';
