import type { Router } from 'express';
import { createConsoleChat, type ConsoleChat } from './chat.js';
import { createEventStream } from './event-stream.js';
import type { ConsoleOptions } from './options.js';
import { consoleRoutes } from './routes.js';

export interface LocalConsole {
  /** The Chat port for the announcers: every post, update, reply and ephemeral reaches the open pages. */
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
 * const console = createConsole({ apps, alarms, commands, actions, log, apiTokens, localMode: true });
 * http.use('/', console.router); // before finishHttpApp
 * createAnnouncer({ chat: console.chat, … });
 */
export function createConsole(options: ConsoleOptions): LocalConsole {
  const chat = createConsoleChat(options.log);
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

export type { ConsoleChat, ConsoleMessage } from './chat.js';
export type { ConsoleOptions } from './options.js';
export { GUEST } from './directory.js';
