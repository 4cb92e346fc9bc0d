import type { Endpoints } from '@octokit/types';
import { touchedHosts } from '../../pipeline/queries.js';
import type { Deployment } from '../../pipeline/types.js';

type CreateDeployment = Endpoints['POST /repos/{owner}/{repo}/deployments']['parameters'];
type CreateStatus = Endpoints['POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses']['parameters'];

/** What `POST /repos/{owner}/{repo}/deployments` is sent for one of igor's deployments. */
export type NewGithubDeployment = Omit<CreateDeployment, 'owner' | 'repo'>;

/** A deployment status as igor sends it; `log_url` is added when it is sent (igor's address may change in between). */
export type GithubStatus = Pick<CreateStatus, 'state' | 'description' | 'environment_url'> & { description: string };

export type GithubStatusState = CreateStatus['state'];

/** GitHub refuses status descriptions over 140 characters; deployments' are kept as short. */
const MAX_DESCRIPTION = 140;

/**
 * The GitHub Deployment for one of igor's deployments: its exact commit (not the ref, which may have
 * moved), `required_contexts: []` because igor ran the tests itself, `auto_merge: false` because
 * igor ships the commit it was asked for, and igor's deployment in `payload`.
 */
export function newGithubDeployment(deployment: Deployment & { sha: string }, production: boolean): NewGithubDeployment {
  return {
    ref: deployment.sha,
    task: 'deploy',
    auto_merge: false,
    required_contexts: [],
    environment: deployment.environment,
    production_environment: production,
    transient_environment: false,
    description: describe(`${deployment.kind === 'rollback' ? `rollback to ${deployment.ref}` : deployment.ref} by ${deployment.requestedBy} (igor deployment ${deployment.id})`),
    payload: { igor: { app: deployment.app, deployment: deployment.id, kind: deployment.kind, ref: deployment.ref } },
  };
}

/**
 * The status GitHub shows for a deployment in igor's state `deployment.state`:
 *
 * | igor | GitHub |
 * | --- | --- |
 * | `queued`, `testing` | `queued` |
 * | `awaiting-approval` | `queued` (again, saying it waits for approval) |
 * | `deploying`, `baking`, `verifying` | `in_progress` (hosts are changing) |
 * | `succeeded` | `success`, with `environment_url` |
 * | `failed`, `rolled-back` | `failure` |
 * | `cancelled`, `interrupted` after the rollout touched a host | `failure` (what runs may have changed, and did not become this release) |
 * | `interrupted` before any host | `error` (igor stopped; nothing changed; `Retry` starts it again) |
 * | `cancelled`, `rejected`, `expired` before any host | `inactive` (decided against; nothing changed) |
 *
 * The release a success replaced gets `inactive` too (see the mirror). A new status is sent only
 * when this one differs from the last, so each step of a rollout is not a call to GitHub.
 */
export function githubStatusOf(deployment: Deployment, environmentUrl: string | undefined): GithubStatus {
  const rollback = deployment.kind === 'rollback';
  const what = rollback ? `rollback to ${deployment.release ?? deployment.ref}` : `${deployment.ref} (${deployment.sha?.slice(0, 7) ?? '?'})`;
  const ended = (state: GithubStatusState): GithubStatus => ({ state, description: describe(`${deployment.state}: ${deployment.reason ?? what}`) });
  switch (deployment.state) {
    case 'queued':
    case 'testing':
      return { state: 'queued', description: describe(rollback ? `Queued: ${what}` : deployment.promotedFrom ? `Queued: ${what}, promoted from ${deployment.promotedFrom.environment} where it was tested` : `Queued: ${what} is tested before it goes out`) };
    case 'awaiting-approval':
      return { state: 'queued', description: describe(`Waiting for approval to deploy ${what}`) };
    case 'deploying':
    case 'baking':
    case 'verifying':
      return { state: 'in_progress', description: describe(rollback ? `Rolling ${deployment.environment} back to ${deployment.release ?? deployment.ref}` : `Deploying ${what} to ${deployment.environment}`) };
    case 'succeeded':
      return {
        state: 'success',
        description: describe(`${deployment.release ?? what} is live on ${deployment.hosts.length} host(s) of ${deployment.environment}`),
        ...(environmentUrl ? { environment_url: environmentUrl } : {}),
      };
    case 'failed':
    case 'rolled-back':
      return ended('failure');
    case 'cancelled':
      return ended(touchedHosts(deployment) ? 'failure' : 'inactive');
    case 'interrupted':
      return ended(touchedHosts(deployment) ? 'failure' : 'error');
    case 'rejected':
    case 'expired':
      return ended('inactive');
  }
}

/** The status of the deployment whose release `replacement` replaced. */
export function replacedStatus(replacement: Deployment): GithubStatus {
  return { state: 'inactive', description: describe(`replaced by igor deployment ${replacement.id}${replacement.release ? ` (${replacement.release})` : ''}`) };
}

function describe(text: string): string {
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}
