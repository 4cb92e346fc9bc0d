import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { CommandHandler } from '../../../commands/answer.js';
import * as notYet from './not-yet.js';
import * as slashCommand from './slash-command.js';

export default {
  register(app: App, deps: { commands: Record<string, CommandHandler>; log: Logger }): void {
    for (const [name, handler] of Object.entries(deps.commands)) slashCommand.register(app, name, { handler, log: deps.log });
    // Until a handler is wired for it, a command of the manifest answers "not supported yet".
    notYet.register(app, ['/flags'].filter((name) => !deps.commands[name]));
  },
};
