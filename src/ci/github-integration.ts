import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Outbox } from '../chat/outbox/outbox.js';
import type { Config } from '../config/schema.js';
import type { Mirror } from '../integration/mirror.js';
import type { Clock } from '../shared/clock.js';
import type { Pipeline } from '../pipeline/service.js';
import type { CiSlice } from './types.js';
import type { Store } from '../store/db.js';
import { createDeliveries } from '../webhooks/github/deliveries.js';
import { GITHUB_HANDLERS } from '../webhooks/github/handlers.js';
import { githubWebhookRoutes } from '../webhooks/github/route.js';
import { createCiAnnouncer } from './announcer.js';
import { createAutoDeploy } from './auto-deploy.js';
import { createCommitStatuses } from './commit-status.js';
import { DEFAULT_GITHUB_API_URL } from '../github/client.js';
import { createIntegrationServer, type IntegrationServer } from './server.js';
import { reportCommitStatuses } from './status-reporter.js';
import type { CiRun } from './types.js';
import type { WebhookApp } from '../webhooks/github/types.js';

export const GITHUB_WEBHOOK_PATH = '/api/github/webhooks';

export interface GithubIntegrationOptions {
  config: Config;
  store: Store<CiSlice>;
  pipeline: Pipeline;
  /** The same mirror as the pipeline's, so fetches of one repository never overlap. */
  mirror: Mirror;
  /** Every message to the chat goes through it. */
  outbox: Outbox;
  log: Logger;
  clock: Clock;
  dataDir: string;
  /** `GITHUB_TOKEN`; unset means no commit statuses. */
  githubToken?: string | undefined;
  /** `GITHUB_API_URL`, default `https://api.github.com` (GitHub Enterprise: `https://HOST/api/v3`). */
  githubApiUrl?: string | undefined;
  /** igor's PATH and HOME, handed to the integration steps. */
  path: string;
  home: string;
  /** Test runs at once; default 1. */
  concurrency?: number;
}

export interface GithubIntegration {
  /** What the webhooks route needs of this app: its config and integration server. */
  readonly webhookApp: WebhookApp;
  /** The integration server itself: its runs (`list`, `get`) for status pages and tests. */
  readonly ci: IntegrationServer;
  /** The Retry button of a failed test run; throws `RefusedError` for an unknown or unfinished run. */
  retry(runId: string, user: string): Promise<CiRun>;
  /**
   * After the pipeline's recovery at start-up: requests the tested commits that were waiting for a
   * busy environment when igor stopped, so a restart loses none of them.
   */
  start(): Promise<void>;
  /** Stops taking pushes, stops running tests (queued again at the next start), flushes chat and statuses. */
  stop(): Promise<void>;
}

/**
 * One app's integration server behind GitHub's webhooks: every push to a branch of `config.repo` is
 * tested, failures and fixes are told in the deploys channel, the verdict is set as the commit's
 * status on GitHub (with a token), and `autoDeploy` branches are deployed once their tests pass.
 * @example
 *   const github = createGithubIntegration({ config, store, pipeline, mirror, outbox, log, clock, dataDir,
 *     githubToken: env.GITHUB_TOKEN, githubApiUrl: env.GITHUB_API_URL, path: env.PATH, home: env.HOME });
 *   app.use(GITHUB_WEBHOOK_PATH, createGithubWebhooks({ secret: env.GITHUB_WEBHOOK_SECRET, apps: [github.webhookApp], store, log }));
 */
export function createGithubIntegration(options: GithubIntegrationOptions): GithubIntegration {
  const { config, store, log } = options;
  const server = createIntegrationServer({
    config,
    store,
    mirror: options.mirror,
    clock: options.clock,
    log,
    dataDir: options.dataDir,
    path: options.path,
    home: options.home,
    concurrency: options.concurrency,
  });
  const announcer = createCiAnnouncer({
    server,
    outbox: options.outbox,
    channel: config.channels.deploys,
    app: config.app,
    store,
    log,
  });
  const statuses = options.githubToken
    ? reportCommitStatuses(server, createCommitStatuses({ token: options.githubToken, baseUrl: options.githubApiUrl || DEFAULT_GITHUB_API_URL, log }))
    : null;
  const autoDeploy = createAutoDeploy({
    config,
    mirror: options.mirror,
    store,
    pipeline: options.pipeline,
    server,
    outbox: options.outbox,
    log,
  });
  return {
    webhookApp: { config, ci: server },
    ci: server,
    retry: (runId, user) => server.retry(runId, user),
    start: () => autoDeploy.resume(),
    async stop() {
      autoDeploy.stop();
      await server.stop();
      await statuses?.flush();
      statuses?.stop();
      await announcer.flush();
      announcer.stop();
    },
  };
}

/**
 * `POST /api/github/webhooks` for every app: each push goes to the apps whose `repo` it is. Mount
 * at {@link GITHUB_WEBHOOK_PATH} before `/api` and its token check and before any body parser
 * (`ownAuth` of `createHttpApp`). Without `secret` (`GITHUB_WEBHOOK_SECRET`) every delivery is refused with 503.
 */
export function createGithubWebhooks(options: { secret: string | undefined; apps: readonly WebhookApp[]; store: Store<CiSlice>; log: Logger }): Router {
  if (!options.secret) options.log.info('GITHUB_WEBHOOK_SECRET is not set: GitHub webhooks are refused, and pushes are not tested');
  return githubWebhookRoutes({
    secret: options.secret,
    handlers: GITHUB_HANDLERS,
    context: { apps: options.apps, log: options.log.child({ component: 'github-webhooks' }) },
    deliveries: createDeliveries(options.store),
    log: options.log,
  });
}
