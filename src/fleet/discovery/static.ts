import type { EnvironmentConfig } from '../../config/schema.js';
import type { Discovery, Server } from '../types.js';
import { DiscoveryError } from './errors.js';

/**
 * The servers listed in `servers.static`, in the order written (it picks the canary and the
 * waves), reached over SSH; per-host fields override the environment's.
 */
export function createStaticDiscovery(environment: EnvironmentConfig, defaultUser: string): Discovery {
  const entries = environment.servers.static ?? [];
  return {
    name: 'static',
    async servers(): Promise<Server[]> {
      // The schema refuses an empty list; an environment built another way still gets the typed error.
      if (entries.length === 0) throw new DiscoveryError('[fleet] [static] servers.static lists no servers', { failure: 'none' });
      return entries.map((entry) => ({
        name: entry.name ?? entry.host,
        address: entry.host,
        via: 'ssh',
        port: entry.port ?? environment.ssh.port,
        user: entry.user ?? environment.ssh.user ?? defaultUser,
        // The schema refuses a static server without a path of its own or the environment's.
        path: entry.path ?? environment.path!,
        ...(entry.health ? { health: entry.health } : {}),
      }));
    },
  };
}
