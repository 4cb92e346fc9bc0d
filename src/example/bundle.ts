import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createExampleRepository } from './repository.js';

/** The port the example app listens on, on each local server's own loopback address. */
export const EXAMPLE_APP_PORT = 4180;

/**
 * What local mode runs with no `igor.yml`: the example app's repository and two local servers
 * (127.0.0.2 and 127.0.0.3) under `dataDir`, created on first use. Returns the config as YAML.
 */
export async function ensureExampleBundle(dataDir: string): Promise<string> {
  const root = join(dataDir, 'example');
  const repo = join(root, 'repo');
  if (!(await access(join(repo, '.git')).then(() => true, () => false))) await createExampleRepository(repo);
  const config = {
    app: 'example',
    repo,
    defaultEnvironment: 'staging',
    channels: { deploys: 'C0DEPLOYS', alerts: 'C0ALERTS' },
    integration: { steps: [{ name: 'unit', run: 'npm test' }], timeout: '2m' },
    environments: {
      staging: {
        servers: {
          local: [
            { name: 'web-1', path: join(root, 'servers', 'web-1'), host: '127.0.0.2' },
            { name: 'web-2', path: join(root, 'servers', 'web-2'), host: '127.0.0.3' },
          ],
        },
        restart: `APP_PORT=${EXAMPLE_APP_PORT} bash scripts/restart.sh`,
        health: { url: `http://{host}:${EXAMPLE_APP_PORT}/health`, interval: '200ms', retries: 25 },
        keepReleases: 3,
      },
    },
  };
  return stringify(config);
}
