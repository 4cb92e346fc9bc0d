import { repositoryKey } from '../../config/repository-key.js';

/** The URLs a webhook payload gives for its repository (any may be missing). */
export interface PayloadRepository {
  clone_url?: string | null;
  html_url?: string | null;
  ssh_url?: string | null;
  git_url?: string | null;
  /** `owner/name`. */
  full_name?: string | null;
}

/**
 * Whether the payload's repository is `repo` of igor.yml, under any of its URLs, or by its
 * `owner/name` when `repo` is a remote URL of that path (`git@github.com:acme/shop.git`).
 */
export function isConfiguredRepository(payload: PayloadRepository, repo: string): boolean {
  const wanted = repositoryKey(repo);
  if ([payload.clone_url, payload.html_url, payload.ssh_url, payload.git_url].some((url) => typeof url === 'string' && url !== '' && repositoryKey(url) === wanted)) return true;
  // A remote's key is `host/owner/name`; a local path's starts with `/` and has no owner/name to match.
  const fullName = typeof payload.full_name === 'string' ? payload.full_name.toLowerCase() : '';
  return fullName.includes('/') && !wanted.startsWith('/') && wanted.slice(wanted.indexOf('/') + 1) === fullName;
}
