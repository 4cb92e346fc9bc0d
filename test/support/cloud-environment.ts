// An environment as igor.yml would give it: `servers.<kind>` with `path: /srv/shop` and optional `ssh`,
// parsed by the real schema so defaults and refinements apply.
import { expect } from 'vitest';
import { configSchema, type EnvironmentConfig } from '../../src/config/schema.js';
import { DiscoveryError } from '../../src/fleet/discovery/errors.js';

export function environmentWith(kind: 'ec2' | 'gce' | 'azure' | 'static', servers: unknown, ssh?: Record<string, unknown>): EnvironmentConfig {
  const config = configSchema.parse({
    app: 'shop',
    repo: 'https://github.com/acme/shop.git',
    channels: { deploys: 'C0DEPLOYS' },
    environments: { production: { servers: { [kind]: servers }, path: '/srv/shop', ...(ssh ? { ssh } : {}) } },
  });
  return config.environments.production!;
}

/** The DiscoveryError a discovery's `servers()` rejects with (the test fails if it resolves, or rejects with anything else). */
export async function discoveryFailure(discovery: { servers(): Promise<unknown> }): Promise<DiscoveryError> {
  const error = await discovery.servers().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiscoveryError);
  return error as DiscoveryError;
}
