import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { isConfiguredRepository } from './repository.js';
import type { WebhookContext } from './types.js';

const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * A push: a new head of a branch is queued for testing (a force push too: `after` is the new
 * head), a deleted branch cancels its runs. Pushes of other repositories and of tags are ignored.
 */
export async function handlePush(event: EmitterWebhookEvent<'push'>, { config, ci, log }: WebhookContext): Promise<void> {
  const { payload } = event;
  const facts = { delivery: event.id, ref: payload.ref, repository: payload.repository.full_name };
  if (!isConfiguredRepository(payload.repository, config.repo)) {
    log.info({ ...facts, repo: config.repo }, 'ignored a push to another repository than repo in igor.yml');
    return;
  }
  if (!payload.ref.startsWith('refs/heads/')) {
    log.info(facts, 'ignored a push that is not to a branch');
    return;
  }
  const branch = payload.ref.slice('refs/heads/'.length);
  if (payload.deleted) {
    await ci.deleteBranch(branch);
    return;
  }
  if (!COMMIT_ID.test(payload.after)) {
    log.warn({ ...facts, after: payload.after }, 'ignored a push whose new head is not a commit id');
    return;
  }
  const head = payload.head_commit?.id === payload.after ? payload.head_commit : null;
  const pusher = payload.pusher.name || payload.sender?.login || 'unknown';
  await ci.push({
    branch,
    sha: payload.after,
    subject: head?.message.split('\n')[0] ?? null,
    author: head ? (head.author.username ?? head.author.name) : null,
    requestedBy: `github:${pusher}`,
    repository: { owner: payload.repository.owner?.login ?? payload.repository.full_name.split('/')[0]!, name: payload.repository.name, htmlUrl: payload.repository.html_url ?? null },
    delivery: event.id,
    forced: payload.forced,
  });
}
