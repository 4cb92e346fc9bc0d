// An environment as igor.yml would give it: `servers.<kind>` with `path: /srv/shop` and optional `ssh`,
// parsed by the real schema so defaults and refinements apply.
import { configSchema, type EnvironmentConfig } from '../../src/config/schema.js';

export function environmentWith(kind: 'ec2' | 'gce' | 'azure' | 'static', servers: unknown, ssh?: Record<string, unknown>): EnvironmentConfig {
  const config = configSchema.parse({
    app: 'shop',
    repo: 'https://github.com/acme/shop.git',
    channels: { deploys: 'C0DEPLOYS' },
    environments: { production: { servers: { [kind]: servers }, path: '/srv/shop', ...(ssh ? { ssh } : {}) } },
  });
  return config.environments.production!;
}
