import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { CommandHandler } from '../../../commands/answer.js';
import * as slashCommand from './slash-command.js';

export default {
  register(app: App, deps: { commands: Record<string, CommandHandler>; log: Logger }): void {
    for (const [name, handler] of Object.entries(deps.commands)) slashCommand.register(app, name, { handler, log: deps.log });
  },
};
