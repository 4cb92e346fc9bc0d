import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { CommandHandler } from '../../../commands/answer.js';
import * as deploy from './deploy.js';
import * as notYet from './not-yet.js';

export default {
  register(app: App, deps: { deploy: CommandHandler; log: Logger }): void {
    deploy.register(app, deps);
    notYet.register(app, ['/rollback', '/flags']);
  },
};
