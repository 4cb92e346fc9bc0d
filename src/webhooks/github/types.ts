import type { EmitterWebhookEvent, EmitterWebhookEventName } from '@octokit/webhooks';
import type { Logger } from 'pino';
import type { IntegrationServer } from '../../ci/server.js';
import type { Config } from '../../config/schema.js';

/** One app's side of the webhooks: its config (its `repo`) and its integration server. */
export interface WebhookApp {
  config: Config;
  ci: IntegrationServer;
}

/** What every webhook handler gets besides its event: every app, in igor.yml's order. */
export interface WebhookContext {
  apps: readonly WebhookApp[];
  log: Logger;
}

/** Handles one event; must return quickly (GitHub waits for the answer): queue work, do not do it. */
export type WebhookHandler<E extends EmitterWebhookEventName> = (event: EmitterWebhookEvent<E>, context: WebhookContext) => Promise<void> | void;

/** Event name → its handlers. */
export type WebhookHandlers = { [E in EmitterWebhookEventName]?: ReadonlyArray<WebhookHandler<E>> };
