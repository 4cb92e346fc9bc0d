import type { EmitterWebhookEvent, EmitterWebhookEventName } from '@octokit/webhooks';
import type { Logger } from 'pino';
import type { IntegrationServer } from '../../ci/server.js';
import type { Config } from '../../config/schema.js';

/** What every webhook handler gets besides its event. */
export interface WebhookContext {
  config: Config;
  ci: IntegrationServer;
  log: Logger;
}

/** Handles one event; must return quickly (GitHub waits for the answer): queue work, do not do it. */
export type WebhookHandler<E extends EmitterWebhookEventName> = (event: EmitterWebhookEvent<E>, context: WebhookContext) => Promise<void> | void;

/** Event name → its handlers. */
export type WebhookHandlers = { [E in EmitterWebhookEventName]?: ReadonlyArray<WebhookHandler<E>> };
