import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { createApp, type Igor } from '../../src/app.js';
import { createExampleRepository } from '../../src/example/repository.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';
import { killPidFiles, startSshFleet, type SshFleet } from './sshd-fleet.js';

export const SIGNING_SECRET = 'test-signing-secret';
/** The example app's port on each test host's own loopback address. */
export const APP_PORT = 18_080;

export interface Harness {
  igor: Igor;
  slack: FakeSlack;
  fleet: SshFleet;
  dir: string;
  repo: string;
  /** The sha of `main` in the example repository. */
  sha: string;
  /** Deploy roots of the hosts, by name. */
  hostPaths: Record<string, string>;
  /** Every log line igor wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  eventsUrl: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  hosts?: number;
  /** Merged into the `integration` section. */
  integration?: Record<string, unknown>;
  /** Merged into the `staging` environment. */
  staging?: Record<string, unknown>;
  /** Extra environments. */
  environments?: Record<string, unknown>;
}

/**
 * A whole igor against real parts: an example app repository, real sshd hosts, the fake Slack Web
 * API, and igor itself started through `createApp` in Slack HTTP mode. `close()` undoes all of it.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'igor-e2e-'));
  const cleanups: Array<() => Promise<void>> = [async () => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error('cleanup failed', error));
  };
  try {
    const repo = join(dir, 'repo');
    const sha = await createExampleRepository(repo);
    const fleet = await startSshFleet({ hosts: options.hosts ?? 2 });
    cleanups.push(() => fleet.stop());
    const hostPaths = Object.fromEntries(fleet.hosts.map((host) => [host.name, join(dir, 'hosts', host.name)]));
    cleanups.push(() => killPidFiles(Object.values(hostPaths).map((path) => join(path, 'shared', 'app.pid'))));
    const slack = await startFakeSlack();
    cleanups.push(() => slack.close());

    const config = {
      app: 'shop',
      repo,
      defaultEnvironment: 'staging',
      channels: { deploys: 'C0DEPLOYS', alerts: 'C0ALERTS' },
      integration: { steps: [{ name: 'unit', run: 'npm test' }], timeout: '1m', ...options.integration },
      environments: {
        staging: {
          channel: 'C0STAGING',
          servers: { static: fleet.hosts.map((host) => ({ name: host.name, host: host.host, port: host.port, path: hostPaths[host.name] })) },
          ssh: { user: userInfo().username, privateKeyPath: fleet.privateKeyPath },
          restart: `APP_PORT=${APP_PORT} bash scripts/restart.sh`,
          health: { url: `http://{host}:${APP_PORT}/health`, interval: '100ms', retries: 50 },
          ...options.staging,
        },
        ...options.environments,
      },
    };
    const configPath = join(dir, 'igor.yml');
    await writeFile(configPath, stringify(config));

    const logs: Array<Record<string, unknown>> = [];
    const logDestination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const igor = await createApp({
      configPath,
      dataDir: join(dir, 'data'),
      port: 0,
      slack: { botToken: 'xoxb-test-token', signingSecret: SIGNING_SECRET, apiUrl: slack.url },
      apiToken: 'test-api-token',
      graceMs: 5_000,
      logLevel: 'debug',
      logDestination,
      processEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', USER: userInfo().username },
    });
    await igor.start();
    cleanups.push(() => igor.stop());
    return { igor, slack, fleet, dir, repo, sha, hostPaths, logs, eventsUrl: `${igor.url}/slack/events`, close };
  } catch (error) {
    await close();
    throw error;
  }
}
