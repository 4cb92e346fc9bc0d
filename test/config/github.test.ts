import { describe, expect, it } from 'vitest';
import { ConfigError, parseAppsConfig } from '../../src/config/load.js';

/** A single-app igor.yml with staging and production, plus `extra` at the top level. */
function single(extra = '', staging = '{ servers: { local: [{ name: web-1, path: ./data/servers/web-1 }] } }'): string {
  return `
app: shop
repo: https://github.com/acme/shop.git
channels: { deploys: C0DEPLOYS }
environments:
  staging: ${staging}
  production: { servers: { local: [{ name: web-2, path: ./data/servers/web-2 }] } }
${extra}
`;
}

const TWO_APPS = `
channels: { deploys: C0DEPLOYS }
apps:
  shop:
    repo: https://github.com/acme/shop.git
    environments: { shop-live: { servers: { local: [{ name: web-1, path: ./data/servers/web-1 }] } } }
  billing:
    repo: https://github.com/acme/billing.git
    environments: { billing-live: { servers: { local: [{ name: web-2, path: ./data/servers/web-2 }] } } }
github: { productionEnvironments: [shop-live, billing-live] }
`;

/** The one line start-up would print for `text` (or a message that fails the comparison, when it parses). */
function errorOf(text: string): string {
  let message = 'the config was accepted';
  try {
    parseAppsConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    message = (error as ConfigError).message;
  }
  return message;
}

const only = (text: string) => [...parseAppsConfig(text).apps.values()][0]!;

describe('github.productionEnvironments', () => {
  it('is absent unless set (igor then treats production as the production environment)', () => {
    expect(only(single()).github).toBeUndefined();
    expect(only(single('github: { productionEnvironments: [staging, production] }')).github).toEqual({ productionEnvironments: ['staging', 'production'] });
    expect(only(single('github: { productionEnvironments: [] }')).github).toEqual({ productionEnvironments: [] });
  });

  it('is shared by every app of the apps form, and may name an environment of any of them', () => {
    const { apps } = parseAppsConfig(TWO_APPS);
    expect([...apps.values()].map((app) => app.github)).toEqual([{ productionEnvironments: ['shop-live', 'billing-live'] }, { productionEnvironments: ['shop-live', 'billing-live'] }]);
  });

  it('refuses a name that is no environment, with the nearest one and the configured ones', () => {
    expect(errorOf(single('github: { productionEnvironments: [prodution] }'))).toBe('github.productionEnvironments: names no environment: prodution (did you mean production?); configured: staging, production');
    expect(errorOf(TWO_APPS.replace('billing-live]', 'billing]'))).toBe('github.productionEnvironments: names no environment: billing; configured: shop-live, billing-live');
  });

  it('refuses what is not a list of environment names, and unknown keys', () => {
    expect(errorOf(single('github: { productionEnvironments: production }'))).toBe('github.productionEnvironments: must be a list');
    // Every problem, one line each: the name's rule, and that it names no environment.
    expect(errorOf(single('github: { productionEnvironments: [Production] }')).split('\n')).toEqual([
      'github.productionEnvironments.0: environment names are lower-case letters, digits, "-" or "_"',
      'github.productionEnvironments: names no environment: Production (did you mean production?); configured: staging, production',
    ]);
    expect(errorOf(single('github: { production: [production] }'))).toBe('github.production: unknown key');
  });
});

describe('environments.<env>.url', () => {
  it('is where people reach the environment: an http(s) URL', () => {
    expect(only(single('', '{ url: "https://staging.shop.example.com", servers: { local: [{ name: web-1, path: ./w } ] } }')).environments.staging!.url).toBe('https://staging.shop.example.com');
    expect(errorOf(single('', '{ url: "staging.shop.example.com", servers: { local: [{ name: web-1, path: ./w } ] } }'))).toBe(
      'environments.staging.url: must be the http(s) URL where people reach this environment',
    );
  });
});
