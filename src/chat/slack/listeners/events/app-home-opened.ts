import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { HomePublisher } from '../../home-publisher.js';
import { appHomeOpenedProblem } from '../../payload-check.js';

/**
 * `app_home_opened`: someone opened igor's app; its Home tab is published for them (the event is
 * checked at the edge, see payload-check.ts). The Messages and About tabs need nothing.
 */
export function register(app: App, deps: { home: HomePublisher; log: Logger }): void {
  app.event('app_home_opened', async ({ event }) => {
    // Checked at the HTTP edge already; in Socket Mode this is the edge.
    const problem = appHomeOpenedProblem(event);
    if (problem) {
      deps.log.warn({ problem }, 'ignored an app_home_opened event igor cannot read');
      return;
    }
    if (event.tab !== 'home') return;
    deps.log.debug({ user: event.user }, 'the Home tab was opened');
    await deps.home.opened(event.user);
  });
}
