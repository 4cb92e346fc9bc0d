import { readFile, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createExampleRepository } from '../../src/example/repository.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { commitFiles, liveRevision } from '../support/example-changes.js';
import { deliver, pushPayload } from '../support/github-webhooks.js';
import { APP_PORT, prepareHarness, startIgor, type Prepared } from '../support/igor-harness.js';
import type { Igor } from '../../src/app.js';
import type { Harness } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

const SECRET = 'many-apps-webhook-secret';

let prepared: Prepared | undefined;
afterEach(async () => {
  await prepared?.close();
  prepared = undefined;
});

interface TwoApps {
  h: Harness;
  igor: Igor;
  /** The billing app's repository and its main's sha. */
  billingRepo: string;
  billingSha: string;
  shopHosts: string[];
  billingHosts: string[];
}

/**
 * One igor serving two apps on four real sshd hosts: `shop` (the harness's repository, hosts 1–2)
 * and `billing` (a repository of its own, hosts 3–4, its own channel), each with a `production`.
 */
async function startTwoApps(): Promise<TwoApps> {
  const p = (prepared = await prepareHarness({ hosts: 4 }));
  const billingRepo = join(p.dir, 'billing-repo');
  await createExampleRepository(billingRepo);
  const billingSha = await commitFiles(billingRepo, { 'BILLING.md': 'billing\n' }, 'billing: its own history');
  const [web1, web2, web3, web4] = p.fleet.hosts;
  const environment = (hosts: typeof p.fleet.hosts, channel: string) => ({
    channel,
    servers: { static: hosts.map((host) => ({ name: host.name, host: host.host, port: host.port, path: p.hostPaths[host.name] })) },
    ssh: { user: userInfo().username, privateKeyPath: p.fleet.privateKeyPath },
    restart: `APP_PORT=${APP_PORT} bash scripts/restart.sh`,
    health: { url: `http://{host}:${APP_PORT}/health`, interval: '100ms', retries: 50 },
    autoDeploy: { branch: 'main' },
  });
  const integration = { steps: [{ name: 'unit', run: 'npm test' }], timeout: '1m' };
  await rm(p.configPath);
  await writeFile(
    p.configPath,
    stringify({
      defaultApp: 'shop',
      channels: { deploys: 'C0DEPLOYS', alerts: 'C0ALERTS' },
      apps: {
        shop: { repo: p.repo, defaultEnvironment: 'production', integration, environments: { production: environment([web1!, web2!], 'C0SHOP') } },
        billing: { repo: billingRepo, channels: { deploys: 'C0BILLING' }, integration, environments: { production: environment([web3!, web4!], 'C0BILLPROD') } },
      },
    }),
  );
  const { igor, logs } = await startIgor(p, { github: { webhookSecret: SECRET } });
  const h: Harness = { ...p, igor, logs, eventsUrl: `${igor.url}/slack/events` };
  return { h, igor, billingRepo, billingSha, shopHosts: [web1!.name, web2!.name], billingHosts: [web3!.name, web4!.name] };
}

/** Waits for the deployment of `app` numbered `id` to reach `state`. */
function settled(t: TwoApps, id: string, state: string): Promise<Deployment> {
  return t.h.slack.waitFor(() => {
    const deployment = t.igor.pipelines.get(id);
    return deployment?.state === state ? deployment : undefined;
  }, { what: `deployment ${id} to be ${state}`, timeoutMs: 60_000 });
}

const live = (t: TwoApps, hosts: string[]) => Promise.all(hosts.map((name) => liveRevision(t.h.hostPaths[name]!)));

describe('one igor serving two apps', () => {
  it('deploys both apps to production at the same time, each on its own hosts, neither waiting for the other', async () => {
    const t = await startTwoApps();
    const slack = slackDriver(t.h);
    const [shop, billing] = await Promise.all([slack.slash('shop/main to production'), slack.slash('billing/main to production')]);
    expect(await shop.answer()).toMatch(/Deployment \d of `main` \(\w{7}\) to shop\/production started/);
    expect(await billing.answer()).toMatch(/Deployment \d of `main` \(\w{7}\) to billing\/production started/);
    const [one, two] = [await settled(t, '1', 'succeeded'), await settled(t, '2', 'succeeded')];
    const byApp = new Map([one, two].map((deployment) => [deployment.app, deployment]));
    expect(byApp.get('shop')).toMatchObject({ app: 'shop', environment: 'production', sha: t.h.sha });
    expect(byApp.get('billing')).toMatchObject({ app: 'billing', environment: 'production', sha: t.billingSha });
    // Neither waited: each started before the other finished.
    const [a, b] = [byApp.get('shop')!, byApp.get('billing')!];
    expect(Date.parse(a.createdAt)).toBeLessThan(Date.parse(b.finishedAt!));
    expect(Date.parse(b.createdAt)).toBeLessThan(Date.parse(a.finishedAt!));
    expect(await live(t, t.shopHosts)).toEqual([t.h.sha, t.h.sha]);
    expect(await live(t, t.billingHosts)).toEqual([t.billingSha, t.billingSha]);
    // Each app's messages in its own channels, naming the app.
    await t.h.slack.waitFor(() => t.h.slack.messages('C0BILLPROD').find((m) => m.text.startsWith('billing: deploy main to production: succeeded')), { what: "billing's message" });
    expect(t.h.slack.messages('C0SHOP').some((m) => m.text.startsWith('shop: deploy main to production'))).toBe(true);
    expect(t.h.slack.messages('C0SHOP').some((m) => m.text.includes('billing'))).toBe(false);

    // `/deploy status` shows every app, grouped; `/deploy status billing` one app.
    const status = await (await slack.slash('status')).answer();
    expect(status).toMatch(/shop[\s\S]*production[\s\S]*billing[\s\S]*production/);
    const billingStatus = await (await slack.slash('status billing')).answer();
    expect(billingStatus).toContain(t.billingSha.slice(0, 7));
    expect(billingStatus).not.toContain(t.h.sha.slice(0, 7));
    // Help names the apps and the form to use.
    expect(await (await slack.slash('help')).answer()).toContain('Apps: `shop`, `billing` (a bare ref or env is shop\'s). Name one as `/deploy &lt;app&gt;/&lt;ref&gt; [to &lt;env&gt;]`');
    // A mistyped app is no ref of the default app either: the answer names the app it likely meant.
    expect(await (await slack.slash('biling/main to production')).answer()).toContain('did you mean the app: `/deploy billing/main`?');
    const api = await fetch(`${t.igor.url}/api/deployments?app=billing&environment=production`, { headers: { authorization: 'Bearer test-api-token' } });
    expect(((await api.json()) as { deployments: Deployment[] }).deployments.map((d) => d.app)).toEqual(['billing']);
  });

  it('rolls billing back with /rollback billing/production and leaves shop untouched; locks and flags are per app', async () => {
    const t = await startTwoApps();
    const slack = slackDriver(t.h);
    await slack.slash('shop/main to production');
    await settled(t, '1', 'succeeded');
    await slack.slash('billing/main to production');
    await settled(t, '2', 'succeeded');
    const second = await commitFiles(t.billingRepo, { 'BILLING.md': 'billing, again\n' }, 'billing: a second release');
    await slack.slash('billing/main to production');
    await settled(t, '3', 'succeeded');
    expect(await live(t, t.billingHosts)).toEqual([second, second]);

    expect(await (await slack.slash('billing/production', 'U0ALICE', '/rollback')).answer()).toMatch(/billing\/production/);
    await settled(t, '4', 'succeeded');
    expect(t.igor.pipelines.get('4')).toMatchObject({ app: 'billing', kind: 'rollback' });
    expect(await live(t, t.billingHosts)).toEqual([t.billingSha, t.billingSha]);
    expect(await live(t, t.shopHosts)).toEqual([t.h.sha, t.h.sha]);
    expect(t.igor.pipelines.list({ app: 'shop' }).map((d) => d.id)).toEqual(['1']);

    // A lock of shop's production does not stop billing's.
    expect(await (await slack.slash('lock shop/production migration')).answer()).toContain('locked');
    expect(await (await slack.slash('billing/main to production')).answer()).toMatch(/started/);
    expect(await (await slack.slash('shop/main to production')).answer()).toMatch(/locked by <@U0ALICE>/);

    // A flag of billing is invisible at shop's endpoints.
    expect(await (await slack.slash('set invoices-v2 on billing/production', 'U0ALICE', '/flags')).answer()).toContain('`invoices-v2`');
    const ofrep = (app: string) => fetch(`${t.igor.url}/flags/${app}/production/ofrep/v1/evaluate/flags/invoices-v2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ context: { targetingKey: 'u1' } }) });
    expect((await ofrep('billing')).status).toBe(200);
    const shop = await ofrep('shop');
    expect(shop.status).toBe(404);
    expect(await shop.json()).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
  });

  it("tests and auto-deploys a signed push to billing's repository, and only billing", async () => {
    const t = await startTwoApps();
    const response = await deliver(`${t.igor.url}/api/github/webhooks`, SECRET, 'push', pushPayload({ repo: t.billingRepo, branch: 'main', after: t.billingSha, pusher: 'ada' }));
    expect(response.status).toBe(200);
    const deployed = await settled(t, '1', 'succeeded');
    expect(deployed).toMatchObject({ app: 'billing', environment: 'production', sha: t.billingSha, requestedBy: 'github:ada' });
    expect(await live(t, t.billingHosts)).toEqual([t.billingSha, t.billingSha]);
    expect(t.igor.pipelines.list()).toHaveLength(1);
    for (const name of t.shopHosts) await expect(readFile(join(t.h.hostPaths[name]!, 'current', 'REVISION'), 'utf8')).rejects.toThrow(/ENOENT/);
  });
});
