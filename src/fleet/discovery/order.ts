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

/**
 * Gives each server a name of its own: a name that more than one server carries (the same VM
 * name in two zones or resource groups) becomes `name.scope`, e.g. `web-1.europe-west1-b`.
 */
export function qualifyDuplicates<T extends { name: string; scope: string }>(found: readonly T[]): T[] {
  const counts = new Map<string, number>();
  for (const item of found) counts.set(item.name, (counts.get(item.name) ?? 0) + 1);
  return found.map((item) => ((counts.get(item.name) ?? 0) > 1 ? { ...item, name: `${item.name}.${item.scope}` } : item));
}
