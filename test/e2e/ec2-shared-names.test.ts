/**
 * Instances of one Auto Scaling group carry the same `Name` tag. Three such EC2 instances (moto),
 * each at the address of a real sshd host with a folder of its own at the environment's one
 * `path`: a deployment and a rollback must tell them apart (issue 13, item 5).
 */
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { readFile, readlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APP_PORT, API_TOKEN, prepareHarness, startIgor, type Harness } from '../support/igor-harness.js';
import { commitFiles } from '../support/example-changes.js';
import { motoAsEc2 } from '../support/moto.js';
import type { SshFleet } from '../support/sshd-fleet.js';
import { slackDriver } from './slack-driver.js';

const REGION = 'eu-west-1';
const moto = motoAsEc2({ beforeAll, afterEach, afterAll });
let harness: Harness | undefined;
// Registered after motoAsEc2's hooks, so it runs before moto is emptied.
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** One instance per host of the fleet, all named `web`, each at its host's loopback address. */
async function launchGroup(fleet: SshFleet): Promise<string[]> {
  const client = new EC2Client({ region: REGION, endpoint: moto().endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  try {
    const [a, b, c] = fleet.hosts[0]!.host.split('.');
    const vpc = await client.send(new CreateVpcCommand({ CidrBlock: `${a}.${b}.0.0/16` }));
    const subnet = await client.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: `${a}.${b}.${c}.0/24` }));
    const ids: string[] = [];
    for (const host of fleet.hosts) {
      const launched = await client.send(
        new RunInstancesCommand({
          ImageId: 'ami-12c6146b',
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnet.Subnet!.SubnetId!,
          PrivateIpAddress: host.host,
          TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'app', Value: 'shop' }, { Key: 'Name', Value: 'web' }] }],
        }),
      );
      ids.push(launched.Instances![0]!.InstanceId!);
    }
    return ids;
  } finally {
    client.destroy();
  }
}

interface ApiHost {
  host: string;
  state: string;
  release: string | null;
  previousRelease: string | null;
  address: string;
  instanceId: string;
}

describe('EC2 instances that share a Name tag', () => {
  it('are deployed and rolled back each as itself, named by instance id, with their address and instanceId', async () => {
    // The fleet first: the instances take its addresses, and igor.yml its one shared path.
    const prepared = await prepareHarness({ hosts: 3, fleet: { ownPath: true }, staging: { servers: { ec2: { region: REGION, filters: { 'tag:app': ['shop'] } } } } });
    let h: Harness;
    let ids: string[];
    try {
      ids = await launchGroup(prepared.fleet);
      const config = parse(await readFile(prepared.configPath, 'utf8')) as { environments: { staging: Record<string, unknown> } };
      const ssh = { ...(config.environments.staging.ssh as object), port: prepared.fleet.hosts[0]!.port };
      Object.assign(config.environments.staging, { path: prepared.fleet.ownPath!.path, ssh, health: { url: `http://{host}:${APP_PORT}/health`, interval: '100ms', retries: 50 } });
      await writeFile(prepared.configPath, stringify(config));
      const { igor } = await startIgor(prepared);
      h = harness = { ...prepared, igor, logs: [], eventsUrl: `${igor.url}/slack/events` };
    } catch (error) {
      await prepared.close();
      throw error;
    }
    const fleet = h.fleet;
    const { path, roots: rootsByHost } = fleet.ownPath!;
    const roots = Object.values(rootsByHost);
    /** The commit a host runs: its `current` points into the shared path, which is the host's root here. */
    const liveRevision = async (root: string) => {
      const release = relative(path, await readlink(join(root, 'current')));
      return (await readFile(join(root, release, 'REVISION'), 'utf8')).trim();
    };
    const slack = slackDriver(h);
    const hostsOf = async (id: string): Promise<ApiHost[]> => {
      const response = await fetch(`${h.igor.url}/api/deployments/${id}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
      return ((await response.json()) as { hosts: ApiHost[] }).hosts;
    };

    expect(await (await slack.slash('main')).answer()).toContain('Deployment 1');
    const first = await slack.state('1', 'succeeded');
    const names = ids.map((id) => `web.${id}`).sort();
    expect(first.hosts.map((host) => host.host).sort()).toEqual(names);
    const hosts = await hostsOf('1');
    expect(hosts.map((host) => host.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(hosts.map((host) => host.instanceId).sort()).toEqual([...ids].sort());
    expect(hosts.map((host) => host.address).sort()).toEqual(fleet.hosts.map((host) => host.host).sort());
    // Each instance got the release in its own folder, and serves it at its own address.
    for (const root of roots) expect(await liveRevision(root)).toBe(h.sha);
    for (const host of fleet.hosts) {
      const health = (await (await fetch(`http://${host.host}:${APP_PORT}/health`)).json()) as { revision: string };
      expect(health.revision).toBe(h.sha);
    }

    const second = await commitFiles(h.repo, { 'NEWS.md': 'a second release\n' }, 'A second release');
    expect(await (await slack.slash('main')).answer()).toContain('Deployment 2');
    await slack.state('2', 'succeeded');
    for (const root of roots) expect(await liveRevision(root)).toBe(second);
    expect((await hostsOf('2')).map((host) => host.previousRelease)).toEqual([first.release, first.release, first.release]);

    // The rollback moves every instance back, not the first one three times.
    expect(await (await slack.slash('', 'U0ALICE', '/rollback')).answer()).toContain(`puts ${first.release} back`);
    await slack.state('3', 'succeeded');
    const rolledBack = await hostsOf('3');
    expect(rolledBack.map((host) => [host.state, host.release])).toEqual([
      ['succeeded', first.release],
      ['succeeded', first.release],
      ['succeeded', first.release],
    ]);
    expect(rolledBack.map((host) => host.instanceId).sort()).toEqual([...ids].sort());
    for (const root of roots) expect(await liveRevision(root)).toBe(h.sha);
  });
});
