import type { EnvironmentConfig } from '../../config/schema.js';
import type { Server } from '../types.js';

/**
 * Orders servers the way people count them: by name with numeric collation (web-2 before
 * web-10), then by address. Every cloud discovery returns its servers in this order.
 *
 * @example servers.sort(byName)
 */
export function byName(a: Server, b: Server): number {
  return a.name.localeCompare(b.name, 'en', { numeric: true }) || a.address.localeCompare(b.address);
}

/** A server a cloud listed, and the scope that tells it from another of the same name (zone, resource group, instance id). */
export interface Found {
  server: Server;
  scope: string;
}

/** A cloud server reached over SSH with the environment's settings. */
export function sshServer(environment: EnvironmentConfig, defaultUser: string, found: { name: string; address: string; id?: string | undefined }): Server {
  return {
    name: found.name,
    address: found.address,
    via: 'ssh',
    port: environment.ssh.port,
    user: environment.ssh.user ?? defaultUser,
    // The schema refuses a cloud environment without a path.
    path: environment.path!,
    ...(found.id ? { id: found.id } : {}),
  };
}

/**
 * What a cloud discovery returns: each server with a name of its own, in {@link byName} order.
 * A name that more than one server carries (the same VM name in two zones or resource groups,
 * the instances of one Auto Scaling group) becomes `name.scope`, e.g. `web-1.europe-west1-b`:
 * rollouts, host records and rollbacks tell hosts apart by name.
 */
export function namedServers(found: readonly Found[]): Server[] {
  const counts = new Map<string, number>();
  for (const { server } of found) counts.set(server.name, (counts.get(server.name) ?? 0) + 1);
  return found.map(({ server, scope }) => ((counts.get(server.name) ?? 0) > 1 ? { ...server, name: `${server.name}.${scope}` } : server)).sort(byName);
}
