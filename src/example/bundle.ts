import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { quote } from 'shell-quote';
import { exampleNodePath } from './app-files.js';
import { createExampleRepository } from './repository.js';
import { exampleWorkerFiles } from './worker-files.js';

/** The port the example app listens on, on each local server's own loopback address. */
export const EXAMPLE_APP_PORT = 4180;

/** The example's people, for the console's "act as": Alice and Bob approve production, Carol only deploys there. */
export const EXAMPLE_USERS = { alice: 'U0ALICE', bob: 'U0BOB', carol: 'U0CAROL' } as const;

/**
 * What local mode runs with no `igor.yml`: two apps, each with its repository, and their local
 * servers under `dataDir`, created on first use. Returns the config as YAML (the `apps:` form).
 * - `example` (the default app, so `/deploy main to staging` is its):
 *   - `staging`: anyone deploys, automatic approval, two servers (127.0.0.2 and 127.0.0.3).
 *   - `production`: Alice, Bob and Carol deploy; Alice or Bob approves, never their own request; a
 *     canary of one server bakes, then the rest follows (127.0.0.4 and 127.0.0.5).
 * - `worker` (`/deploy worker/main to staging`): one environment, `staging`, one server (127.0.0.6).
 *
 * `appPort` is the example app's port on every server, the worker's is the next one (tests running
 * beside another igor pick another).
 */
export async function ensureExampleBundle(dataDir: string, appPort: number = EXAMPLE_APP_PORT): Promise<string> {
  const root = join(dataDir, 'example');
  const repo = join(root, 'repo');
  const workerRepo = join(root, 'worker-repo');
  if (!(await hasRepository(repo))) await createExampleRepository(repo);
  if (!(await hasRepository(workerRepo))) await createExampleRepository(workerRepo, exampleWorkerFiles());
  const app = {
    // NODE_PATH reaches igor's prom-client, so the app serves /metrics with no npm install of its own.
    restart: `APP_PORT=${appPort} NODE_PATH=${quote([exampleNodePath()])} bash scripts/restart.sh`,
    // The answer must name the release's commit: another process on the port (an old release that
    // did not stop) answering 200 is not this release being healthy.
    health: { url: `http://{host}:${appPort}/health`, interval: '200ms', retries: 25, expectBody: '"revision":"{sha}"' },
    keepReleases: 3,
  };
  const workerPort = appPort + 1;
  const { alice, bob, carol } = EXAMPLE_USERS;
  const config = {
    defaultApp: 'example',
    channels: { deploys: 'C0DEPLOYS', alerts: 'C0ALERTS' },
    // The console shows people by these names (with Slack, users.info says).
    people: { [alice]: 'Alice', [bob]: 'Bob', [carol]: 'Carol' },
    apps: {
      example: {
        repo,
        defaultEnvironment: 'staging',
        integration: { steps: [{ name: 'unit', run: 'npm test' }], timeout: '2m' },
        environments: {
          staging: {
            servers: {
              local: [
                { name: 'web-1', path: join(root, 'servers', 'web-1'), host: '127.0.0.2' },
                { name: 'web-2', path: join(root, 'servers', 'web-2'), host: '127.0.0.3' },
              ],
            },
            ...app,
          },
          production: {
            deployers: [alice, bob, carol],
            approval: { mode: 'required', approvers: [alice, bob], allowSelfApproval: false, expiresAfter: '30m' },
            servers: {
              local: [
                { name: 'prod-1', path: join(root, 'servers', 'prod-1'), host: '127.0.0.4' },
                { name: 'prod-2', path: join(root, 'servers', 'prod-2'), host: '127.0.0.5' },
              ],
            },
            ...app,
            strategy: { canary: { servers: 1, bake: '5s', promote: 'auto' }, waves: ['100%'] },
            // Only what runs on staging goes out: `/deploy promote staging to production`.
            requires: ['staging'],
          },
        },
      },
      worker: {
        repo: workerRepo,
        integration: { steps: [{ name: 'unit', run: 'npm test' }], timeout: '2m' },
        environments: {
          staging: {
            servers: { local: [{ name: 'worker-1', path: join(root, 'servers', 'worker-1'), host: '127.0.0.6' }] },
            restart: `WORKER_PORT=${workerPort} bash scripts/restart.sh`,
            health: { url: `http://{host}:${workerPort}/health`, interval: '200ms', retries: 25, expectBody: '"revision":"{sha}"' },
            keepReleases: 3,
          },
        },
      },
    },
  };
  return stringify(config);
}

const hasRepository = (dir: string) => access(join(dir, '.git')).then(() => true, () => false);
