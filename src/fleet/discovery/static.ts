import type { EnvironmentConfig } from '../../config/schema.js';
import type { Discovery, Server } from '../types.js';

/** The servers listed in `servers.static`, reached over SSH; per-host fields override the environment's. */
export function createStaticDiscovery(environment: EnvironmentConfig, defaultUser: string): Discovery {
  const entries = environment.servers.static ?? [];
  return {
    name: 'static',
    async servers(): Promise<Server[]> {
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
