import { handlePing } from './ping.js';
import { handlePush } from './push.js';
import type { WebhookHandlers } from './types.js';

/**
 * The events igor acts on, and who handles each. Any other event is answered 2xx and ignored, so
 * a webhook that sends "everything" does no harm.
 */
export const GITHUB_HANDLERS = {
  ping: [handlePing],
  push: [handlePush],
} satisfies WebhookHandlers;
