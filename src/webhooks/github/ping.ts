import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { isConfiguredRepository } from './repository.js';
import type { WebhookContext } from './types.js';

/** GitHub's hello when a webhook is added: answered 200, and logged with what would go wrong later. */
export function handlePing(event: EmitterWebhookEvent<'ping'>, { config, log }: WebhookContext): void {
  const { payload } = event;
  const hook = payload.hook;
  const facts = { delivery: event.id, hook: payload.hook_id, events: hook?.events, repository: payload.repository?.full_name ?? null };
  log.info({ ...facts, zen: payload.zen }, 'GitHub webhook ping: the webhook reaches igor');
  if (hook?.events && !hook.events.includes('push') && !hook.events.includes('*')) {
    log.warn(facts, 'this webhook does not send push events: igor tests and deploys nothing until it does');
  }
  if (payload.repository && !isConfiguredRepository(payload.repository, config.repo)) {
    log.warn({ ...facts, repo: config.repo }, 'this webhook belongs to another repository than repo in igor.yml: its pushes will be ignored');
  }
}
