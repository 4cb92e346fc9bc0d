import { repositoryKey } from '../../config/repository-key.js';

/** The URLs a webhook payload gives for its repository (any may be missing). */
export interface PayloadRepository {
  clone_url?: string | null;
  html_url?: string | null;
  ssh_url?: string | null;
  git_url?: string | null;
}

/** Whether the payload's repository is `repo` of igor.yml, under any of its URLs. */
export function isConfiguredRepository(payload: PayloadRepository, repo: string): boolean {
  const wanted = repositoryKey(repo);
  return [payload.clone_url, payload.html_url, payload.ssh_url, payload.git_url].some((url) => typeof url === 'string' && url !== '' && repositoryKey(url) === wanted);
}
