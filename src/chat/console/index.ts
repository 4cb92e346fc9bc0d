import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Alarms } from '../../alarms/service.js';
import type { Config } from '../../config/schema.js';
import type { ApiToken } from '../../http/api-tokens.js';
import type { Pipeline } from '../../pipeline/service.js';
import type { DeploymentActions } from '../actions.js';
import type { CommandHandler } from '../commands/answer.js';
import { createConsoleChat, type ConsoleChat } from './chat.js';
import { createEventStream } from './event-stream.js';
import { consoleRoutes, type ExtraAction } from './routes.js';

export interface ConsoleOptions {
  config: Config;
  pipeline: Pipeline;
  alarms: Alarms;
  /** The slash commands, the same handlers the Slack listeners use: `{ '/deploy': …, '/rollback': … }`. */
  commands: Record<string, CommandHandler>;
  /** The deployment buttons, as Slack's: `createDeploymentActions(pipeline, alarms)`. */
  actions: DeploymentActions;
  /** Buttons of other features by their action without `igor.` (`flag-undo`, `ci-retry`). */
  extraActions?: Record<string, ExtraAction>;
  log: Logger;
  /** `IGOR_API_TOKEN`: with it, the page asks for it and sends it; without it, only loopback gets in. */
  apiTokens: readonly ApiToken[];
  localMode: boolean;
}

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
 * const console = createConsole({ config, pipeline, alarms, commands, actions, log, apiTokens, localMode: true });
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
export { GUEST } from './directory.js';
