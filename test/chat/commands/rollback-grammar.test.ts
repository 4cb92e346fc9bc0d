import { describe, expect, it } from 'vitest';
import { namesEnvironment } from '../../../src/config/apps.js';
import { parseAppsConfig } from '../../../src/config/load.js';
import { parseRollbackCommand } from '../../../src/chat/commands/rollback.js';

const TWO_APPS = `
channels: { deploys: C0DEPLOYS }
defaultApp: shop
apps:
  shop:
    repo: https://github.com/acme/shop.git
    environments:
      staging: { servers: { static: [{ host: 10.0.0.4 }] }, path: /srv/shop }
      production: { servers: { static: [{ host: 10.0.0.5 }] }, path: /srv/shop }
  billing:
    repo: git@github.com:acme/billing.git
    environments:
      production: { servers: { static: [{ host: 10.0.0.9 }] }, path: /srv/billing }
`;

describe('/rollback [[app/]env] [release] with several apps', () => {
  const apps = parseAppsConfig(TWO_APPS);
  const parse = (text: string) => parseRollbackCommand(text, (word) => namesEnvironment(apps, word));

  it("reads app/env as that app's environment, alone or before a release", () => {
    expect(parse('billing/production')).toEqual({ environment: 'billing/production' });
    expect(parse('billing/production 20261204T101500Z-abc1234')).toEqual({ environment: 'billing/production', release: '20261204T101500Z-abc1234' });
  });

  it("reads a bare env as the default app's, and a word that is no environment as a release", () => {
    expect(parse('staging')).toEqual({ environment: 'staging' });
    expect(parse('abc1234')).toEqual({ release: 'abc1234' });
    expect(parse('')).toEqual({});
  });

  it("does not take an environment of another app, an unknown app or a prototype name for an environment", () => {
    // billing has no staging: the word is a release of the default app, which the pipeline then looks for.
    expect(namesEnvironment(apps, 'billing/staging')).toBe(false);
    expect(namesEnvironment(apps, 'biling/production')).toBe(false);
    expect(namesEnvironment(apps, '__proto__/production')).toBe(false);
    expect(namesEnvironment(apps, 'shop/__proto__')).toBe(false);
    expect(namesEnvironment(apps, 'constructor')).toBe(false);
    // Two words where the first is no environment cannot be understood.
    expect(parse('billing/staging abc1234')).toBeNull();
  });

  it("reads a bare env only when there is a default app", () => {
    const noDefault = parseAppsConfig(TWO_APPS.replace('defaultApp: shop\n', ''));
    expect(namesEnvironment(noDefault, 'production')).toBe(false);
    expect(namesEnvironment(noDefault, 'shop/production')).toBe(true);
  });
});
