import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Alarms } from '../../../../alarms/service.js';
import type { DeploymentActions } from '../../../actions.js';
import type { Chat } from '../../../port.js';
import * as alarm from './alarm.js';
import * as ciRetry from './ci-retry.js';
import * as deployment from './deployment.js';
import * as flagUndo from './flag-undo.js';

export default {
  register(app: App, deps: { actions: DeploymentActions; alarms: Alarms; chat: Chat; log: Logger; ci?: ciRetry.CiRetry; undoFlag?: flagUndo.FlagUndo }): void {
    deployment.register(app, deps);
    alarm.register(app, deps);
    if (deps.ci) ciRetry.register(app, { ci: deps.ci, chat: deps.chat, log: deps.log });
    if (deps.undoFlag) flagUndo.register(app, { undo: deps.undoFlag, chat: deps.chat, log: deps.log });
  },
};
