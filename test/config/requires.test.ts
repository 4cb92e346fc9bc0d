import { describe, expect, it } from 'vitest';
import { ConfigError, parseAppsConfig } from '../../src/config/load.js';

/** A single-app igor.yml whose production has `requires` as given. */
function withRequires(requires: string): string {
  return `
app: shop
repo: https://github.com/acme/shop.git
channels: { deploys: C0DEPLOYS }
environments:
  staging: { servers: { local: [{ name: web-1, path: ./data/servers/web-1 }] } }
  production: { servers: { local: [{ name: web-2, path: ./data/servers/web-2 }] }, requires: ${requires} }
`;
}

function problems(text: string): string[] {
  try {
    parseAppsConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  return ['the config was accepted'];
}

const production = (text: string) => [...parseAppsConfig(text).apps.values()][0]!.environments.production!;

describe('environments.<env>.requires', () => {
  it('reads the short form as the long one, with no soak', () => {
    expect(production(withRequires('[staging]')).requires).toEqual({ environments: ['staging'], soak: 0 });
  });

  it('reads the long form with a soak as milliseconds', () => {
    expect(production(withRequires('{ environments: [staging], soak: 30m }')).requires).toEqual({ environments: ['staging'], soak: 30 * 60_000 });
  });

  it('refuses an environment the app does not have, with the nearest name', () => {
    expect(problems(withRequires('[stagin]'))).toEqual(['environments.production.requires: names stagin, no environment of this app (did you mean staging?); configured: staging, production']);
  });

  it('refuses the environment itself', () => {
    expect(problems(withRequires('{ environments: [production] }'))).toEqual(['environments.production.requires: names production itself: a commit must be live on another environment first']);
  });

  it('names a mistyped key of the long form with the nearest one', () => {
    expect(problems(withRequires('{ environments: [staging], sok: 30m }')).join('\n')).toContain('sok');
  });
});
