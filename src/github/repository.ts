import { repositoryKey } from '../config/repository-key.js';

/** A repository on GitHub, as its REST API names it. */
export interface GithubRepository {
  owner: string;
  name: string;
}

/**
 * The GitHub repository `repo` of igor.yml is, when it is on the GitHub whose API is `apiUrl`;
 * null otherwise (a local path, another host). A repository is on that GitHub when its host is the
 * API's host without `api.`: `https://api.github.com` serves `github.com/acme/shop` (by any of its
 * URLs: https, `git@github.com:acme/shop.git`, …), GitHub Enterprise Server's
 * `https://ghe.example.com/api/v3` serves `ghe.example.com/acme/shop`, and GHE.com's
 * `https://api.acme.ghe.com` serves `acme.ghe.com/…`. Ports are not compared, so an SSH remote on
 * its own port matches its server's API too.
 * @example githubRepositoryOf('git@github.com:acme/shop.git', 'https://api.github.com') // { owner: 'acme', name: 'shop' }
 */
export function githubRepositoryOf(repo: string, apiUrl: string): GithubRepository | null {
  const key = repositoryKey(repo);
  // A local path's key starts with `/`: nothing on GitHub.
  if (key.startsWith('/')) return null;
  const [host, owner, name, ...rest] = key.split('/');
  if (!host || !owner || !name || rest.length > 0) return null;
  let apiHost: string;
  try {
    apiHost = new URL(apiUrl).hostname.toLowerCase();
  } catch {
    return null;
  }
  const webHost = apiHost.replace(/^api\./, '');
  return hostname(host) === webHost ? { owner, name } : null;
}

/** `ghe.example.com` of `ghe.example.com:2222` (and `[::1]` of `[::1]:8080`). */
function hostname(hostAndPort: string): string {
  return hostAndPort.replace(/:\d+$/, '');
}
