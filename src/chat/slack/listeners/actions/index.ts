import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Alarms } from '../../../../alarms/service.js';
import type { DeploymentActions } from '../../../actions.js';
import type { Chat } from '../../../port.js';
import * as alarm from './alarm.js';
import * as deployment from './deployment.js';

export default {
  register(app: App, deps: { actions: DeploymentActions; alarms: Alarms; chat: Chat; log: Logger }): void {
    deployment.register(app, deps);
    alarm.register(app, deps);
  },
};
