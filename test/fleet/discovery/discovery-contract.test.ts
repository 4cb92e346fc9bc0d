// describeDiscovery run against every discovery: static, EC2 (a real moto_server), GCE and Azure (fakes of their REST APIs).
import { EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { createAzureDiscovery } from '../../../src/fleet/discovery/azure.js';
import { createEc2Discovery } from '../../../src/fleet/discovery/ec2.js';
import { createGceDiscovery } from '../../../src/fleet/discovery/gce.js';
import { createStaticDiscovery } from '../../../src/fleet/discovery/static.js';
import { useAzureEnvironment } from '../../support/azure-environment.js';
import { environmentWith } from '../../support/cloud-environment.js';
import { startFakeAzure, type FakeAzure } from '../../support/fake-azure.js';
import { startFakeGce, type FakeGce } from '../../support/fake-gce.js';
import { startMoto, type Moto } from '../../support/moto.js';
import { describeDiscovery } from './describe-discovery.js';

describeDiscovery('static', () => ({
  order: 'as-configured',
  async withServers(names) {
    // TEST-NET-1 addresses: discovery only lists them, nothing connects.
    return createStaticDiscovery(environmentWith('static', names.map((name, i) => ({ name, host: `192.0.2.${i + 1}` }))), 'deploy');
  },
  async withNone() {
    const environment = environmentWith('static', [{ host: '192.0.2.1' }]);
    return createStaticDiscovery({ ...environment, servers: { ...environment.servers, static: [] } }, 'deploy');
  },
}));

describeDiscovery('ec2', () => {
  const REGION = 'eu-west-1';
  const filters = { 'tag:app': ['shop'], 'tag:env': ['production'] };
  let moto: Moto;
  let client: EC2Client;
  const discovery = () => createEc2Discovery({ environment: environmentWith('ec2', { region: REGION, filters }), client, defaultUser: 'deploy' });
  const launch = async (tags: Record<string, string>) => {
    const { Instances } = await client.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
      }),
    );
    return Instances![0]!;
  };
  return {
    async beforeAll() {
      moto = await startMoto();
      client = new EC2Client({ region: REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    },
    async afterAll() {
      client?.destroy();
      await moto?.stop();
    },
    async beforeEach() {
      await moto.reset();
    },
    async withServers(names) {
      for (const Name of names) await launch({ app: 'shop', env: 'production', Name });
      const stopped = await launch({ app: 'shop', env: 'production', Name: 'web-3' });
      await client.send(new StopInstancesCommand({ InstanceIds: [stopped.InstanceId!] }));
      await launch({ app: 'shop', env: 'staging', Name: 'staging-1' });
      return discovery();
    },
    async withNone() {
      await launch({ app: 'shop', env: 'staging', Name: 'staging-1' });
      return discovery();
    },
  };
});

describeDiscovery('gce', () => {
  let fake: FakeGce;
  const zones = ['europe-west1-b', 'europe-west1-c'];
  const discovery = () =>
    createGceDiscovery({
      environment: environmentWith('gce', { project: fake.project, zones, filter: 'labels.app=shop', endpoint: fake.endpoint }),
      defaultUser: 'deploy',
      authClient: fake.authClient(),
      pageSize: 2,
    });
  return {
    async beforeEach() {
      fake = await startFakeGce();
    },
    async afterEach() {
      await fake?.stop();
    },
    async withServers(names) {
      names.forEach((name, i) => fake.instances.push({ name, zone: zones[i % 2]!, labels: { app: 'shop' }, internalIp: `10.132.0.${i + 1}` }));
      fake.instances.push({ name: 'web-3', zone: zones[0]!, labels: { app: 'shop' }, internalIp: '10.132.0.99', status: 'TERMINATED' });
      fake.instances.push({ name: 'blog-1', zone: zones[0]!, labels: { app: 'blog' }, internalIp: '10.132.0.98' });
      return discovery();
    },
    async withNone() {
      fake.instances.push({ name: 'blog-1', zone: zones[0]!, labels: { app: 'blog' }, internalIp: '10.132.0.98' });
      return discovery();
    },
  };
});

describeDiscovery('azure', () => {
  let fake: FakeAzure;
  const env = useAzureEnvironment();
  const discovery = () =>
    createAzureDiscovery({
      environment: environmentWith('azure', { subscription: fake.subscription, tags: { app: 'shop' }, endpoint: fake.endpoint, authorityHost: fake.endpoint }),
      defaultUser: 'deploy',
      tlsOptions: { ca: fake.ca },
    });
  return {
    async beforeEach() {
      fake = await startFakeAzure(2);
      env.set(fake);
    },
    async afterEach() {
      env.restore();
      await fake?.stop();
    },
    async withServers(names) {
      names.forEach((name, i) => fake.vms.push({ name, resourceGroup: 'shop-rg', tags: { app: 'shop' }, privateIp: `10.1.0.${i + 1}` }));
      fake.vms.push({ name: 'web-3', resourceGroup: 'shop-rg', tags: { app: 'shop' }, privateIp: '10.1.0.99', power: 'deallocated' });
      fake.vms.push({ name: 'blog-1', resourceGroup: 'shop-rg', tags: { app: 'blog' }, privateIp: '10.1.0.98' });
      return discovery();
    },
    async withNone() {
      fake.vms.push({ name: 'blog-1', resourceGroup: 'shop-rg', tags: { app: 'blog' }, privateIp: '10.1.0.98' });
      return discovery();
    },
  };
});
