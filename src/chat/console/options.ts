// What the console is built from; routes and the console's entry both read it.
import type { Logger } from 'pino';
import type { Alarms } from '../../alarms/service.js';
import type { Config } from '../../config/schema.js';
import type { ApiToken } from '../../http/api-tokens.js';
import type { Pipeline } from '../../pipeline/service.js';
import type { ActionOutcome, DeploymentActions } from '../actions.js';
import type { CommandHandler } from '../commands/answer.js';

/** A button of another feature (`igor.flag-undo`, `igor.ci-retry`): its value and who pressed it. */
export type ExtraAction = (value: string, user: string) => Promise<ActionOutcome>;

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
