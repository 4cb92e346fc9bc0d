import { describe, expect, it } from 'vitest';
import { githubRepositoryOf } from '../../src/github/repository.js';

describe('the GitHub repository of an app', () => {
  it('is owner/name of a github.com repo under any of its URLs, for the default API', () => {
    for (const repo of ['https://github.com/acme/shop.git', 'git@github.com:acme/shop.git', 'ssh://git@github.com/acme/shop', 'https://github.com/Acme/Shop/']) {
      expect(githubRepositoryOf(repo, 'https://api.github.com')).toEqual({ owner: 'acme', name: 'shop' });
    }
  });

  it('is on GitHub Enterprise when the repo is on the host of GITHUB_API_URL', () => {
    expect(githubRepositoryOf('git@ghe.example.com:acme/shop.git', 'https://ghe.example.com/api/v3')).toEqual({ owner: 'acme', name: 'shop' });
    expect(githubRepositoryOf('ssh://git@ghe.example.com:2222/acme/shop.git', 'https://ghe.example.com/api/v3')).toEqual({ owner: 'acme', name: 'shop' });
    expect(githubRepositoryOf('https://acme.ghe.com/acme/shop.git', 'https://api.acme.ghe.com')).toEqual({ owner: 'acme', name: 'shop' });
  });

  it('is none for a local path, another host, or a path that is not owner/name', () => {
    expect(githubRepositoryOf('/srv/git/shop.git', 'https://api.github.com')).toBeNull();
    expect(githubRepositoryOf('file:///srv/git/shop.git', 'https://api.github.com')).toBeNull();
    expect(githubRepositoryOf('https://gitlab.com/acme/shop.git', 'https://api.github.com')).toBeNull();
    expect(githubRepositoryOf('https://github.com/acme/shop.git', 'https://ghe.example.com/api/v3')).toBeNull();
    expect(githubRepositoryOf('https://github.com/acme/group/shop.git', 'https://api.github.com')).toBeNull();
  });
});
