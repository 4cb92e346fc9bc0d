import { describe, expect, it } from 'vitest';
import { appMeantBy, appOfEnvironment, appOfRef } from '../../src/config/apps.js';
import { ConfigError, parseAppsConfig, parseConfig } from '../../src/config/load.js';

/** The example of CONTRACT.md's "Many apps" section, with servers filled in. */
const TWO_APPS = `
channels: { deploys: C0DEPLOYS, alerts: C0ALERTS }
defaultApp: shop
apps:
  shop:
    repo: https://github.com/acme/shop.git
    defaultEnvironment: staging
    channels: { deploys: C0SHOP }
    integration: { steps: [{ name: unit, run: npm test }] }
    environments:
      staging: { servers: { local: [{ name: web-1, path: ./data/servers/shop-staging }] } }
      production: { servers: { static: [{ host: 10.0.0.5 }] }, path: /srv/shop }
  billing:
    repo: git@github.com:acme/billing.git
    environments:
      production: { servers: { static: [{ host: 10.0.0.9 }] }, path: /srv/billing }
alarms: { remindAfter: 15m }
`;

const SINGLE = `
app: shop
repo: https://github.com/acme/shop.git
channels: { deploys: C0DEPLOYS }
environments:
  staging: { servers: { local: [{ name: web-1, path: ./data/servers/web-1 }] } }
`;

const errorOf = (text: string) => {
  try {
    parseAppsConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
};

describe('igor.yml with apps', () => {
  it('reads each app as a config of its own, with the shared channels and alarms where it sets none', () => {
    const { apps, defaultApp } = parseAppsConfig(TWO_APPS);
    expect(defaultApp).toBe('shop');
    expect([...apps.keys()]).toEqual(['shop', 'billing']);
    const shop = apps.get('shop')!;
    expect(shop).toMatchObject({ app: 'shop', repo: 'https://github.com/acme/shop.git', defaultEnvironment: 'staging', channels: { deploys: 'C0SHOP', alerts: 'C0ALERTS' }, alarms: { remindAfter: 900_000 } });
    expect(Object.keys(shop.environments)).toEqual(['staging', 'production']);
    expect(shop.integration.steps).toEqual([{ name: 'unit', run: 'npm test' }]);
    const billing = apps.get('billing')!;
    expect(billing).toMatchObject({ app: 'billing', channels: { deploys: 'C0DEPLOYS', alerts: 'C0ALERTS' } });
    // Defaults apply inside apps exactly as in the single-app form.
    expect(billing.environments.production).toMatchObject({ keepReleases: 5, rollback: 'auto', approval: { mode: 'auto' } });
    expect(billing.integration).toMatchObject({ steps: [], timeout: 900_000 });
  });

  it('reads the single-app form as one app named by `app`, which is the default app', () => {
    const { apps, defaultApp } = parseAppsConfig(SINGLE);
    expect(defaultApp).toBe('shop');
    expect([...apps.keys()]).toEqual(['shop']);
    expect(parseConfig(SINGLE)).toEqual(apps.get('shop'));
  });

  it('makes the only app the default one, and leaves none with several apps and no defaultApp', () => {
    const one = TWO_APPS.replace(/ {2}billing:[\s\S]*?(?=alarms:)/, '').replace('defaultApp: shop\n', '');
    expect(parseAppsConfig(one).defaultApp).toBe('shop');
    expect(parseConfig(one).app).toBe('shop');
    expect(parseAppsConfig(TWO_APPS.replace('defaultApp: shop\n', '')).defaultApp).toBeNull();
  });

  it('names the key of each mistake', () => {
    expect(errorOf(`${TWO_APPS}repo: x\n`)).toBe('repo: belongs under apps.<name> when igor.yml has apps (it takes the single-app form or apps, not both)');
    expect(errorOf(TWO_APPS.replace('defaultApp: shop', 'defaultApp: shpo'))).toBe('defaultApp: names no app (configured: shop, billing)');
    expect(errorOf(TWO_APPS.replace('  billing:', '  Billing:'))).toBe('apps.Billing: app names are lower-case letters, digits, "-" or "_"');
    expect(errorOf(TWO_APPS.replace('  billing:', '  constructor:'))).toBe('apps.constructor: is a reserved name: choose another app name');
    expect(errorOf(TWO_APPS.replace('defaultEnvironment: staging', 'defaultEnvironment: qa'))).toBe('apps.shop.defaultEnvironment: names no environment (configured: staging, production)');
    expect(errorOf(TWO_APPS.replace(', path: /srv/billing', ''))).toBe('apps.billing.environments.production.path: is required for ec2, gce, azure and static servers');
    expect(errorOf('channels: { deploys: C0D }\napps: {}\n')).toBe('apps: must name at least one app');
    expect(errorOf(TWO_APPS.replace('    repo: git@github.com:acme/billing.git', '    repo: git@github.com:acme/shop.git'))).toBe(
      'apps.billing.repo: is also the repo of apps.shop, and both have the environment production: give one of them other environment names',
    );
  });

  it('allows two apps of one repository when their environments differ (a monorepo)', () => {
    const monorepo = TWO_APPS.replace('    repo: git@github.com:acme/billing.git', '    repo: git@github.com:acme/shop.git').replace(/(billing:[\s\S]*?)production:/, '$1billing-production:');
    expect([...parseAppsConfig(monorepo).apps.keys()]).toEqual(['shop', 'billing']);
  });

  it('is refused where the config of one app is expected (parseConfig), naming the apps found', () => {
    expect(() => parseConfig(TWO_APPS)).toThrow('apps: expected the config of one app here, got 2 (shop, billing)');
  });
});

describe('which app a command means', () => {
  const config = parseAppsConfig(TWO_APPS);
  const noDefault = parseAppsConfig(TWO_APPS.replace('defaultApp: shop\n', ''));

  it("takes the part before the first / as the app when it names one, and the rest as the app's ref", () => {
    expect(appOfRef(config, 'billing/main')).toEqual({ app: 'billing', ref: 'main' });
    expect(appOfRef(config, 'shop/feature/x')).toEqual({ app: 'shop', ref: 'feature/x' });
  });

  it("reads the whole text as a ref of the default app when its first segment is no app", () => {
    expect(appOfRef(config, 'main')).toEqual({ app: 'shop', ref: 'main' });
    expect(appOfRef(config, 'feature/x')).toEqual({ app: 'shop', ref: 'feature/x' });
    expect(appOfRef(config, 'billing/')).toEqual({ app: 'shop', ref: 'billing/' });
    expect(appOfRef(config, '__proto__/main')).toEqual({ app: 'shop', ref: '__proto__/main' });
  });

  it('lists the apps and the form to use when there are several and no defaultApp', () => {
    expect(() => appOfRef(noDefault, 'main')).toThrow('name the app: shop/main, billing/main (or set defaultApp)');
    expect(appOfRef(noDefault, 'billing/main')).toEqual({ app: 'billing', ref: 'main' });
  });

  it('names the nearest app for a mistyped one: refused without a default app, suggested beside a missing ref with one', () => {
    expect(() => appOfRef(noDefault, 'biling/main')).toThrow('there is no app "biling" (did you mean billing?); configured: shop, billing');
    expect(appMeantBy(config, 'biling/main')).toBe('billing/main');
    expect(appMeantBy(config, 'feature/x')).toBeUndefined();
    expect(appMeantBy(config, 'biling/')).toBeUndefined();
  });

  it("reads app/env as that app's environment and a bare env as the default app's", () => {
    expect(appOfEnvironment(config, 'billing/production')).toEqual({ app: 'billing', environment: 'production' });
    expect(appOfEnvironment(config, 'production')).toEqual({ app: 'shop', environment: 'production' });
    expect(appOfEnvironment(config, undefined)).toEqual({ app: 'shop', environment: undefined });
    expect(appOfEnvironment(config, 'billing/')).toEqual({ app: 'billing', environment: undefined });
  });

  it('refuses an unknown app with the nearest name, and a bare env with several apps and no default', () => {
    expect(() => appOfEnvironment(config, 'biling/production')).toThrow('there is no app "biling" (did you mean billing?); configured: shop, billing');
    expect(() => appOfEnvironment(config, '__proto__/production')).toThrow('there is no app "__proto__"; configured: shop, billing');
    expect(() => appOfEnvironment(noDefault, 'production')).toThrow('name the app: shop/production, billing/production (or set defaultApp)');
  });
});

describe('names people type as keys', () => {
  it('says the rule for an environment name that breaks it, in the single-app form too', () => {
    expect(errorOf(SINGLE.replace('  staging:', '  Staging:'))).toBe('environments.Staging: environment names are lower-case letters, digits, "-" or "_"');
  });
});
