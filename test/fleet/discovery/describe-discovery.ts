// The contract of the Discovery port, written once and run against every discovery: a new one is
// done when it passes. Each harness makes the servers named in its own cloud (or config), and
// cleans up what it started in its hooks, which run even when a test fails.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DiscoveryError } from '../../../src/fleet/discovery/errors.js';
import type { Discovery, Server } from '../../../src/fleet/types.js';

export interface DiscoveryHarness {
  beforeAll?(): Promise<void>;
  afterAll?(): Promise<void>;
  beforeEach?(): Promise<void>;
  afterEach?(): Promise<void>;
  /** A discovery that finds exactly these servers (plus, where the cloud allows, some it must leave out). */
  withServers(names: readonly string[]): Promise<Discovery>;
  /** A discovery that finds nothing. */
  withNone(): Promise<Discovery>;
  /**
   * `by-name` (the default): sorted by name with numeric collation. `as-configured`: the order the
   * user wrote, for static servers, where that order picks the canary and the waves.
   */
  order?: 'by-name' | 'as-configured';
}

const NAMES = ['web-10', 'web-2', 'db-1', 'web-1'];

export function describeDiscovery(name: string, setup: () => DiscoveryHarness): void {
  describe(`${name} discovery (contract)`, () => {
    const harness = setup();
    if (harness.beforeAll) beforeAll(() => harness.beforeAll!());
    if (harness.afterAll) afterAll(() => harness.afterAll!());
    if (harness.beforeEach) beforeEach(() => harness.beforeEach!());
    if (harness.afterEach) afterEach(() => harness.afterEach!());

    it('names itself', async () => {
      const discovery = await harness.withServers(NAMES);
      expect(discovery.name).toBe(name);
    });

    it(harness.order === 'as-configured' ? 'returns the servers in the order configured' : 'returns the servers sorted by name, web-2 before web-10', async () => {
      const servers = await (await harness.withServers(NAMES)).servers();
      const expected = harness.order === 'as-configured' ? NAMES : ['db-1', 'web-1', 'web-2', 'web-10'];
      expect(servers.map((s) => s.name)).toEqual(expected);
    });

    it('gives every server a name, an address, a way in, a port, a user and an absolute path', async () => {
      const servers = await (await harness.withServers(NAMES)).servers();
      expect(servers).toHaveLength(NAMES.length);
      for (const server of servers) expect(problems(server), server.name).toEqual([]);
    });

    it('gives every server a name of its own', async () => {
      const servers = await (await harness.withServers(NAMES)).servers();
      expect(new Set(servers.map((s) => s.name)).size).toBe(servers.length);
    });

    it('throws a DiscoveryError, not an empty list, when it finds nothing', async () => {
      const discovery = await harness.withNone();
      const error = await discovery.servers().then(
        (servers) => servers,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DiscoveryError);
      expect((error as DiscoveryError).message).toMatch(new RegExp(`^\\[fleet\\] \\[${name}\\] `));
    });
  });
}

function problems(server: Server): string[] {
  const found: string[] = [];
  if (!server.name) found.push('no name');
  if (!server.address) found.push('no address');
  if (server.via !== 'ssh' && server.via !== 'local') found.push(`via is ${String(server.via)}`);
  if (server.via === 'ssh') {
    if (!Number.isInteger(server.port) || server.port! < 1 || server.port! > 65535) found.push(`port is ${String(server.port)}`);
    if (!server.user) found.push('no user');
  }
  if (!server.path.startsWith('/')) found.push(`path ${server.path} is not absolute`);
  return found;
}
