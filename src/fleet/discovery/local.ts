import { resolve } from 'node:path';
import type { EnvironmentConfig } from '../../config/schema.js';
import type { Discovery, Server } from '../types.js';

/** The servers of `servers.local`: folders on this machine, no SSH. Relative paths are from `baseDir`. */
export function createLocalDiscovery(environment: EnvironmentConfig, baseDir: string): Discovery {
  const entries = environment.servers.local ?? [];
  return {
    name: 'local',
    async servers(): Promise<Server[]> {
      return entries.map((entry) => ({
        name: entry.name,
        address: entry.host,
        via: 'local',
        path: resolve(baseDir, entry.path),
        ...(entry.health ? { health: entry.health } : {}),
      }));
    },
  };
}
