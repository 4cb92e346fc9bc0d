import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { withoutCredentials } from '../../config/repository-key.js';
import { isConfiguredRepository } from './repository.js';
import type { WebhookContext } from './types.js';

const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * A push, for every app whose `repo` is the pushed repository: a new head of a branch is queued
 * for testing (a force push too: `after` is the new head), a deleted branch cancels its runs.
 * Pushes of other repositories and of tags are ignored.
 */
export async function handlePush(event: EmitterWebhookEvent<'push'>, { apps, log }: WebhookContext): Promise<void> {
  const { payload } = event;
  const facts = { delivery: event.id, ref: payload.ref, repository: payload.repository.full_name };
  const targets = apps.filter((app) => isConfiguredRepository(payload.repository, app.config.repo));
  if (targets.length === 0) {
    log.info({ ...facts, repos: apps.map((app) => withoutCredentials(app.config.repo)) }, 'ignored a push to a repository no app in igor.yml uses');
    return;
  }
  if (!payload.ref.startsWith('refs/heads/')) {
    log.info(facts, 'ignored a push that is not to a branch');
    return;
  }
  const branch = payload.ref.slice('refs/heads/'.length);
  if (payload.deleted) {
    for (const { ci } of targets) await ci.deleteBranch(branch);
    return;
  }
  if (!COMMIT_ID.test(payload.after)) {
    log.warn({ ...facts, after: payload.after }, 'ignored a push whose new head is not a commit id');
    return;
  }
  const head = payload.head_commit?.id === payload.after ? payload.head_commit : null;
  const pusher = payload.pusher.name || payload.sender?.login || 'unknown';
  const push = {
    branch,
    sha: payload.after,
    subject: head?.message.split('\n')[0] ?? null,
    author: head ? (head.author.username ?? head.author.name) : null,
    requestedBy: `github:${pusher}`,
    repository: { owner: payload.repository.owner?.login ?? payload.repository.full_name.split('/')[0]!, name: payload.repository.name, htmlUrl: payload.repository.html_url ?? null },
    delivery: event.id,
    forced: payload.forced,
  };
  for (const { ci } of targets) await ci.push(push);
}
