import { access } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { App as BoltApp, SocketModeReceiver } from '@slack/bolt';
import { Router } from 'express';
import type { DestinationStream, Logger } from 'pino';
import { ciAlarms } from './alarms/from-ci.js';
import { deploymentAlarms } from './alarms/from-deployments.js';
import { createMonitor } from './alarms/monitor.js';
import { createAlarms, type Alarms } from './alarms/service.js';
import { createInteractions } from './chat/interactions.js';
import { createAlarmAnnouncer } from './chat/alarm-announcer.js';
import { createAnnouncer } from './chat/announcer.js';
import { createLockAnnouncer } from './chat/lock-announcer.js';
import { createDeployCommand } from './chat/commands/deploy.js';
import { createRollbackCommand } from './chat/commands/rollback.js';
import { createDeploymentPages } from './chat/console/deployment-pages.js';
import { createConsole, createConsoleChat, type LocalConsole } from './chat/console/index.js';
import type { Chat } from './chat/port.js';
import { createSlackChat } from './chat/slack/adapter.js';
import actionListeners from './chat/slack/listeners/actions/index.js';
import commandListeners from './chat/slack/listeners/commands/index.js';
import viewListeners from './chat/slack/listeners/views/index.js';
import eventListeners from './chat/slack/listeners/events/index.js';
import { createHomePublisher, type HomePublisher } from './chat/slack/home-publisher.js';
import { homeEnvironments } from './chat/home/environments.js';
import { homeView, peopleOf } from './chat/home/view.js';
import { createBolt, createDeliveryClient, createLookupClient } from './chat/slack/bolt.js';
import { createSlackDirectory } from './chat/slack/directory.js';
import { createSlackUserGroups } from './chat/slack/user-groups.js';
import { createLocalDirectory, type Directory } from './shared/directory.js';
import { createLocalUserGroups, type UserGroups } from './shared/user-groups.js';
import { createOutbox } from './chat/outbox/outbox.js';
import { createGithubIntegration, createGithubWebhooks, GITHUB_WEBHOOK_PATH, type GithubIntegration } from './ci/github-integration.js';
import { findEnvironment } from './config/environments.js';
import { appNamed, type AppsConfig } from './config/apps.js';
import { ConfigError, loadConfig, parseAppsConfig } from './config/load.js';
import { repositoryKey } from './config/repository-key.js';
import type { Config } from './config/schema.js';
import { ensureExampleBundle } from './example/bundle.js';
import { stopExampleApps } from './example/stop-apps.js';
import { flagsChangedText } from './flags/changed-since.js';
import { createFlags, createFlagsCommand, logFlagsAccess, type Flags } from './flags/index.js';
import { createFleets } from './fleet/environments.js';
import { DEFAULT_GITHUB_API_URL } from './github/client.js';
import { createGithubDeployments } from './github/deployments/mirror.js';
import { routedByApp } from './http/app-routes.js';
import { alarmRoutes } from './http/routes/alarms.js';
import { ciRunRoutes } from './http/routes/ci-runs.js';
import { commandRoutes } from './http/routes/commands.js';
import { deploymentRoutes } from './http/routes/deployments.js';
import { environmentRoutes } from './http/routes/environments.js';
import { rollbackRoutes } from './http/routes/rollback.js';
import { promotionRoutes } from './http/routes/promotions.js';
import { createHttpApp, finishHttpApp } from './http/server.js';
import { ApiTokensError, parseApiTokens, type ApiToken } from './http/api-tokens.js';
import { isLoopback } from './http/auth.js';
import { createMirror, type Mirror } from './integration/mirror.js';
import { createLogger } from './logger.js';
import { systemClock, type Clock } from './shared/clock.js';
import { deploymentOnHost } from './pipeline/queries.js';
import { createPipeline, type Pipeline } from './pipeline/service.js';
import { createPipelines, type Pipelines } from './pipeline/pipelines.js';
import { RefusedError } from './shared/refusal.js';
import { alertmanagerRoutes } from './webhooks/alertmanager/route.js';
import { emptyIgorData, igorStoreOptions, upgradeIgorData } from './igor-data.js';
import { openStore } from './store/db.js';

/**
 * How long `stop()` lets running host operations finish (IGOR_GRACE_PERIOD): a service manager must
 * wait longer than this before it kills igor (deploy/igor.service's TimeoutStopSec).
 */
export const DEFAULT_GRACE_MS = 30_000;

/** How long `stop()` waits for the outbox to send what it holds (Slack may be down: the rest waits in the store). */
const OUTBOX_DRAIN_MS = 3_000;

/** The same for the calls to GitHub's deployments view. */
const GITHUB_DRAIN_MS = 3_000;

export interface AppOptions {
  /** Path of `igor.yml`. In local mode a missing file means the bundled example. */
  configPath: string;
  dataDir: string;
  port: number;
  /** Listen address; default 127.0.0.1 in local mode, 0.0.0.0 with Slack. */
  host?: string;
  publicUrl?: string;
  slack?: { botToken: string; signingSecret?: string; appToken?: string; apiUrl?: string };
  apiToken?: string;
  /** IGOR_API_TOKENS: named tokens, `name:token[:USER]`, comma-separated (see parseApiTokens). */
  apiTokens?: string;
  /** IGOR_FLAGS_TOKEN: when set, `/flags/*` needs it as a bearer token. */
  flagsToken?: string;
  /** IGOR_FLAGS_PUBLIC: serve the flag endpoints to anyone without IGOR_FLAGS_TOKEN, also off this machine. */
  flagsPublic?: boolean;
  /** Bearer token of the Alertmanager webhook. */
  alertsToken?: string;
  /** How often due alarm reminders are looked for; default 5 s. */
  alarmCheckMs?: number;
  /** How long `stop()` lets host operations finish; default {@link DEFAULT_GRACE_MS}. */
  graceMs?: number;
  logLevel?: string;
  logDestination?: DestinationStream;
  /** igor's PATH and HOME, handed to integration steps; the default user for SSH. */
  processEnv: { PATH: string; HOME: string; USER: string; SSH_AUTH_SOCK?: string | undefined };
  /** GitHub webhooks (`GITHUB_WEBHOOK_SECRET`), commit statuses and deployments (`GITHUB_TOKEN`, `GITHUB_API_URL`). */
  github?: { webhookSecret?: string | undefined; token?: string | undefined; apiUrl?: string | undefined };
  clock?: Clock;
}

export interface Igor {
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
  readonly url: string;
  /** Every app igor serves. */
  readonly apps: AppsConfig;
  readonly pipelines: Pipelines;
  /** The default app's config (else the first app's): all there is with one app. */
  readonly config: Config;
  /** The default app's pipeline (else the first app's). */
  readonly pipeline: Pipeline;
  readonly alarms: Alarms;
  readonly chat: Chat;
  readonly log: Logger;
  readonly usesExample: boolean;
}

/**
 * The composition root: reads the config, builds the store, adapters and services (a pipeline,
 * fleets, flags, tests and a monitor per app), and returns the one control surface that `main.ts`,
 * the tests and the HTTP API share.
 */
export async function createApp(options: AppOptions): Promise<Igor> {
  const log = createLogger({ level: options.logLevel ?? 'info', ...(options.logDestination ? { destination: options.logDestination } : {}) });
  const localMode = !options.slack?.botToken;
  const dataDir = resolve(options.dataDir);
  const { apps, usesExample } = await readConfig(options.configPath, dataDir, localMode);
  const several = apps.apps.size > 1;
  /** The app a request naming none is of, or the first: what `igor.config` and `igor.pipeline` show. */
  const mainApp = apps.defaultApp ?? [...apps.apps.keys()][0]!;
  const host = options.host ?? (localMode ? '127.0.0.1' : '0.0.0.0');
  const apiTokens = readApiTokens(options);
  // Listening on loopback, only this machine reaches igor at all.
  const loopbackOnly = isLoopback(host) || host === 'localhost';
  if (!loopbackOnly && apiTokens.length === 0) {
    throw new ConfigError(`IGOR_HOST=${host} is not a loopback address: set IGOR_API_TOKEN (or IGOR_API_TOKENS) to listen there`);
  }
  const clock = options.clock ?? systemClock;
  const store = await openStore(join(dataDir, 'db.json'), log, emptyIgorData, igorStoreOptions);
  // A store of an igor of one app: its records are all of that app, which is the default app now.
  if (upgradeIgorData(store.data, mainApp)) {
    await store.write();
    log.info({ app: mainApp }, 'keyed the records of the store kept per environment by app and environment');
  }
  // Known for sure only once listening (port 0 picks one): whatever links to igor asks for it when it links.
  let publicUrl = options.publicUrl ?? `http://localhost:${options.port}`;
  const hostKeys = {
    get: (id: string) => store.data.hostKeys[id],
    remember: (id: string, fingerprint: string) => {
      store.data.hostKeys[id] = fingerprint;
      void store.write();
    },
  };
  // One mirror per repository, for every app of it and its integration server, so fetches of one repository never overlap.
  const mirrors = new Map<string, Mirror>();
  const mirrorOf = (repo: string) => {
    const key = repositoryKey(repo);
    if (!mirrors.has(key)) mirrors.set(key, createMirror({ repo, cacheDir: join(dataDir, 'mirrors') }));
    return mirrors.get(key)!;
  };

  // The chat comes first: everything below tells people through it. In Slack, the outbox sends through
  // a client that leaves retries to it; without Slack, the console shows the channels.
  const slack = options.slack?.botToken ? options.slack : null;
  // Names and user groups: Slack's (users.info, usergroups.*) with Slack, the config's people and groups without.
  const { people, groups } = apps.apps.get(mainApp)!;
  const lookupClient = slack ? createLookupClient(slack, log) : null;
  const directory: Directory = lookupClient ? createSlackDirectory(lookupClient, clock, log) : createLocalDirectory(people);
  const userGroups: UserGroups = lookupClient ? createSlackUserGroups(lookupClient, clock) : createLocalUserGroups(groups);
  const consoleChat = slack ? null : createConsoleChat(log);
  const chat: Chat = slack ? createSlackChat(createDeliveryClient(slack, log), undefined, directory) : consoleChat!;
  let igorConsole: LocalConsole | null = null;
  // Every message people should see (deployments, alarms, test runs, flags) goes through the outbox.
  const outbox = createOutbox({
    store,
    chat,
    log: log.child({ component: 'outbox' }),
    clock,
  });
  const alarms = createAlarms({ store, clock, log });
  const alarmsOfDeployments = deploymentAlarms(alarms, () => publicUrl);
  // With a token, the deployments of apps whose repo is on GitHub show in GitHub's deployments view.
  const githubToken = options.github?.token;
  const githubDeployments = githubToken
    ? createGithubDeployments({ store, token: githubToken, apiUrl: options.github?.apiUrl || DEFAULT_GITHUB_API_URL, publicUrl: () => publicUrl, log, clock })
    : null;
  const flagsAccess = options.flagsToken ? 'token' : options.flagsPublic || loopbackOnly ? 'open' : 'loopback';
  logFlagsAccess(flagsAccess, options.flagsToken, log);

  /** One app's pipeline, fleets, flags, tests and monitor; the store, outbox and alarms are everyone's. */
  function appStack(config: Config): AppStack {
    const appLog = several ? log.child({ app: config.app }) : log;
    const { discoveries, connectors, artifactStores } = createFleets(config, {
      dataDir,
      sshAuthSock: options.processEnv.SSH_AUTH_SOCK,
      user: options.processEnv.USER,
      home: options.processEnv.HOME,
      hostKeys,
    });
    const mirror = mirrorOf(config.repo);
    const appPrefix = apps.defaultApp === config.app ? '' : `${config.app}/`;
    const pipeline = createPipeline({ config, store, mirror, discoveries, connectors, artifactStores, clock, dataDir, path: options.processEnv.PATH, home: options.processEnv.HOME, log: appLog, appPrefix, userGroups });
    pipeline.on((event) => void alarmsOfDeployments.onEvent(event).catch((error: unknown) => appLog.error({ err: error }, 'could not raise an alarm')));
    githubDeployments?.follow(config, pipeline);
    const monitor = createMonitor({
      config,
      discoveries,
      alarms,
      busy: (environment) => pipeline.lockOf(environment) !== null,
      live: (environment) => {
        const live = pipeline.live(environment);
        return (host) => deploymentOnHost(live, host) ?? live.deployment ?? null;
      },
      log: appLog,
    });
    const flags = createFlags({
      config,
      store,
      outbox,
      discoveries,
      connectors,
      flagsToken: options.flagsToken,
      flagsAccess,
      log: appLog,
      clock,
      named: several,
      userGroups,
    });
    const github = createGithubIntegration({
      config,
      store,
      pipeline,
      mirror,
      outbox,
      log: appLog,
      clock,
      dataDir,
      githubToken: options.github?.token,
      githubApiUrl: options.github?.apiUrl,
      path: options.processEnv.PATH,
      home: options.processEnv.HOME,
    });
    const raiseCiAlarms = ciAlarms(alarms, config);
    github.ci.on((event) => void raiseCiAlarms(event).catch((error: unknown) => appLog.error({ err: error }, 'could not raise an alarm')));
    const announcer = createAnnouncer({ outbox, config, pipeline, publicUrl: () => publicUrl, log: appLog });
    const stopLockAnnouncer = createLockAnnouncer({ outbox, config, pipeline, named: several, log: appLog });
    return { config, pipeline, monitor, flags, github, announcer, stopLockAnnouncer };
  }
  const stacks = new Map([...apps.apps].map(([name, config]) => [name, appStack(config)]));
  const allStacks = [...stacks.values()];
  const stackOf = (app: string | undefined, example?: string) => stacks.get(pipelines.of(app, example).config.app)!;
  const pipelines = createPipelines(apps, new Map(allStacks.map((stack) => [stack.config.app, stack.pipeline])), store);

  /** The app of a test run or a flag change, found by its id among every app's (ids count up across apps). */
  function stackOfRecord(kind: string, id: string, app: string | undefined): AppStack {
    const stack = app === undefined ? undefined : stacks.get(app);
    if (!stack) throw new RefusedError('not-found', `there is no ${kind} ${id}`);
    return stack;
  }
  const ci = { retry: (runId: string, user: string) => stackOfRecord('test run', runId, store.data.ci.runs.find((run) => run.id === runId)?.app).github.retry(runId, user) };
  const flagsOfChange = (changeId: string): Flags => stackOfRecord('flag change', changeId, store.data.flags.history.find((change) => change.id === changeId)?.app).flags;
  const undoFlag = (changeId: string, user: string) => flagsOfChange(changeId).undo(changeId, user);

  const commands = {
    '/deploy': createDeployCommand({ pipelines, log, flagsChangedSince: (app, name, since) => flagsChangedText(stacks.get(app)!.flags.changedSince(name, since)) }).answer,
    '/rollback': createRollbackCommand({ pipelines, log }).answer,
    '/flags': createFlagsCommand({ apps, services: new Map(allStacks.map((stack) => [stack.config.app, stack.flags.service])), log, publicUrl: () => publicUrl }).answer,
  };
  const interactions = createInteractions({ pipelines, alarms, ci, undoFlag });

  // Routes of an app's environments name the app first (`/flags/shop/staging/…`), or mean the default app's.
  const byApp = (routesOf: (stack: AppStack) => Router) => {
    const defaultConfig = apps.defaultApp ? apps.apps.get(apps.defaultApp) : undefined;
    return routedByApp({
      isApp: (name) => stacks.has(name),
      isDefaultEnvironment: (name) => defaultConfig !== undefined && findEnvironment(defaultConfig, name) !== undefined,
      routesOf: (app) => routesOf(stackOf(app)),
    });
  };
  const flagsApi = Router();
  // A change's id is igor-wide: its undo goes to its own app's routes.
  flagsApi.post('/changes/:id/undo', (request, response, next) => flagsOfChange(request.params.id).apiRoutes(request, response, next));
  flagsApi.use(byApp((stack) => stack.flags.apiRoutes));
  const http = createHttpApp({
    apiTokens,
    localMode,
    log,
    ownAuth: {
      '/api/alerts/alertmanager': alertmanagerRoutes({ alarms, token: options.alertsToken, log }),
      [GITHUB_WEBHOOK_PATH]: createGithubWebhooks({ secret: options.github?.webhookSecret, apps: allStacks.map((stack) => stack.github.webhookApp), store, log }),
    },
    api: {
      '/alarms': alarmRoutes(alarms),
      '/flags': flagsApi,
      '/deployments': deploymentRoutes(pipelines, () => publicUrl),
      '/environments': environmentRoutes(() => pipelines.of(undefined)),
      '/apps/:app/environments': environmentRoutes((request) => pipelines.of(String(request.params.app))),
      '/commands': commandRoutes(commands, stackOf(mainApp).config.channels.deploys),
      '/rollback': rollbackRoutes(pipelines, () => publicUrl),
      '/promotions': promotionRoutes(pipelines, () => publicUrl),
      '/ci/runs': ciRunRoutes(new Map(allStacks.map((stack) => [stack.config.app, stack.github.ci])), (name) => appNamed(apps, name)),
    },
  });

  http.use('/flags', byApp((stack) => stack.flags.publicRoutes));
  // The links in messages lead to these pages, with Slack as in local mode.
  const deploymentPages = createDeploymentPages({ pipelines, apiTokens, localMode, publicUrl: () => publicUrl, withConsole: !options.slack?.botToken, directory });
  http.use('/', deploymentPages.router);
  let bolt: BoltApp | null = null;
  let socketMode: SocketModeReceiver | null = null;
  let home: HomePublisher | null = null;
  const stopHome: Array<() => void> = [];
  if (slack) {
    ({ app: bolt, socketMode } = createBolt(slack, http, log));
    commandListeners.register(bolt, { commands, log });
    // The Home tab: published when opened, and again (debounced) when a deployment, a lock or an alarm changes.
    const homePublisher = createHomePublisher({
      client: lookupClient!,
      clock,
      log,
      render: async () => {
        const environments = homeEnvironments(pipelines, alarms);
        await directory.load(peopleOf(environments));
        return homeView(environments, { directory, now: clock.now(), silencedUntil: (alarm) => alarms.silencedUntil(alarm.key) });
      },
    });
    home = homePublisher;
    // Ephemeral answers to the person who pressed a button go straight through Bolt's client, as
    // their response cannot wait for the outbox.
    actionListeners.register(bolt, { interactions, chat: createSlackChat(bolt.client), log, home: homePublisher });
    viewListeners.register(bolt, { interactions, chat: createSlackChat(bolt.client), log });
    eventListeners.register(bolt, { home: homePublisher, log });
    for (const stack of allStacks) stopHome.push(stack.pipeline.on(() => homePublisher.changed()), stack.pipeline.onLock(() => homePublisher.changed()));
    stopHome.push(alarms.on(() => homePublisher.changed()));
    bolt.error(async (error) => {
      log.error({ err: error }, 'a Slack listener failed');
    });
  } else {
    igorConsole = createConsole({ chat: consoleChat!, apps, alarms, commands, interactions, log, apiTokens, localMode, directory });
    http.use('/', igorConsole.router);
  }
  finishHttpApp(http, log);
  const alarmAnnouncer = createAlarmAnnouncer({ outbox, apps, alarms, log, userGroups, ...(options.alarmCheckMs ? { checkEveryMs: options.alarmCheckMs } : {}) });

  let server: HttpServer | null = null;
  let url = '';
  const stopPipelines = (graceMs: number) => Promise.all(allStacks.map((stack) => stack.pipeline.stop(graceMs)));
  return {
    apps,
    pipelines,
    config: stackOf(mainApp).config,
    pipeline: stackOf(mainApp).pipeline,
    alarms,
    chat,
    log,
    usesExample,
    get url() {
      return url;
    },
    async start() {
      if (bolt) {
        try {
          await bolt.init();
        } catch (error) {
          throw new ConfigError(`Slack refused SLACK_BOT_TOKEN (auth.test: ${(error as Error).message})`, { cause: error });
        }
      }
      outbox.start();
      const stranded = new Set<unknown>();
      for (const stack of allStacks) for (const deployment of await stack.pipeline.recover()) stranded.add(deployment);
      for (const stack of allStacks) await stack.github.start();
      server = await new Promise<HttpServer>((resolveServer, reject) => {
        const listening = http.listen(options.port, host, () => resolveServer(listening));
        listening.once('error', reject);
      });
      const port = (server.address() as AddressInfo).port;
      url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
      if (!options.publicUrl) publicUrl = `http://localhost:${port}`;
      // After the URL is known: the alarms link to the deployment's page. The stranded ones raised theirs as they were interrupted.
      const caughtUp = await alarmsOfDeployments.catchUp(store.data.deployments.filter((deployment) => !stranded.has(deployment)), clock.now());
      if (caughtUp.length) log.warn({ alarms: caughtUp.map((alarm) => alarm.id) }, 'raised the alarms of deployments that finished while igor was being stopped');
      await githubDeployments?.start();
      if (bolt && socketMode) await bolt.start();
      alarmAnnouncer.start();
      for (const stack of allStacks) stack.monitor.start();
      log.info({ url, mode: localMode ? 'local' : options.slack?.appToken ? 'slack-socket' : 'slack-http', config: usesExample ? 'bundled example' : options.configPath, apps: [...apps.apps.keys()] }, 'igor is listening');
      if (igorConsole) {
        const hint = `${usesExample ? ' and type /deploy main to staging (or /deploy worker/main to staging)' : ''}${apiTokens.length ? ' (it asks for IGOR_API_TOKEN)' : ''}`;
        log.info({ console: `${url}/` }, `the console is at ${url}/ : open it in a browser${hint}`);
      }
      return { url };
    },
    async stop() {
      for (const stack of allStacks) stack.monitor.stop();
      for (const stack of allStacks) await stack.github.stop();
      // Not bolt.stop(): it returns before the socket is closed, and the client's disconnect() waits for that.
      await socketMode?.client.disconnect();
      if (server) {
        const closing = new Promise<void>((done) => server!.close(() => done()));
        server.closeIdleConnections();
        await stopPipelines(options.graceMs ?? DEFAULT_GRACE_MS);
        server.closeAllConnections();
        await closing;
      } else {
        await stopPipelines(options.graceMs ?? DEFAULT_GRACE_MS);
      }
      // The bundled example's apps were started by igor's deployments, detached: they end with it.
      if (usesExample) {
        for (const stack of allStacks) await stopExampleApps(stack.config, log).catch((error: unknown) => log.error({ err: error }, 'could not stop the example apps'));
      }
      for (const stack of allStacks) {
        stack.announcer.flush();
        stack.announcer.stop();
        stack.stopLockAnnouncer();
      }
      await alarmAnnouncer.stop();
      for (const stop of stopHome.splice(0)) stop();
      await home?.stop();
      for (const stack of allStacks) await stack.flags.flush();
      await githubDeployments?.stop(GITHUB_DRAIN_MS);
      // A little time to send what waits; the rest stays in the store for the next start.
      await outbox.drain(OUTBOX_DRAIN_MS);
      await outbox.stop();
      igorConsole?.close();
      deploymentPages.close();
      await store.write();
      log.info('igor stopped');
    },
  };
}

/** What igor runs for one app. */
interface AppStack {
  config: Config;
  pipeline: Pipeline;
  monitor: ReturnType<typeof createMonitor>;
  flags: Flags;
  github: GithubIntegration;
  announcer: ReturnType<typeof createAnnouncer>;
  stopLockAnnouncer: () => void;
}
function readApiTokens(options: AppOptions): ApiToken[] {
  try {
    return parseApiTokens(options.apiToken, options.apiTokens);
  } catch (error) {
    if (error instanceof ApiTokensError) throw new ConfigError(error.message, { cause: error });
    throw error;
  }
}

async function readConfig(configPath: string, dataDir: string, localMode: boolean): Promise<{ apps: AppsConfig; usesExample: boolean }> {
  const exists = await access(configPath).then(
    () => true,
    () => false,
  );
  if (exists || !localMode) return { apps: await loadConfig(configPath), usesExample: false };
  return { apps: parseAppsConfig(await ensureExampleBundle(dataDir), 'the bundled example'), usesExample: true };
}

