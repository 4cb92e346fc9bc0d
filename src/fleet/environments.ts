import { join } from 'node:path';
import type { Config, EnvironmentConfig } from '../config/schema.js';
import { dictionary } from '../shared/names.js';
import type { ArtifactStore } from './artifacts/s3.js';
import { createLocalDiscovery } from './discovery/local.js';
import { createStaticDiscovery } from './discovery/static.js';
import type { HostKeyStore } from './transport/host-keys.js';
import { createLocalTransport } from './transport/local.js';
import { parseJump } from './transport/jump.js';
import { ConnectionError } from './errors.js';
import { createSshTransport } from './transport/ssh.js';
import type { Connect, ConnectOptions, Discovery, Server } from './types.js';

export interface FleetOptions {
  /** Where local servers keep their folders. */
  dataDir: string;
  /** igor's own user and home: the default SSH user, and where `~/.ssh/id_ed25519` is. */
  user: string;
  home: string;
  /** Host keys trusted on first use (the store). */
  hostKeys: HostKeyStore;
  /** igor's SSH_AUTH_SOCK, for `ssh.agent: true`. */
  sshAuthSock?: string | undefined;
}

/**
 * Per environment, how its servers are found (`servers.local`, `servers.ec2`, `servers.gce`, `servers.azure` or `servers.static`)
 * and how each is reached (on this machine, or over SSH with the environment's `ssh` settings).
 */
export function createFleets(
  config: Config,
  options: FleetOptions,
): { discoveries: Record<string, Discovery>; connectors: Record<string, Connect>; artifactStores: Record<string, ArtifactStore> } {
  const discoveries = dictionary<Discovery>();
  const connectors = dictionary<Connect>();
  const artifactStores = dictionary<ArtifactStore>();
  for (const [name, environment] of Object.entries(config.environments)) {
    discoveries[name] = discoveryOf(environment, options);
    connectors[name] = connectorOf(environment, options);
    const store = artifactStoreOf(config, name);
    if (store) artifactStores[name] = store;
  }
  return { discoveries, connectors, artifactStores };
}

/**
 * `artifacts.s3` at the top level applies to every environment; an environment's own `artifacts`
 * replaces it (`artifacts: {}` there means direct upload again). Local servers always get a copy.
 */
function artifactStoreOf(config: Config, name: string): ArtifactStore | undefined {
  const environment = config.environments[name]!;
  if (environment.servers.local) return undefined;
  const own = environment.artifacts;
  const settings = own ? own.s3 : config.artifacts?.s3;
  if (!settings) return undefined;
  const setting = own ? `environments.${name}.artifacts.s3` : 'artifacts.s3';
  let loaded: Promise<ArtifactStore> | undefined;
  // Loaded when first used, as the cloud discoveries are.
  const store = () => (loaded ??= import('./artifacts/s3.js').then(({ createS3ArtifactStore }) => createS3ArtifactStore({ settings, setting })));
  return { name: 's3', publish: async (artifact, names) => (await store()).publish(artifact, names) };
}

function discoveryOf(environment: EnvironmentConfig, options: FleetOptions): Discovery {
  if (environment.servers.local) return createLocalDiscovery(environment, options.dataDir);
  const cloud = { environment, defaultUser: options.user };
  if (environment.servers.ec2) return onFirstUse('ec2', async () => (await import('./discovery/ec2.js')).createEc2Discovery(cloud));
  if (environment.servers.gce) return onFirstUse('gce', async () => (await import('./discovery/gce.js')).createGceDiscovery(cloud));
  if (environment.servers.azure) return onFirstUse('azure', async () => (await import('./discovery/azure.js')).createAzureDiscovery(cloud));
  return createStaticDiscovery(environment, options.user);
}

/**
 * A cloud discovery made when first asked: each cloud's SDK takes 25 to 130 MiB of igor's memory
 * once loaded, and most igors use one cloud or none. A failed load is tried again next time.
 */
function onFirstUse(name: string, make: () => Promise<Discovery>): Discovery {
  let made: Promise<Discovery> | undefined;
  return {
    name,
    async servers() {
      const discovery = await (made ??= make().catch((error: unknown) => {
        made = undefined;
        throw error;
      }));
      return discovery.servers();
    },
  };
}

function connectorOf(environment: EnvironmentConfig, options: FleetOptions): Connect {
  const { ssh } = environment;
  return (server: Server, connectOptions: ConnectOptions = {}) => {
    if (server.via === 'local') return Promise.resolve(createLocalTransport({ home: options.home }));
    const user = server.user ?? options.user;
    const agent = ssh.agent === true ? options.sshAuthSock : ssh.agent || undefined;
    if (ssh.agent === true && !agent) return Promise.reject(new ConnectionError('[fleet] [ssh] ssh.agent is true but SSH_AUTH_SOCK is not set: start igor with an ssh-agent, or give ssh.agent the socket path'));
    return createSshTransport({
      host: server.address,
      port: server.port ?? ssh.port,
      user,
      ...(agent ? { agent } : { privateKeyPath: ssh.privateKeyPath ?? join(options.home, '.ssh', 'id_ed25519') }),
      jump: ssh.jump ? parseJump(ssh.jump, user) : undefined,
      knownHosts: ssh.knownHosts,
      hostKeys: options.hostKeys,
      ...(connectOptions.timeoutMs ? { readyTimeoutMs: connectOptions.timeoutMs } : {}),
    });
  };
}
