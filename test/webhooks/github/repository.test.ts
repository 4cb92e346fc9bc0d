import { describe, expect, it } from 'vitest';
import { repositoryKey, withoutCredentials } from '../../../src/config/repository-key.js';
import { isConfiguredRepository } from '../../../src/webhooks/github/repository.js';

describe('repository names', () => {
  it('spells every GitHub URL of one repository the same', () => {
    const keys = [
      'https://github.com/Acme/Shop.git',
      'https://github.com/acme/shop',
      'https://github.com/acme/shop/',
      'git@github.com:acme/shop.git',
      'ssh://git@github.com/acme/shop.git',
      'git://github.com/acme/shop.git',
      'https://token@github.com:443/acme/shop.git',
    ].map(repositoryKey);
    expect(new Set(keys)).toEqual(new Set(['github.com/acme/shop']));
  });

  it('tells apart other repositories, hosts and local paths', () => {
    expect(repositoryKey('https://github.com/acme/shop-api')).not.toBe(repositoryKey('https://github.com/acme/shop'));
    expect(repositoryKey('https://ghe.example.com/acme/shop')).not.toBe(repositoryKey('https://github.com/acme/shop'));
    expect(repositoryKey('/srv/git/Shop')).toBe('/srv/git/Shop');
    expect(repositoryKey('file:///srv/git/Shop.git')).toBe('/srv/git/Shop');
  });

  it('matches a payload under any of its URLs', () => {
    const payload = { clone_url: 'https://github.com/acme/shop.git', html_url: 'https://github.com/acme/shop', ssh_url: 'git@github.com:acme/shop.git', git_url: 'git://github.com/acme/shop.git' };
    expect(isConfiguredRepository(payload, 'git@github.com:Acme/Shop.git')).toBe(true);
    expect(isConfiguredRepository(payload, 'https://github.com/acme/other.git')).toBe(false);
    expect(isConfiguredRepository({ clone_url: null }, '/srv/git/shop')).toBe(false);
  });

  it('shows a URL without the user and token a private repository may carry, and leaves other spellings alone', () => {
    expect(withoutCredentials('https://x-access-token:ghp_123@github.com/acme/shop.git')).toBe('https://github.com/acme/shop.git');
    expect(withoutCredentials('https://ghp_123@github.com/acme/shop.git')).toBe('https://github.com/acme/shop.git');
    expect(withoutCredentials("fatal: unable to access 'https://u:p%40ss@git.example.com/shop.git/': denied")).toBe("fatal: unable to access 'https://git.example.com/shop.git/': denied");
    for (const same of ['git@github.com:acme/shop.git', 'https://github.com/acme/shop.git', '/srv/git/shop.git']) expect(withoutCredentials(same)).toBe(same);
  });
});

