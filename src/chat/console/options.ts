// What the console is built from; routes and the console's entry both read it.
import type { Logger } from 'pino';
import type { Alarms } from '../../alarms/service.js';
import type { AppsConfig } from '../../config/apps.js';
import type { ApiToken } from '../../http/api-tokens.js';
import type { Directory } from '../../shared/directory.js';
import type { CommandHandler } from '../commands/answer.js';
import type { ButtonHandler } from '../interactions.js';

export interface ConsoleOptions {
  /** Every app igor serves. */
  apps: AppsConfig;
  alarms: Alarms;
  /** The slash commands, the same handlers the Slack listeners use: `{ '/deploy': …, '/rollback': … }`. */
  commands: Record<string, CommandHandler>;
  /** Every button, as Slack's: the one interaction table (`createInteractions`). */
  interactions: ReadonlyMap<string, ButtonHandler>;
  log: Logger;
  /** `IGOR_API_TOKEN`: with it, the page asks for it and sends it; without it, only loopback gets in. */
  apiTokens: readonly ApiToken[];
  localMode: boolean;
  /** The names people go by (the config's `people` in local mode); absent: people by id. */
  directory?: Directory;
}
