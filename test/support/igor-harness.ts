import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { createApp, type AppOptions, type Igor } from '../../src/app.js';
import { createExampleRepository } from '../../src/example/repository.js';
import { cleanHome } from './clean-home.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';
import { startFakeSlackSocket, type FakeSlackSocket } from './fake-slack-socket.js';
import { killPidFiles, killProcessesUnder, startSshFleet, type SshFleet, type SshFleetOptions } from './sshd-fleet.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = 'xoxb-test-token';
export const API_TOKEN = 'test-api-token';
export const ALERTS_TOKEN = 'test-alerts-token';
/** The example app's port on each test host's own loopback address. */
export const APP_PORT = 18_080;

export interface Harness extends Prepared {
  igor: Igor;
  /** Every log line igor wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  eventsUrl: string;
  /** Slack's Socket Mode side, when started with `appToken`. */
  socket?: FakeSlackSocket;
}

/** Everything but igor: repository, hosts, fake Slack, config file. */
export interface Prepared {
  slack: FakeSlack;
  fleet: SshFleet;
  dir: string;
  repo: string;
  /** The sha of `main` in the example repository. */
  sha: string;
  /** Deploy roots of the hosts, by name. */
  hostPaths: Record<string, string>;
  configPath: string;
  dataDir: string;
  /** igor's HOME: empty (see cleanHome). */
  home: string;
  /** Undoes everything, igor included; safe to call after a failure. */
  close(): Promise<void>;
  /** Adds a cleanup that `close()` runs first. */
  onClose(cleanup: () => Promise<void>): void;
}

export interface HarnessOptions {
  hosts?: number;
  /** How the sshd hosts are started (e.g. `ownPath`: a folder of their own at one shared path). */
  fleet?: Omit<SshFleetOptions, 'hosts'>;
  /** Merged into the `integration` section. */
  integration?: Record<string, unknown>;
  /** Merged into the `staging` environment. */
  staging?: Record<string, unknown>;
  /** Extra environments. */
  environments?: Record<string, unknown>;
  /** Merged into the top level of igor.yml (e.g. `alarms`). */
  top?: Record<string, unknown>;
  /** GitHub webhook secret, token and API URL, as `createApp` takes them. */
  github?: AppOptions['github'];
  /** An app-level token (`xapp-…`): igor then uses Socket Mode, connecting to the fake Slack's `socket`. */
  appToken?: string;
  /** IGOR_API_TOKENS, beside IGOR_API_TOKEN (API_TOKEN). */
  apiTokens?: string;
}

/** The real parts around igor: an example app repository, real sshd hosts, the fake Slack Web API, and `igor.yml`. */
export async function prepareHarness(options: HarnessOptions = {}): Promise<Prepared> {
  const dir = await mkdtemp(join(tmpdir(), 'igor-e2e-'));
  const cleanups: Array<() => Promise<void>> = [async () => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => console.error('cleanup failed', error));
  };
  try {
    const home = await cleanHome(dir);
    const repo = join(dir, 'repo');
    const sha = await createExampleRepository(repo);
    const fleet = await startSshFleet({ hosts: options.hosts ?? 2, ...options.fleet });
    cleanups.push(() => fleet.stop());
    const { ownPath } = fleet;
    if (ownPath) {
      cleanups.push(() => killPidFiles(Object.values(ownPath.roots).map((root) => join(root, 'shared', 'app.pid'))));
      cleanups.push(() => killProcessesUnder(fleet.dir));
    }
    const hostPaths = Object.fromEntries(fleet.hosts.map((host) => [host.name, join(dir, 'hosts', host.name)]));
    cleanups.push(() => killPidFiles(Object.values(hostPaths).map((path) => join(path, 'shared', 'app.pid'))));
    cleanups.push(() => killProcessesUnder(join(dir, 'hosts')));
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
      ...options.top,
    };
    const configPath = join(dir, 'igor.yml');
    await writeFile(configPath, stringify(config));

    return { slack, fleet, dir, repo, sha, hostPaths, configPath, dataDir: join(dir, 'data'), home, close, onClose: (cleanup) => void cleanups.push(cleanup) };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * A whole igor against real parts, started in this process through `createApp` in Slack HTTP mode
 * (Socket Mode with `appToken`). `close()` undoes all of it.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const prepared = await prepareHarness(options);
  try {
    const socket = options.appToken ? await startFakeSlackSocket(prepared.slack, { appToken: options.appToken }) : undefined;
    if (socket) prepared.onClose(() => socket.close());
    const { igor, logs } = await startIgor(prepared, options);
    return { ...prepared, igor, logs, eventsUrl: `${igor.url}/slack/events`, ...(socket ? { socket } : {}) };
  } catch (error) {
    await prepared.close();
    throw error;
  }
}

/**
 * One igor on prepared parts, started in this process through `createApp`; `prepared.close()` stops
 * it. Called again on the same parts, it is igor after a restart (the same data dir).
 */
export async function startIgor(prepared: Prepared, options: Pick<HarnessOptions, 'appToken' | 'apiTokens' | 'github'> = {}): Promise<{ igor: Igor; logs: Array<Record<string, unknown>> }> {
  const logs: Array<Record<string, unknown>> = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const igor = await createApp({
    configPath: prepared.configPath,
    dataDir: prepared.dataDir,
    port: 0,
    slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: prepared.slack.url, ...(options.appToken ? { appToken: options.appToken } : {}) },
    apiToken: API_TOKEN,
    ...(options.apiTokens ? { apiTokens: options.apiTokens } : {}),
    alertsToken: ALERTS_TOKEN,
    alarmCheckMs: 200,
    graceMs: 5_000,
    logLevel: 'debug',
    logDestination,
    processEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: prepared.home, USER: userInfo().username },
    ...(options.github ? { github: options.github } : {}),
  });
  // Registered before start, so a start that fails half-way (e.g. in Socket Mode, after the HTTP server listens) is undone too.
  let stopped: Promise<void> | null = null;
  const stop = igor.stop.bind(igor);
  const once = () => (stopped ??= stop());
  prepared.onClose(once);
  await igor.start();
  return { igor: Object.assign(igor, { stop: once }), logs };
}
