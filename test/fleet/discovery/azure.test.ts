import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAzureDiscovery, type AzureDiscoveryOptions } from '../../../src/fleet/discovery/azure.js';
import { discoveryFailure, environmentWith } from '../../support/cloud-environment.js';
import { startFakeAzure, type FakeAzure } from '../../support/fake-azure.js';
import { useAzureEnvironment } from '../../support/azure-environment.js';

const shop = { app: 'shop', env: 'production' };

let fake: FakeAzure;
const env = useAzureEnvironment();

beforeEach(async () => {
  fake = await startFakeAzure(2);
  env.set(fake);
});

afterEach(async () => {
  env.restore();
  await fake?.stop();
});

describe('azure discovery', () => {
  it('returns the running VMs that carry every tag, over every page, sorted by name, with their vmIds', async () => {
    fake.vms.push(
      { name: 'web-10', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.10' },
      { name: 'web-2', resourceGroup: 'shop-rg', tags: { ...shop, team: 'checkout' }, privateIp: '10.1.0.2' },
      { name: 'web-3', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.3', power: 'stopped' },
      { name: 'web-4', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.4', power: 'deallocated' },
      { name: 'staging-1', resourceGroup: 'shop-rg', tags: { app: 'shop', env: 'staging' }, privateIp: '10.1.0.50' },
      { name: 'web-5', resourceGroup: 'other-rg', tags: shop, privateIp: '10.2.0.5' },
    );

    const discovery = discover({ tags: shop }, { user: 'deploy', port: 2222 });

    expect(discovery.name).toBe('azure');
    const servers = await discovery.servers();
    expect(servers.map(({ id: _id, ...server }) => server)).toEqual([
      { name: 'web-2', address: '10.1.0.2', via: 'ssh', port: 2222, user: 'deploy', path: '/srv/shop' },
      { name: 'web-5', address: '10.2.0.5', via: 'ssh', port: 2222, user: 'deploy', path: '/srv/shop' },
      { name: 'web-10', address: '10.1.0.10', via: 'ssh', port: 2222, user: 'deploy', path: '/srv/shop' },
    ]);
    expect(servers.every((s) => /^[0-9a-f-]{36}$/.test(s.id ?? ''))).toBe(true);
    // Six VMs two a page: three pages, each asked for by the nextLink of the one before.
    const lists = fake.requests.filter((r) => r.startsWith(`GET /subscriptions/${fake.subscription}/providers/Microsoft.Compute/virtualMachines?`));
    expect(lists).toHaveLength(3);
    expect(lists.slice(1).every((r) => r.includes('%24skiptoken=') || r.includes('$skiptoken='))).toBe(true);
    // The token came from the tenant's token endpoint, by client credentials.
    expect(fake.requests.some((r) => r.startsWith(`POST /${fake.tenant}/oauth2/v2.0/token`))).toBe(true);
  });

  it('lists one resource group when resourceGroup is set', async () => {
    fake.vms.push(
      { name: 'web-1', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.1' },
      { name: 'web-2', resourceGroup: 'other-rg', tags: shop, privateIp: '10.2.0.2' },
    );

    const servers = await discover({ tags: shop, resourceGroup: 'shop-rg' }).servers();

    expect(servers.map((s) => s.name)).toEqual(['web-1']);
    expect(fake.requests.some((r) => r.startsWith(`GET /subscriptions/${fake.subscription}/resourceGroups/shop-rg/providers/Microsoft.Compute/virtualMachines?`))).toBe(true);
  });

  it('uses the public IP resource of the primary network interface when address is public', async () => {
    fake.vms.push(
      { name: 'web-1', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.1', publicIp: '20.50.0.1' },
      { name: 'web-2', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.2' },
    );

    const servers = await discover({ tags: shop, address: 'public' }).servers();

    expect(servers.map((s) => [s.name, s.address])).toEqual([['web-1', '20.50.0.1']]);
    expect(fake.requests.some((r) => r.includes('/providers/Microsoft.Network/publicIPAddresses/web-1-ip?'))).toBe(true);
  });

  it('says which VMs lack a public address when none has one', async () => {
    fake.vms.push({ name: 'web-1', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.1' });

    const error = await discoveryFailure(discover({ tags: shop, address: 'public' }));

    expect(error.message).toBe(
      `[fleet] [azure] none of the 1 running VMs tagged app=shop, env=production in subscription ${fake.subscription} has a public IP address ` +
        '(web-1): give them one, or set servers.azure.address to private',
    );
  });

  it('names a VM found in two resource groups by its resource group too', async () => {
    fake.vms.push(
      { name: 'web-1', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.1' },
      { name: 'web-1', resourceGroup: 'shop-dr-rg', tags: shop, privateIp: '10.2.0.1' },
    );

    const servers = await discover({ tags: shop }).servers();

    expect(servers.map((s) => s.name)).toEqual(['web-1.shop-dr-rg', 'web-1.shop-rg']);
  });

  it('names the subscription and tags that matched nothing', async () => {
    fake.vms.push({ name: 'web-1', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.1', power: 'stopped' });

    const error = await discoveryFailure(discover({ tags: shop }));

    expect(error.failure).toBe('none');
    expect(error.message).toBe(`[fleet] [azure] no running VMs tagged app=shop, env=production in subscription ${fake.subscription}`);
  });

  it('says Entra ID refused the credentials when the client secret is wrong', async () => {
    process.env.AZURE_CLIENT_SECRET = 'not-the-secret';

    const error = await discoveryFailure(discover({ tags: shop }));

    expect(error.failure).toBe('credentials');
    expect(error.message).toMatch(/^\[fleet\] \[azure\] Entra ID refused the credentials \(.*AADSTS7000215.*\): check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET/);
    expect(error.message).not.toContain('not-the-secret');
  });

  it('says Resource Manager refused the token on a 401', async () => {
    fake.fail(401, 5);

    const error = await discoveryFailure(discover({ tags: shop }));

    expect(error.failure).toBe('credentials');
    expect(error.message).toMatch(/^\[fleet\] \[azure\] Resource Manager at https:\/\/127\.0\.0\.1:\d+ refused the token for virtualMachines\.listAll \(InvalidAuthenticationToken: /);
  });

  it('names the role to give on a 403', async () => {
    fake.fail(403);

    const error = await discoveryFailure(discover({ tags: shop }));

    expect(error.failure).toBe('permission');
    expect(error.message).toMatch(
      new RegExp(`^\\[fleet\\] \\[azure\\] the credentials may not call virtualMachines\\.listAll in subscription ${fake.subscription} \\(AuthorizationFailed: .*\\): give them the Reader role`),
    );
  });

  it('names the lookup that was refused when reading a network interface is not allowed', async () => {
    fake.vms.push({ name: 'web-1', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.1' });
    fake.fail(403, 1, '/networkInterfaces/');

    const error = await discoveryFailure(discover({ tags: shop }));

    expect(error.failure).toBe('permission');
    expect(error.message).toMatch(/^\[fleet\] \[azure\] the credentials may not call networkInterfaces\.get of web-1-nic in subscription /);
  });

  it('waits out a throttled (429) answer as Retry-After says, then succeeds', async () => {
    fake.vms.push({ name: 'web-1', resourceGroup: 'shop-rg', tags: shop, privateIp: '10.1.0.1' });
    fake.fail(429);

    const started = Date.now();
    const servers = await discover({ tags: shop }).servers();

    expect(servers.map((s) => s.name)).toEqual(['web-1']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('says Resource Manager is throttling when 429 persists past the retries', async () => {
    fake.fail(429, 10);

    const error = await discoveryFailure(discover({ tags: shop }, undefined, { retryOptions: { maxRetries: 1 } }));

    expect(error.failure).toBe('throttled');
    expect(error.message).toBe('[fleet] [azure] Resource Manager is still throttling virtualMachines.listAll after its retries; try again in a minute');
  });

  it('gives up on a request that gets no answer within requestTimeoutMs', async () => {
    fake.hang(10);

    const started = Date.now();
    const error = await discoveryFailure(discover({ tags: shop }, undefined, { requestTimeoutMs: 300, retryOptions: { maxRetries: 0 } }));

    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.failure).toBe('unreachable');
    expect(error.message).toBe(`[fleet] [azure] virtualMachines.listAll got no answer from ${fake.endpoint} (or Entra ID) within 0.3 s`);
  });

  it('gives up when the whole discovery outlasts deadlineMs', async () => {
    fake.hang(10);

    const error = await discoveryFailure(discover({ tags: shop }, undefined, { requestTimeoutMs: 10_000, deadlineMs: 400 }));

    expect(error.failure).toBe('unreachable');
    expect(error.message).toBe(`[fleet] [azure] virtualMachines.listAll got no answer from ${fake.endpoint} (or Entra ID) within 0.4 s`);
  });

  it('says it cannot reach Resource Manager when nothing listens at the endpoint', async () => {
    const discovery = createAzureDiscovery({
      environment: environmentWith('azure', { subscription: fake.subscription, tags: shop, endpoint: 'https://127.0.0.1:1' }),
      defaultUser: 'deploy',
      credential: { getToken: async () => ({ token: 'token', expiresOnTimestamp: Date.now() + 3_600_000 }) },
      retryOptions: { maxRetries: 0 },
    });

    const error = await discoveryFailure(discovery);

    expect(error.failure).toBe('unreachable');
    expect(error.message).toMatch(/^\[fleet\] \[azure\] cannot reach Resource Manager at https:\/\/127\.0\.0\.1:1 \(/);
  });
});

function discover(azure: Record<string, unknown>, ssh?: Record<string, unknown>, extra: Partial<AzureDiscoveryOptions> = {}) {
  return createAzureDiscovery({
    environment: environmentWith('azure', { subscription: fake.subscription, endpoint: fake.endpoint, authorityHost: fake.endpoint, ...azure }, ssh),
    defaultUser: 'nobody',
    tlsOptions: { ca: fake.ca },
    requestTimeoutMs: 5_000,
    ...extra,
  });
}

