import { emptyIgorData, type IgorData } from '../../src/igor-data.js';
/**
 * The GitHub integration between real parts, without the rest of igor: a local example repository,
 * a real express app on 127.0.0.1 with the webhook middleware mounted (and Bolt's `/slack/events`
 * for the Retry button), the real pipeline on local servers, a real `WebClient`-based Chat against
 * the fake Slack, and optionally the fake GitHub REST API for commit statuses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { App as BoltApp, ExpressReceiver } from '@slack/bolt';
import express from 'express';
import pino from 'pino';
import { simpleGit } from 'simple-git';
import { createGithubIntegration, createGithubWebhooks, GITHUB_WEBHOOK_PATH, type GithubIntegration } from '../../src/ci/github-integration.js';
import type { CiRun } from '../../src/ci/types.js';
import { ciRetryButton } from '../../src/chat/interactions.js';
import actionListeners from '../../src/chat/slack/listeners/actions/index.js';
import { createOutbox } from '../../src/chat/outbox/outbox.js';
import type { Chat } from '../../src/chat/port.js';
import { createSlackChat } from '../../src/chat/slack/adapter.js';
import { boltLogger } from '../../src/chat/slack/logger.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { createExampleRepository, writeFiles } from '../../src/example/repository.js';
import { createLocalDiscovery } from '../../src/fleet/discovery/local.js';
import { createLocalTransport } from '../../src/fleet/transport/local.js';
import { finishHttpApp } from '../../src/http/server.js';
import { createMirror } from '../../src/integration/mirror.js';
import { systemClock } from '../../src/shared/clock.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/service.js';
import { openStore, type Store } from '../../src/store/db.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';
import { deliver, pushPayload, type DeliveryOptions, type DeliveryResponse, type PushOptions } from './github-webhooks.js';

export const WEBHOOK_SECRET = 'test-webhook-secret';
export const SIGNING_SECRET = 'test-signing-secret';

export interface CiTestbedOptions {
  /** GITHUB_WEBHOOK_SECRET; `null` for none. */
  secret?: string | null;
  /** Merged into the `integration` section. */
  integration?: Record<string, unknown>;
  /** Replaces the environments (default: `staging` on one local server). */
  environments?: (dir: string) => Record<string, unknown>;
  githubApiUrl?: string;
  githubToken?: string;
  concurrency?: number;
}

export interface CiTestbed {
  dir: string;
  repo: string;
  dataDir: string;
  /** The sha of `main` in the example repository. */
  sha: string;
  url: string;
  webhookUrl: string;
  eventsUrl: string;
  config: Config;
  store: Store<IgorData>;
  pipeline: Pipeline;
  github: GithubIntegration;
  slack: FakeSlack;
  /** Every log line, parsed. */
  logs: Array<Record<string, unknown>>;
  /** Commits `files` on `branch` (made from `main` if new) and returns the sha. */
  commit(branch: string, files: Record<string, string>, subject: string): Promise<string>;
  /** Moves `branch` back one commit (for force pushes). */
  resetBack(branch: string): Promise<string>;
  /** A push of the local repository, signed with the secret. */
  push(options: Omit<PushOptions, 'repo'>, delivery?: DeliveryOptions): Promise<DeliveryResponse>;
  deliver(event: string, payload: unknown, delivery?: DeliveryOptions): Promise<DeliveryResponse>;
  runs(): CiRun[];
  /** Polls until `predicate` gives something truthy; throws naming `what` if the test would time out first. */
  until<T>(predicate: () => T | undefined | null | false, what: string): Promise<T>;
  close(): Promise<void>;
}

export async function startCiTestbed(options: CiTestbedOptions = {}): Promise<CiTestbed> {
  const dir = await mkdtemp(join(tmpdir(), 'igor-ci-'));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => console.error('cleanup failed', error));
  };
  try {
    const repo = join(dir, 'repo');
    const sha = await createExampleRepository(repo);
    const git = simpleGit(repo);
    const dataDir = join(dir, 'data');
    const slack = await startFakeSlack();
    cleanups.push(() => slack.close());

    const logs: Array<Record<string, unknown>> = [];
    const log = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    );
    const config = configSchema.parse({
      app: 'shop',
      repo,
      channels: { deploys: 'C0DEPLOYS' },
      integration: { steps: [{ name: 'unit', run: 'npm test' }], timeout: '2m', ...options.integration },
      environments: options.environments?.(dir) ?? { staging: { servers: { local: [{ name: 'web-1', path: join(dir, 'web-1') }] } } },
    });
    const store = await openStore(join(dataDir, 'db.json'), log, emptyIgorData);
    const mirror = createMirror({ repo, cacheDir: join(dataDir, 'mirrors') });
    const discoveries = Object.fromEntries(Object.entries(config.environments).map(([name, environment]) => [name, createLocalDiscovery(environment, dataDir)]));
    const connectors = Object.fromEntries(Object.keys(config.environments).map((name) => [name, () => Promise.resolve(createLocalTransport({ home: dir }))]));
    const processEnv = { path: process.env.PATH ?? '/usr/bin:/bin', home: dir };
    const pipeline = createPipeline({ config, store, mirror, discoveries, connectors, clock: systemClock, dataDir, ...processEnv, log });
    cleanups.push(() => pipeline.stop(5_000));

    const app = express();
    // As app.ts does it: the integration is made before the chat (read through a getter), and its
    // route is mounted at its path before Bolt and any body parser.
    let chat: Chat | undefined = undefined;
    const outbox = createOutbox({
      store,
      get chat() {
        return chat!;
      },
      log,
    });
    cleanups.push(() => outbox.stop());
    const github = createGithubIntegration({
      config,
      store,
      pipeline,
      mirror,
      outbox,
      log,
      clock: systemClock,
      dataDir,
      githubToken: options.githubToken,
      githubApiUrl: options.githubApiUrl,
      concurrency: options.concurrency,
      ...processEnv,
    });
    cleanups.push(() => github.stop());
    app.use(GITHUB_WEBHOOK_PATH, createGithubWebhooks({ secret: options.secret === null ? undefined : (options.secret ?? WEBHOOK_SECRET), apps: [github.webhookApp], store, log }));
    const receiver = new ExpressReceiver({ signingSecret: SIGNING_SECRET, app, logger: boltLogger(log) });
    const bolt = new BoltApp({ token: 'xoxb-test-token', receiver, clientOptions: { slackApiUrl: slack.url }, logger: boltLogger(log), deferInitialization: true });
    chat = createSlackChat(bolt.client);
    actionListeners.register(bolt, { interactions: new Map([['ci-retry', ciRetryButton(github)]]), chat, log });
    outbox.start();
    finishHttpApp(app, log);
    await bolt.init();

    const server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
      listening.once('error', reject);
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const webhookUrl = `${url}/api/github/webhooks`;
    const secret = options.secret ?? WEBHOOK_SECRET;

    return {
      dir,
      repo,
      dataDir,
      sha,
      url,
      webhookUrl,
      eventsUrl: `${url}/slack/events`,
      config,
      store,
      pipeline,
      github,
      slack,
      logs,
      async commit(branch, files, subject) {
        const branches = await git.branchLocal();
        if (branches.all.includes(branch)) await git.checkout(branch);
        else await git.checkout(['-q', '-b', branch, 'main']);
        await writeFiles(repo, files);
        await git.add('.');
        await git.commit(subject);
        return (await git.revparse(['HEAD'])).trim();
      },
      async resetBack(branch) {
        await git.checkout(branch);
        await git.reset(['--hard', '-q', 'HEAD~1']);
        return (await git.revparse(['HEAD'])).trim();
      },
      push: (push, delivery) => deliver(webhookUrl, secret, 'push', pushPayload({ ...push, repo }), delivery),
      deliver: (event, payload, delivery) => deliver(webhookUrl, secret, event, payload, delivery),
      runs: () => store.data.ci.runs,
      async until<T>(predicate: () => T | undefined | null | false, what: string): Promise<T> {
        for (let attempt = 0; attempt < 2_000; attempt++) {
          const value = predicate();
          if (value) return value;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        throw new Error(`gave up waiting for ${what}; runs: ${JSON.stringify(store.data.ci.runs.map((run) => [run.id, run.branch, run.state, run.reason]))}`);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
