import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
afterEach(async () => {
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

    expect(await (await slack.slash('status shop/staging')).answer()).toContain('staging');
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
});
