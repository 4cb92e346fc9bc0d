import { resolve } from 'node:path';

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

function trimGit(path: string): string {
  return path.replace(/\/+$/, '').replace(/\.git$/, '').replace(/\/+$/, '');
}

/**
 * A repository URL as it may be shown and logged: without the user and password of an
 * `https://user:token@host/…` URL (a token put there to clone a private repository), and with any
 * such part of a URL inside `text` removed the same way. The URL igor clones keeps them.
 * @example withoutCredentials('https://x-access-token:ghp_123@github.com/acme/shop.git') // 'https://github.com/acme/shop.git'
 */
export function withoutCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1');
}
