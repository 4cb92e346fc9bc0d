import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { createExampleRepository } from '../../src/example/repository.js';
import { startConsoleApp, type ConsoleApp } from '../support/console-app.js';

/**
 * `test/fixtures/store-of-one-app` is the data folder of an igor of one app, `shop`, as main wrote it
 * before igor served many apps (c742646; how it was made: the fixture's README). It holds four
 * finished deployments (staging; production twice, then a rollback, which marked a release bad), a
 * manual lock of staging, a flag of production, an Alertmanager alarm and a test run of a push.
 */
const FIXTURE = new URL('../fixtures/store-of-one-app/', import.meta.url);
const BAD_RELEASE = '20261204T213517Z-4069e72';

let dir: string;
let igor: ConsoleApp | undefined;
afterEach(async () => {
  await igor?.close();
  igor = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** igor started on a copy of the fixture, with `config` (the environments are the fixture's). */
async function startOnFixture(config: (repo: string, servers: string) => Record<string, unknown>): Promise<ConsoleApp> {
  dir = await mkdtemp(join(tmpdir(), 'igor-old-store-'));
  const dataDir = join(dir, 'data');
  await cp(FIXTURE, dataDir, { recursive: true, filter: (source) => !source.endsWith('README.md') });
  const repo = join(dir, 'repo');
  await createExampleRepository(repo);
  await createExampleRepository(`${repo}-billing`);
  igor = await startConsoleApp({ configYaml: stringify(config(repo, join(dir, 'servers'))), dataDir });
  return igor;
}

const shop = (repo: string, servers: string) => ({
  repo,
  defaultEnvironment: 'staging',
  integration: { steps: [{ name: 'unit', run: 'true' }] },
  environments: {
    staging: { servers: { local: [{ name: 'web-1', path: join(servers, 'web-1') }] }, restart: 'true', autoDeploy: { branch: 'main' } },
    production: { servers: { local: [{ name: 'prod-1', path: join(servers, 'prod-1') }] }, restart: 'true' },
  },
});
const channels = { deploys: 'C0DEPLOYS', alerts: 'C0ALERTS' };

async function api(app: ConsoleApp, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${app.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** What igor must find in the fixture, as the app `shop`'s. */
async function expectEverythingOfShop(app: ConsoleApp): Promise<void> {
  const all = (await api(app, '/api/deployments?app=shop')).body.deployments as Array<Record<string, unknown>>;
  expect(all.map((d) => [d.id, d.app, d.kind, d.environment, d.state])).toEqual([
    ['4', 'shop', 'rollback', 'production', 'succeeded'],
    ['3', 'shop', 'deploy', 'production', 'succeeded'],
    ['2', 'shop', 'deploy', 'production', 'succeeded'],
    ['1', 'shop', 'deploy', 'staging', 'succeeded'],
  ]);
  expect((await api(app, '/api/deployments/3')).body).toMatchObject({ app: 'shop', requestedBy: 'U0BOB', release: BAD_RELEASE });

  // Carol's lock still holds staging, under the app's route and the route of one app alike.
  const refused = await api(app, '/api/deployments', { body: { app: 'shop', ref: 'main', environment: 'staging', user: 'U0ALICE' } });
  expect(refused.status).toBe(409);
  expect(refused.body.error).toContain('load test until 3pm');

  expect((await api(app, '/api/flags/shop/production/new-checkout')).body).toMatchObject({ value: '25%', updatedBy: 'U0ALICE' });
  const history = (await api(app, '/api/flags/shop/production/new-checkout/history')).body;
  expect(JSON.stringify(history)).toContain('"to":"25%"');

  const alarms = (await api(app, '/api/alarms')).body.alarms as Array<Record<string, unknown>>;
  expect(alarms).toEqual([expect.objectContaining({ id: 'A1', source: 'alertmanager', summary: '5xx above 2% on prod-1', state: 'firing' })]);

  const runs = (await api(app, '/api/ci/runs')).body.runs as Array<Record<string, unknown>>;
  expect(runs).toEqual([expect.objectContaining({ id: '1', app: 'shop', branch: 'main', state: 'passed', subject: 'Shop, second release' })]);

  // The release the rollback went away from stays bad, now under the app's name.
  const saved = JSON.parse(await readFile(join(dir, 'data', 'db.json'), 'utf8')) as { badReleases: Record<string, Record<string, string>> };
  expect(saved.badReleases).toEqual({ 'shop/production': { [BAD_RELEASE]: 'rolled back by deployment 4' } });

  // New records go on from the old ones' numbers.
  const unlocked = await api(app, '/api/apps/shop/environments/staging/unlock', { body: { user: 'U0CAROL' } });
  expect(unlocked.status).toBe(200);
  const next = await api(app, '/api/deployments', { body: { app: 'shop', ref: 'main', environment: 'staging', user: 'U0ALICE' } });
  expect(next.status).toBe(202);
  expect(next.body.id).toBe('5');
}

describe('a store written by igor of one app, before it served many', () => {
  it('is read whole by igor of the same single-app igor.yml, with no manual step', async () => {
    const app = await startOnFixture((repo, servers) => ({ app: 'shop', channels, ...shop(repo, servers) }));
    expect(app.logs.some((line) => line.msg === 'keyed the records of the store kept per environment by app and environment')).toBe(true);
    await expectEverythingOfShop(app);
    // The routes without an app are the one app's.
    expect((await api(app, '/api/flags/production/new-checkout')).body).toMatchObject({ value: '25%' });
    expect(((await api(app, '/api/deployments?environment=production')).body.deployments as unknown[]).length).toBe(3);
  });

  it('is read as the default app\'s when igor.yml moves to the apps form and adds an app', async () => {
    const app = await startOnFixture((repo, servers) => ({
      defaultApp: 'shop',
      channels,
      apps: {
        billing: { repo: `${repo}-billing`, environments: { production: { servers: { local: [{ name: 'billing-1', path: join(servers, 'billing-1') }] }, restart: 'true' } } },
        shop: shop(repo, servers),
      },
    }));
    await expectEverythingOfShop(app);
    expect((await api(app, '/api/deployments?app=billing')).body.deployments).toEqual([]);
    expect((await api(app, '/api/flags/billing/production/new-checkout')).status).toBe(404);
    expect((await api(app, '/api/ci/runs?app=billing')).body.runs).toEqual([]);
  });
});
