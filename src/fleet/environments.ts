import { join } from 'node:path';
import type { Config, EnvironmentConfig } from '../config/schema.js';
import { dictionary } from '../shared/names.js';
import { createAzureDiscovery } from './discovery/azure.js';
import { createEc2Discovery } from './discovery/ec2.js';
import { createGceDiscovery } from './discovery/gce.js';
import { createLocalDiscovery } from './discovery/local.js';
import { createStaticDiscovery } from './discovery/static.js';
import type { HostKeyStore } from './transport/host-keys.js';
import { createLocalTransport } from './transport/local.js';
import { createSshTransport } from './transport/ssh.js';
import type { Connect, Discovery, Server } from './types.js';

export interface FleetOptions {
  /** Where local servers keep their folders. */
  dataDir: string;
  /** igor's own user and home: the default SSH user, and where `~/.ssh/id_ed25519` is. */
  user: string;
  home: string;
  /** Host keys trusted on first use (the store). */
  hostKeys: HostKeyStore;
}

/**
 * Per environment, how its servers are found (`servers.local`, `servers.ec2`, `servers.gce`, `servers.azure` or `servers.static`)
 * and how each is reached (on this machine, or over SSH with the environment's `ssh` settings).
 */
export function createFleets(config: Config, options: FleetOptions): { discoveries: Record<string, Discovery>; connectors: Record<string, Connect> } {
  const discoveries = dictionary<Discovery>();
  const connectors = dictionary<Connect>();
  for (const [name, environment] of Object.entries(config.environments)) {
    discoveries[name] = discoveryOf(environment, options);
    connectors[name] = connectorOf(environment, options);
  }
  return { discoveries, connectors };
}

function discoveryOf(environment: EnvironmentConfig, options: FleetOptions): Discovery {
  if (environment.servers.local) return createLocalDiscovery(environment, options.dataDir);
  if (environment.servers.ec2) return createEc2Discovery({ environment, defaultUser: options.user });
  if (environment.servers.gce) return createGceDiscovery({ environment, defaultUser: options.user });
  if (environment.servers.azure) return createAzureDiscovery({ environment, defaultUser: options.user });
  return createStaticDiscovery(environment, options.user);
}

function connectorOf(environment: EnvironmentConfig, options: FleetOptions): Connect {
  return (server: Server) => {
    if (server.via === 'local') return Promise.resolve(createLocalTransport());
    return createSshTransport({
      host: server.address,
      port: server.port ?? environment.ssh.port,
      user: server.user ?? options.user,
      privateKeyPath: environment.ssh.privateKeyPath ?? join(options.home, '.ssh', 'id_ed25519'),
      knownHosts: environment.ssh.knownHosts,
      hostKeys: options.hostKeys,
    });
  };
}
