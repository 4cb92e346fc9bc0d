import { resolve } from 'node:path';

/** The URLs a webhook payload gives for its repository (any may be missing). */
export interface PayloadRepository {
  clone_url?: string | null;
  html_url?: string | null;
  ssh_url?: string | null;
  git_url?: string | null;
}

/**
 * One spelling for every way of naming a repository, so `https://github.com/Acme/Shop.git`,
 * `git@github.com:acme/shop`, `ssh://git@github.com/acme/shop.git` and
 * `https://github.com/acme/shop` compare equal. Local paths (and `file://` URLs) become absolute
 * paths, compared exactly.
 * @example repositoryKey('git@github.com:Acme/Shop.git') // 'github.com/acme/shop'
 */
export function repositoryKey(url: string): string {
  const text = url.trim();
  const scp = /^(?:[^@/:]+@)?([^/:]+):(?!\/)(.+)$/.exec(text);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const parsed = new URL(text);
    if (parsed.protocol === 'file:') return trimGit(resolve(decodeURIComponent(parsed.pathname)));
    const port = parsed.port && !['22', '80', '443', '9418'].includes(parsed.port) ? `:${parsed.port}` : '';
    return trimGit(`${parsed.hostname}${port}${decodeURIComponent(parsed.pathname)}`).toLowerCase();
  }
  if (scp) return trimGit(`${scp[1]}/${scp[2]}`).toLowerCase();
  return trimGit(resolve(text));
}

/** Whether the payload's repository is `repo` of igor.yml, under any of its URLs. */
export function isConfiguredRepository(payload: PayloadRepository, repo: string): boolean {
  const wanted = repositoryKey(repo);
  return [payload.clone_url, payload.html_url, payload.ssh_url, payload.git_url].some((url) => typeof url === 'string' && url !== '' && repositoryKey(url) === wanted);
}

function trimGit(path: string): string {
  return path.replace(/\/+$/, '').replace(/\.git$/, '').replace(/\/+$/, '');
}
