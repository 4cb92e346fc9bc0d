import {
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2ClientConfig,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configSchema, type EnvironmentConfig } from '../../../src/config/schema.js';
import { createEc2Discovery } from '../../../src/fleet/discovery/ec2.js';
import { DiscoveryError } from '../../../src/fleet/discovery/errors.js';
import { startMoto, type Moto } from '../../support/moto.js';

// An AMI that moto ships in every region.
const IMAGE_ID = 'ami-12c6146b';
const REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const SHOP_PRODUCTION = { 'tag:app': ['shop'], 'tag:env': ['production'] };

let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
});

describe('ec2 discovery', () => {
  it('returns the running instances that match the tag filters, named by their Name tag and sorted', async () => {
    const client = ec2Client();
    const web10 = await launch(client, { app: 'shop', env: 'production', Name: 'web-10' });
    const web2 = await launch(client, { app: 'shop', env: 'production', Name: 'web-2' });
    const unnamed = await launch(client, { app: 'shop', env: 'production' });
    await launch(client, { app: 'shop', env: 'staging', Name: 'staging-1' });
    await launch(client, { app: 'blog', env: 'production', Name: 'blog-1' });
    const stopped = await launch(client, { app: 'shop', env: 'production', Name: 'web-3' });
    const terminated = await launch(client, { app: 'shop', env: 'production', Name: 'web-4' });
    await client.send(new StopInstancesCommand({ InstanceIds: [stopped.InstanceId!] }));
    await client.send(new TerminateInstancesCommand({ InstanceIds: [terminated.InstanceId!] }));

    const discovery = createEc2Discovery({
      environment: environment({ region: REGION, filters: SHOP_PRODUCTION }, { user: 'deploy', port: 2222 }),
      client,
      defaultUser: 'nobody',
    });

    expect(discovery.name).toBe('ec2');
    const server = (name: string, address: string | undefined, id: string | undefined) => ({ name, address, via: 'ssh', port: 2222, user: 'deploy', path: '/srv/shop', id });
    expect(await discovery.servers()).toEqual([
      server(unnamed.InstanceId!, unnamed.PrivateIpAddress, unnamed.InstanceId),
      server('web-2', web2.PrivateIpAddress, web2.InstanceId),
      server('web-10', web10.PrivateIpAddress, web10.InstanceId),
    ]);
  });

  it('gives instances that share a Name tag (one Auto Scaling group) names of their own, by instance id', async () => {
    const client = ec2Client();
    const group = [];
    for (let i = 0; i < 3; i++) group.push(await launch(client, { app: 'shop', env: 'production', Name: 'web' }));
    const alone = await launch(client, { app: 'shop', env: 'production', Name: 'api' });
    const discovery = createEc2Discovery({ environment: environment({ region: REGION, filters: SHOP_PRODUCTION }), client, defaultUser: 'deploy' });

    const servers = await discovery.servers();
    expect(servers.map((server) => server.name)).toEqual(['api', ...group.map((instance) => `web.${instance.InstanceId}`).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))]);
    expect(new Set(servers.map((server) => server.name)).size).toBe(4);
    expect(servers.find((server) => server.name === 'api')).toMatchObject({ id: alone.InstanceId, address: alone.PrivateIpAddress });
    for (const instance of group) expect(servers.find((server) => server.id === instance.InstanceId)).toMatchObject({ name: `web.${instance.InstanceId}`, address: instance.PrivateIpAddress });
  });

  it('uses public addresses when address is public and skips instances without one', async () => {
    const client = ec2Client();
    const withPublic = await launch(client, { app: 'shop', env: 'production', Name: 'web-1' });
    await launch(client, { app: 'shop', env: 'production', Name: 'web-2' }, { NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false }] });
    expect(withPublic.PublicIpAddress).toBeTruthy();

    const discovery = createEc2Discovery({
      environment: environment({ region: REGION, filters: SHOP_PRODUCTION, address: 'public' }),
      client,
      defaultUser: 'ubuntu',
    });

    expect(await discovery.servers()).toEqual([
      { name: 'web-1', address: withPublic.PublicIpAddress, via: 'ssh', port: 22, user: 'ubuntu', path: '/srv/shop', id: withPublic.InstanceId },
    ]);
  });

  it('says which instances lack a public address when none has one', async () => {
    const client = ec2Client();
    const privateOnly = { NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false }] };
    await launch(client, { app: 'shop', env: 'production', Name: 'web-1' }, privateOnly);
    await launch(client, { app: 'shop', env: 'production', Name: 'web-2' }, privateOnly);

    const discovery = createEc2Discovery({
      environment: environment({ region: REGION, filters: SHOP_PRODUCTION, address: 'public' }),
      client,
      defaultUser: 'deploy',
    });

    const error = await discovery.servers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as Error).message).toBe(
      '[fleet] [ec2] none of the 2 running instances matching tag:app=shop, tag:env=production in eu-west-1 has a public IP address ' +
        '(web-1, web-2): give them one, or set servers.ec2.address to private',
    );
  });

  it('follows every page of DescribeInstances', async () => {
    const client = ec2Client();
    // moto pages by reservation: six RunInstances calls of two instances each make six reservations.
    for (let i = 0; i < 6; i++) {
      await launch(client, { app: 'shop', env: 'production' }, { MinCount: 2, MaxCount: 2 });
    }
    const pages = countDescribeInstances(client);

    const servers = await createEc2Discovery({
      environment: environment({ region: REGION, filters: SHOP_PRODUCTION }),
      client,
      defaultUser: 'deploy',
      pageSize: 5,
    }).servers();

    expect(servers).toHaveLength(12);
    expect(new Set(servers.map((s) => s.name)).size).toBe(12);
    expect(pages.count).toBeGreaterThan(1);
  });

  it('names the filters that matched nothing', async () => {
    const client = ec2Client();
    await launch(client, { app: 'shop', env: 'staging', Name: 'staging-1' });

    const discovery = createEc2Discovery({ environment: environment({ region: REGION, filters: SHOP_PRODUCTION }), client, defaultUser: 'deploy' });

    const error = await discovery.servers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as Error).name).toBe('DiscoveryError');
    expect((error as Error).message).toBe('[fleet] [ec2] no running instances match tag:app=shop, tag:env=production in eu-west-1');
  });

  it('says it cannot reach the EC2 API when nothing listens at the endpoint', async () => {
    const client = ec2Client({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1 });
    const discovery = createEc2Discovery({ environment: environment({ region: REGION, filters: SHOP_PRODUCTION }), client, defaultUser: 'deploy' });

    const error = await discovery.servers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as Error).message).toMatch(/^\[fleet\] \[ec2\] cannot reach the EC2 API at http:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\)$/);
    expect((error as Error).cause).toBeDefined();
  });

  it('refuses a page size the API would reject', () => {
    const env = environment({ region: REGION, filters: SHOP_PRODUCTION });
    expect(() => createEc2Discovery({ environment: env, client: ec2Client(), defaultUser: 'deploy', pageSize: 4 })).toThrow(RangeError);
    expect(() => createEc2Discovery({ environment: env, client: ec2Client(), defaultUser: 'deploy', pageSize: 1001 })).toThrow(RangeError);
  });

  describe('with a client of its own', () => {
    const saved: Record<string, string | undefined> = {};
    const setEnv = (vars: Record<string, string | undefined>) => {
      for (const [key, value] of Object.entries(vars)) {
        if (!(key in saved)) saved[key] = process.env[key];
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    };

    beforeEach(() => {
      setEnv({
        AWS_ENDPOINT_URL_EC2: moto.endpoint,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_ENDPOINT_URL: undefined,
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
      });
    });

    afterEach(() => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
        delete saved[key];
      }
    });

    it('reaches the endpoint in AWS_ENDPOINT_URL_EC2, in the region of servers.ec2.region', async () => {
      // moto keeps regions apart: an instance in eu-west-1 is invisible from us-east-1.
      setEnv({ AWS_REGION: 'us-east-1' });
      await launch(ec2Client(), { app: 'shop', env: 'production', Name: 'web-1' });

      const discovery = createEc2Discovery({ environment: environment({ region: REGION, filters: SHOP_PRODUCTION }), defaultUser: 'deploy' });

      expect((await discovery.servers()).map((s) => s.name)).toEqual(['web-1']);
    });

    it('takes the region from AWS_REGION when servers.ec2.region is not set', async () => {
      setEnv({ AWS_REGION: REGION });
      await launch(ec2Client(), { app: 'shop', env: 'production', Name: 'web-1' });

      const discovery = createEc2Discovery({ environment: environment({ filters: SHOP_PRODUCTION }), defaultUser: 'deploy' });

      expect((await discovery.servers()).map((s) => s.name)).toEqual(['web-1']);
    });
  });
});

function ec2Client(config: EC2ClientConfig = {}): EC2Client {
  return new EC2Client({ region: REGION, credentials: CREDENTIALS, endpoint: moto.endpoint, ...config });
}

/** An environment as igor.yml would give it, with `servers.ec2` and optional `ssh`. */
function environment(ec2: Record<string, unknown>, ssh?: Record<string, unknown>): EnvironmentConfig {
  const config = configSchema.parse({
    app: 'shop',
    repo: 'https://github.com/acme/shop.git',
    channels: { deploys: 'C0DEPLOYS' },
    environments: { production: { servers: { ec2 }, path: '/srv/shop', ...(ssh ? { ssh } : {}) } },
  });
  return config.environments.production!;
}

/** Runs one instance (or MinCount of them) tagged with `tags`; resolves to the first. */
async function launch(client: EC2Client, tags: Record<string, string>, extra: Partial<RunInstancesCommandInput> = {}) {
  const { Instances } = await client.send(
    new RunInstancesCommand({
      ImageId: IMAGE_ID,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
      ...extra,
    }),
  );
  return Instances![0]!;
}

/** Counts the DescribeInstances requests `client` sends from now on. */
function countDescribeInstances(client: EC2Client): { count: number } {
  const pages = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DescribeInstancesCommand') pages.count++;
      return next(args);
    },
    { step: 'initialize', name: 'countDescribeInstances' },
  );
  return pages;
}
