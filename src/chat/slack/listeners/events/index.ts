import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { HomePublisher } from '../../home-publisher.js';
import * as appHomeOpened from './app-home-opened.js';

export default {
  register(app: App, deps: { home: HomePublisher; log: Logger }): void {
    appHomeOpened.register(app, deps);
  },
};
