import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { withoutCredentials } from '../../config/repository-key.js';
import { isConfiguredRepository } from './repository.js';
import type { WebhookContext } from './types.js';

/** GitHub's hello when a webhook is added: answered 200, and logged with what would go wrong later. */
export function handlePing(event: EmitterWebhookEvent<'ping'>, { apps, log }: WebhookContext): void {
  const { payload } = event;
  const hook = payload.hook;
  const facts = { delivery: event.id, hook: payload.hook_id, events: hook?.events, repository: payload.repository?.full_name ?? null };
  log.info({ ...facts, zen: payload.zen }, 'GitHub webhook ping: the webhook reaches igor');
  if (hook?.events && !hook.events.includes('push') && !hook.events.includes('*')) {
    log.warn(facts, 'this webhook does not send push events: igor tests and deploys nothing until it does');
  }
  const { repository } = payload;
  if (repository && !apps.some((app) => isConfiguredRepository(repository, app.config.repo))) {
    log.warn({ ...facts, repos: apps.map((app) => withoutCredentials(app.config.repo)) }, 'this webhook belongs to a repository no app in igor.yml uses: its pushes will be ignored');
  }
}
