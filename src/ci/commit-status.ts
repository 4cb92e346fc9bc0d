import type { Logger } from 'pino';
import { createGithubClient } from '../github/client.js';
import type { CiRepository } from './types.js';

/** The states GitHub's commit status API knows. */
export type CommitState = 'pending' | 'success' | 'failure' | 'error';

/** The status context igor sets: one line on the pull request's checks. */
export const STATUS_CONTEXT = 'igor/integration';

export interface CommitStatuses {
  /** Sets igor's status on a commit; failures are logged, never thrown (a status is a courtesy). */
  set(repository: CiRepository, sha: string, state: CommitState, description: string): Promise<void>;
}

/**
 * Commit statuses through GitHub's REST API (`POST /repos/{owner}/{repo}/statuses/{sha}`), so a
 * pull request shows igor's verdict. `baseUrl` is `https://api.github.com` or a GitHub Enterprise
 * `https://HOST/api/v3`.
 * @example createCommitStatuses({ token, baseUrl: 'https://api.github.com', log }).set(repo, sha, 'pending', 'queued')
 */
export function createCommitStatuses(options: { token: string; baseUrl: string; log: Logger }): CommitStatuses {
  const log = options.log.child({ component: 'github-statuses' });
  const octokit = createGithubClient({ token: options.token, apiUrl: options.baseUrl, log });
  return {
    async set(repository, sha, state, description) {
      try {
        await octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
          owner: repository.owner,
          repo: repository.name,
          sha,
          state,
          context: STATUS_CONTEXT,
          // GitHub refuses descriptions over 140 characters.
          description: description.length > 140 ? `${description.slice(0, 139)}…` : description,
        });
        log.debug({ repository: `${repository.owner}/${repository.name}`, sha, state }, 'commit status set');
      } catch (error) {
        log.warn({ repository: `${repository.owner}/${repository.name}`, sha, state, status: (error as { status?: number }).status, error: (error as Error).message }, refusal(error));
      }
    },
  };
}

function refusal(error: unknown): string {
  const status = (error as { status?: number }).status;
  if (status === 401) return 'GitHub refused GITHUB_TOKEN (401): the commit status was not set';
  if (status === 403 || status === 404) {
    return `GitHub answered ${status} to the commit status: GITHUB_TOKEN needs write access to commit statuses of this repository`;
  }
  return `could not set the commit status on GitHub (GITHUB_API_URL): ${(error as Error).message}`;
}
