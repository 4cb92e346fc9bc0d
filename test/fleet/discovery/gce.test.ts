import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoveryFailure, environmentWith } from '../../support/cloud-environment.js';
import { createGceDiscovery, type GceDiscoveryOptions } from '../../../src/fleet/discovery/gce.js';
import { startFakeGce, type FakeGce } from '../../support/fake-gce.js';

const ZONE_B = 'europe-west1-b';
const ZONE_C = 'europe-west1-c';
const SHOP_PRODUCTION = 'labels.app=shop AND labels.env=production';
const shop = { app: 'shop', env: 'production' };

let fake: FakeGce;

beforeEach(async () => {
  fake = await startFakeGce('acme-shop');
});

afterEach(async () => {
  await fake?.stop();
});

describe('gce discovery', () => {
  it('returns the RUNNING instances of every zone that match the filter, sorted by name, with their ids', async () => {
    fake.instances.push(
      { name: 'web-10', zone: ZONE_B, labels: shop, internalIp: '10.132.0.10' },
      { name: 'web-2', zone: ZONE_C, labels: shop, internalIp: '10.132.0.2' },
      { name: 'web-3', zone: ZONE_B, labels: shop, internalIp: '10.132.0.3', status: 'TERMINATED' },
      { name: 'web-4', zone: ZONE_C, labels: shop, internalIp: '10.132.0.4', status: 'STOPPING' },
      { name: 'staging-1', zone: ZONE_B, labels: { app: 'shop', env: 'staging' }, internalIp: '10.132.0.50' },
      { name: 'other-zone', zone: 'us-central1-a', labels: shop, internalIp: '10.128.0.9' },
    );

    const discovery = discover({ filter: SHOP_PRODUCTION }, { user: 'deploy', port: 2222 });

    expect(discovery.name).toBe('gce');
    const servers = await discovery.servers();
    expect(servers.map(({ id: _id, ...server }) => server)).toEqual([
      { name: 'web-2', address: '10.132.0.2', via: 'ssh', port: 2222, user: 'deploy', path: '/srv/shop' },
      { name: 'web-10', address: '10.132.0.10', via: 'ssh', port: 2222, user: 'deploy', path: '/srv/shop' },
    ]);
    expect(servers.every((s) => /^\d+$/.test(s.id ?? ''))).toBe(true);
    expect(fake.listRequests.map((r) => [r.zone, r.filter])).toEqual([
      [ZONE_B, SHOP_PRODUCTION],
      [ZONE_C, SHOP_PRODUCTION],
    ]);
  });

  it('follows every nextPageToken of instances.list', async () => {
    for (let i = 1; i <= 7; i++) fake.instances.push({ name: `web-${i}`, zone: ZONE_B, labels: shop, internalIp: `10.132.0.${i}` });

    const servers = await discover({ filter: SHOP_PRODUCTION, zones: [ZONE_B] }, undefined, { pageSize: 3 }).servers();

    expect(servers.map((s) => s.name)).toEqual(['web-1', 'web-2', 'web-3', 'web-4', 'web-5', 'web-6', 'web-7']);
    expect(fake.listRequests.map((r) => [r.pageToken, r.maxResults])).toEqual([
      [null, '3'],
      ['3', '3'],
      ['6', '3'],
    ]);
  });

  it('uses external addresses when address is external and skips instances without one', async () => {
    fake.instances.push(
      { name: 'web-1', zone: ZONE_B, labels: shop, internalIp: '10.132.0.1', externalIp: '203.0.113.7' },
      { name: 'web-2', zone: ZONE_B, labels: shop, internalIp: '10.132.0.2' },
    );

    const servers = await discover({ filter: SHOP_PRODUCTION, address: 'external' }).servers();

    expect(servers.map((s) => [s.name, s.address])).toEqual([['web-1', '203.0.113.7']]);
  });

  it('says which instances lack an external address when none has one', async () => {
    fake.instances.push({ name: 'web-1', zone: ZONE_B, labels: shop, internalIp: '10.132.0.1' });

    const error = await discoveryFailure(discover({ filter: SHOP_PRODUCTION, address: 'external' }));

    expect(error.message).toBe(
      `[fleet] [gce] none of the 1 RUNNING instances matching ${SHOP_PRODUCTION} in project acme-shop, zones ${ZONE_B}, ${ZONE_C} ` +
        'has an external IP address (web-1): give them one, or set servers.gce.address to internal',
    );
  });

  it('names an instance found in two zones by its zone too', async () => {
    fake.instances.push(
      { name: 'web-1', zone: ZONE_B, labels: shop, internalIp: '10.132.0.1' },
      { name: 'web-1', zone: ZONE_C, labels: shop, internalIp: '10.132.0.2' },
    );

    const servers = await discover({ filter: SHOP_PRODUCTION }).servers();

    expect(servers.map((s) => s.name)).toEqual([`web-1.${ZONE_B}`, `web-1.${ZONE_C}`]);
  });

  it('names the project, zones and filter that matched nothing', async () => {
    fake.instances.push({ name: 'staging-1', zone: ZONE_B, labels: { app: 'shop', env: 'staging' }, internalIp: '10.132.0.1' });

    const error = await discoveryFailure(discover({ filter: SHOP_PRODUCTION }));

    expect(error.failure).toBe('none');
    expect(error.message).toBe(`[fleet] [gce] no RUNNING instances match ${SHOP_PRODUCTION} in project acme-shop, zones ${ZONE_B}, ${ZONE_C}`);
  });

  it('says the credentials were refused when the token endpoint refuses them', async () => {
    fake.refuseTokens();

    const error = await discoveryFailure(discover({ filter: SHOP_PRODUCTION }));

    expect(error.failure).toBe('credentials');
    expect(error.message).toMatch(/^\[fleet\] \[gce\] Google refused the credentials \(.*invalid_grant.*\): check the key in GOOGLE_APPLICATION_CREDENTIALS/);
  });

  it('says the Compute API refused the credentials on a 401', async () => {
    fake.fail(401, 2);

    const error = await discoveryFailure(discover({ filter: SHOP_PRODUCTION }));

    expect(error.failure).toBe('credentials');
    expect(error.message).toMatch(/^\[fleet\] \[gce\] the Compute API refused the credentials for instances\.list in project acme-shop, zone europe-west1-b .*GOOGLE_APPLICATION_CREDENTIALS/);
  });

  it('names the permission to grant on a 403', async () => {
    fake.fail(403, 2);

    const error = await discoveryFailure(discover({ filter: SHOP_PRODUCTION }));

    expect(error.failure).toBe('permission');
    expect(error.message).toMatch(/^\[fleet\] \[gce\] the credentials may not call instances\.list in project acme-shop, zone europe-west1-b \(.*\): grant compute\.instances\.list \(roles\/compute\.viewer\) on project acme-shop/);
  });

  it('retries a throttled (429) list and then succeeds', async () => {
    fake.instances.push({ name: 'web-1', zone: ZONE_B, labels: shop, internalIp: '10.132.0.1' });
    fake.fail(429, 2);

    const servers = await discover({ filter: SHOP_PRODUCTION, zones: [ZONE_B] }, undefined, { retryDelayMs: 10 }).servers();

    expect(servers.map((s) => s.name)).toEqual(['web-1']);
    expect(fake.listRequests).toHaveLength(3);
  });

  it('says Google is throttling when 429 persists past the retries', async () => {
    fake.fail(429, 10);

    const error = await discoveryFailure(discover({ filter: SHOP_PRODUCTION, zones: [ZONE_B] }, undefined, { retries: 2, retryDelayMs: 10 }));

    expect(error.failure).toBe('throttled');
    expect(error.message).toBe('[fleet] [gce] Google is still throttling instances.list in project acme-shop, zone europe-west1-b after 2 retries; try again in a minute (or raise the project\'s Compute API read quota)');
    expect(fake.listRequests).toHaveLength(3);
  });

  it('says it cannot reach the Compute API when nothing listens at the endpoint', async () => {
    const endpoint = fake.endpoint;
    const discovery = discover({ filter: SHOP_PRODUCTION, zones: [ZONE_B] }, undefined, { retries: 0 });
    await fake.stop();
    // The token endpoint is on the same fake, so nothing answers at all.
    const error = await discoveryFailure(discovery);

    expect(error.failure).toBe('unreachable');
    expect(error.message).toContain(endpoint);
  });

  describe('with Application Default Credentials', () => {
    const KEYS = ['GOOGLE_APPLICATION_CREDENTIALS', 'METADATA_SERVER_DETECTION', 'GCE_METADATA_HOST', 'GCE_METADATA_IP', 'GOOGLE_CLOUD_UNIVERSE_DOMAIN'];
    const saved = new Map<string, string | undefined>();
    let dir: string | undefined;

    beforeEach(async () => {
      for (const key of KEYS) saved.set(key, process.env[key]);
      dir = await mkdtemp(path.join(tmpdir(), 'igor-gce-adc-'));
      process.env.GOOGLE_APPLICATION_CREDENTIALS = await fake.writeAdcFile(dir);
      // Never ask a metadata server (169.254.169.254), whatever goes wrong.
      process.env.METADATA_SERVER_DETECTION = 'none';
      process.env.GCE_METADATA_HOST = '127.0.0.1:1';
      delete process.env.GCE_METADATA_IP;
      delete process.env.GOOGLE_CLOUD_UNIVERSE_DOMAIN;
    });

    afterEach(async () => {
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('gets its token through the file in GOOGLE_APPLICATION_CREDENTIALS when given no auth client', async () => {
      fake.instances.push({ name: 'web-1', zone: ZONE_B, labels: shop, internalIp: '10.132.0.1' });

      const discovery = createGceDiscovery({
        environment: environmentWith('gce', { project: fake.project, zones: [ZONE_B], filter: SHOP_PRODUCTION, endpoint: fake.endpoint }),
        defaultUser: 'deploy',
      });

      expect((await discovery.servers()).map((s) => s.name)).toEqual(['web-1']);
    });

    it('gives up on a request that gets no answer within requestTimeoutMs', async () => {
      fake.hang(10);
      const discovery = createGceDiscovery({
        environment: environmentWith('gce', { project: fake.project, zones: [ZONE_B], endpoint: fake.endpoint }),
        defaultUser: 'deploy',
        requestTimeoutMs: 300,
        retries: 0,
      });

      const started = Date.now();
      const error = await discoveryFailure(discovery);

      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error.failure).toBe('unreachable');
      expect(error.message).toBe(
        `[fleet] [gce] the Compute API at ${fake.endpoint} did not answer instances.list in project acme-shop, zone europe-west1-b within 0.3 s`,
      );
    });

    it('says the credentials were refused when the token exchange fails', async () => {
      fake.refuseTokens();
      const discovery = createGceDiscovery({
        environment: environmentWith('gce', { project: fake.project, zones: [ZONE_B], endpoint: fake.endpoint }),
        defaultUser: 'deploy',
      });

      const error = await discoveryFailure(discovery);

      expect(error.failure).toBe('credentials');
      expect(error.message).toMatch(/^\[fleet\] \[gce\] Google refused the credentials \(.*invalid_grant.*\): check the key in GOOGLE_APPLICATION_CREDENTIALS/);
    });
  });

  it('refuses a page size the API would reject', () => {
    expect(() => discover({}, undefined, { pageSize: 0 })).toThrow(RangeError);
    expect(() => discover({}, undefined, { pageSize: 501 })).toThrow(RangeError);
  });
});

function discover(gce: Record<string, unknown>, ssh?: Record<string, unknown>, extra: Partial<GceDiscoveryOptions> = {}) {
  return createGceDiscovery({
    environment: environmentWith('gce', { project: fake.project, zones: [ZONE_B, ZONE_C], endpoint: fake.endpoint, ...gce }, ssh),
    defaultUser: 'nobody',
    authClient: fake.authClient(),
    retryDelayMs: 10,
    requestTimeoutMs: 5_000,
    ...extra,
  });
}

