import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { API_TOKEN, startHarness, type Harness } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
afterEach(async () => {
  await OpenFeature.clearProviders();
  await harness?.close();
  harness = undefined;
});

// The harness's igor serves one app, `shop`. The commands may name it as many apps are named.
describe('naming the app in commands (shop/main, shop/staging)', () => {
  it('deploys shop/main as main of shop, and takes shop/staging wherever an environment is named', async () => {
    const h = (harness = await startHarness());
    const slack = slackDriver(h);
    expect(await (await slack.slash('shop/main to staging')).answer()).toMatch(/Deployment 1 of `main` \(\w{7}\) to staging started/);
    expect(await slack.state('1', 'succeeded')).toMatchObject({ app: 'shop', ref: 'main', environment: 'staging' });

    const one = await (await slack.slash('status shop/staging')).answer();
    expect(one).toContain('staging');
    // The app's name alone: all of its environments, as `/deploy status`.
    const ages = (text: string) => text.replace(/\d+/g, 'N');
    expect(ages(await (await slack.slash('status shop')).answer())).toBe(ages(await (await slack.slash('status')).answer()));
    expect(await (await slack.slash('history shop/staging')).answer()).toContain('main');
    expect(await (await slack.slash('lock shop/staging database migration')).answer()).toContain('staging is locked: database migration');
    expect(h.igor.pipeline.manualLockOf('staging')).toMatchObject({ user: 'U0ALICE', reason: 'database migration' });
    expect(await (await slack.slash('main')).answer()).toMatch(/staging is locked by <@U0ALICE>/);
    expect(await (await slack.slash('unlock shop/staging')).answer()).toContain('staging is unlocked');
    expect(await (await slack.slash('set new-checkout on shop/staging', 'U0ALICE', '/flags')).answer()).toContain('`new-checkout` in staging: not set → on');
  });

  it('refuses an app it does not serve with the nearest name, and reads a first segment that is no app as part of the ref', async () => {
    const h = (harness = await startHarness());
    const slack = slackDriver(h);
    expect(await (await slack.slash('status shpo/staging')).answer()).toContain('there is no app "shpo" (did you mean shop?); configured: shop');
    expect(await (await slack.slash('lock billing/staging')).answer()).toContain('there is no app "billing"; configured: shop');
    expect(await (await slack.slash('set x on __proto__/staging', 'U0ALICE', '/flags')).answer()).toContain('there is no app "__proto__"; configured: shop');
    // `feature/x` is a ref of shop: feature is no app.
    expect(await (await slack.slash('feature/x to staging')).answer()).toContain(':no_entry: `feature/x` is not a branch, tag or commit of the repository');
    expect(h.igor.pipeline.list()).toEqual([]);
  });

  it('serves the routes of an environment with the app first: locks, flags, flagd.json and OFREP', async () => {
    const h = (harness = await startHarness());
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${h.igor.url}${path}`, { method, headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));

    expect(await api('POST', '/api/apps/shop/environments/staging/lock', { user: 'U0ALICE', reason: 'migration' })).toMatchObject({ status: 200, body: { environment: 'staging', lock: { user: 'U0ALICE', reason: 'migration' } } });
    expect(h.igor.pipeline.manualLockOf('staging')).toMatchObject({ reason: 'migration' });
    expect(await api('POST', '/api/apps/billing/environments/staging/unlock', { user: 'U0ALICE' })).toMatchObject({ status: 404, body: { error: 'there is no app "billing"; configured: shop' } });
    expect(await api('POST', '/api/apps/shop/environments/staging/unlock', { user: 'U0ALICE' })).toMatchObject({ status: 200, body: { lock: null } });

    expect(await api('PUT', '/api/flags/shop/staging/new-checkout', { value: 'on', user: 'U0ALICE' })).toMatchObject({ status: 200, body: { flag: { environment: 'staging', key: 'new-checkout', value: 'on' } } });
    expect(await api('GET', '/api/flags/shop/staging/new-checkout/history')).toMatchObject({ status: 200, body: { history: [{ key: 'new-checkout', to: 'on' }] } });
    // The two-segment routes are the same app's.
    expect(await api('GET', '/api/flags/shop/staging/new-checkout')).toMatchObject({ status: 200, body: { key: 'new-checkout', value: 'on' } });
    expect(await api('GET', '/api/flags/staging/new-checkout')).toMatchObject({ status: 200, body: { environment: 'staging', key: 'new-checkout', value: 'on' } });
    const flagd = await fetch(`${h.igor.url}/flags/shop/staging/flagd.json`);
    expect(JSON.parse(await flagd.text())).toMatchObject({ flags: { 'new-checkout': { state: 'ENABLED', defaultVariant: 'on' } } });

    await OpenFeature.setProviderAndWait('igor-app-names', new OFREPProvider({ baseUrl: `${h.igor.url}/flags/shop/staging` }));
    const client = OpenFeature.getClient('igor-app-names');
    expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'user-1' })).toBe(true);
    expect((await fetch(`${h.igor.url}/flags/billing/staging/flagd.json`)).status).toBe(404);
  });
});

