import { join } from 'node:path';
import { environmentName as resolveEnvironment } from '../config/environments.js';
import type { Config } from '../config/schema.js';
import { InvalidRefError, checkRef } from '../integration/refs.js';
import { vouchesFor, type TestEvidence } from '../integration/evidence.js';
import { integrationStepNames } from '../integration/runner.js';
import type { PipelineData } from './store-data.js';
import type { Store } from '../store/db.js';
import { createDecisions } from './decisions.js';
import { createLocks } from './locks.js';
import { EnvironmentBusyError } from './errors.js';
import { createQueue } from './queue.js';
import { breakFreeze, breakGlassReason, breakGlassRefusal } from './break-glass.js';
import { RefusedError } from '../shared/refusal.js';
import { pruneOldest } from '../shared/history.js';
import { nearest } from '../shared/nearest.js';
import { createPipelineEvents, type PipelineListener } from './events.js';
import { createExecutor, type ExecutorOptions } from './execute.js';
import { requireDeployerOf } from './policy.js';
import { membersOf } from './members.js';
import { createLocalUserGroups } from '../shared/user-groups.js';
import { createRecorder } from './records.js';
import { isRetryable, liveOn, newestFirst, ofApp, rolledBackBy, type Live } from './queries.js';
import { createHostReadings } from './host-readings.js';
import { rollbackTarget } from './rollback-target.js';
import { createRuns } from './runs.js';
import { ACTIVE } from './states.js';
import type { Deployment, StepRecord, Waiting } from './types.js';
import { viaOf, type Actor } from '../shared/actor.js';
import { code, phrase, time, user as person } from '../shared/phrase.js';
import { scopeKey } from '../shared/scope.js';
import { requireGates } from './gates.js';
import { promotionSource } from './promotion.js';

export interface PipelineOptions extends Omit<ExecutorOptions, 'recorder' | 'events' | 'decisions'> {
  store: Store<PipelineData>;
  /** How people name this app before a ref or an environment in a command (`billing/`); '' (the default) for the default app. */
  appPrefix?: string;
}

export interface DeployRequest {
  ref: string;
  environment?: string | undefined;
  /** Who asks, and through what. */
  actor: Actor;
  /** The deployment this request retries. */
  retryOf?: string;
  /** Deploy exactly this commit (already tested elsewhere) under the name `ref`, e.g. a pushed branch. */
  sha?: string;
  /** A setting that authorises the request in place of `deployers` (autoDeploy). */
  authorizedBy?: string;
  /** Where the commit's integration steps passed already: used, instead of running them again, when it vouches for the commit under today's settings. */
  tested?: TestEvidence | null;
  /** When the environment is busy, wait in its queue instead of being refused (the `Queue` button, the API's `queue: true`). */
  queue?: boolean;
  /** During a freeze, start anyway for this reason (`--break-glass "reason"`): approvers only, audited and announced. */
  breakGlass?: string;
}

/** How many finished deployments the store keeps. */
const HISTORY_LIMIT = 500;

/**
 * The deployment pipeline: takes requests, holds one lock per environment, runs each deployment
 * in the background and records every step. Knows nothing of Slack, SSH or AWS.
 */
export function createPipeline(options: PipelineOptions) {
  const { config, store, mirror, clock, log } = options;
  const events = createPipelineEvents();
  const recorder = createRecorder(store, events, clock);
  const runs = createRuns();
  const decisions = createDecisions({ ...options, recorder, runs, events });
  const execute = createExecutor({ ...options, recorder, events, decisions });
  const userGroups = options.userGroups ?? createLocalUserGroups(config.groups);
  const locks = createLocks({ config, store, clock, log, userGroups });
  const hostReadings = createHostReadings(options);
  const queue = createQueue({ config, store, mirror, locks, recorder, events, clock, log, run: (deployment) => start(deployment), admitOnStart });
  // A deployment that ends, or a lock lifted, may let the next one in line start.
  events.on((event) => {
    if (event.type === 'finished' && ours(event.deployment)) void queue.look(event.deployment.environment);
  });
  locks.on((event) => {
    if (event.type === 'unlocked') void queue.look(event.lock.environment);
  });

  const environmentName = (requested: string | undefined) => resolveEnvironment(config, requested);
  /** This app's deployments (the store holds every app's). */
  const ours = (deployment: Deployment) => deployment.app === config.app;

  /**
   * The checks every deployment and rollback passes first: who asks (the rule's user groups asked
   * for first), then a person's lock and a running deployment. Resolves to the synchronous check
   * of the locks, which the caller runs right before it reserves the environment: with no await in
   * between, two requests cannot both find it free.
   */
  async function admit(environment: string, user: string, action: string, authorizedBy?: string): Promise<() => void> {
    if (!authorizedBy) await requireDeployerOf(userGroups, environment, config.environments[environment]!, user, action);
    locks.checkFree(environment);
    return () => locks.checkFree(environment);
  }

  /** `environments.<env>.requires`: refused unless the commit is live and healthy where it must be first. */
  function checkGates(environment: string, sha: string, ref: string): void {
    requireGates({
      history: ofApp(store.data.deployments, config.app),
      badReleases: (name) => store.data.badReleases[scopeKey(config.app, name)] ?? {},
      target: environment,
      requirement: config.environments[environment]!.requires,
      sha,
      ref,
      now: clock.now(),
      appPrefix: options.appPrefix ?? '',
    });
  }

  /**
   * What a queued deployment is asked when its turn comes: its gates, for the commit its ref is now;
   * and a promotion, that its target does not run its release already (one queued before it may
   * have shipped it, and unpacking the live folder again would pull it from under the app).
   */
  function admitOnStart(deployment: Deployment, sha: string): void {
    checkGates(deployment.environment, sha, deployment.ref);
    if (deployment.promotedFrom && liveOn(ofApp(store.data.deployments, config.app), deployment.environment).release === deployment.release) {
      throw new RefusedError('conflict', phrase`${deployment.environment} runs release ${code(deployment.release!)} already: there is nothing to promote`);
    }
  }

  async function request(input: DeployRequest): Promise<Deployment> {
    const environment = environmentName(input.environment);
    try {
      checkRef(input.ref);
    } catch (error) {
      if (error instanceof InvalidRefError) throw new RefusedError('bad-input', error.message, { cause: error });
      throw error;
    }
    if (!input.authorizedBy) await requireDeployerOf(userGroups, environment, config.environments[environment]!, input.actor.user, 'deploy to');
    const freeze = queue.freezeOf(environment);
    if (freeze) {
      // Refused before anything is created: a refusal creates no deployment.
      if (input.breakGlass !== undefined) {
        const refusal = breakGlassRefusal(environment, config.environments[environment]!, await membersOf(userGroups, config.environments[environment]!, input.actor.user), input.actor.user);
        if (refusal) throw new RefusedError('forbidden', refusal);
        breakGlassReason(input.breakGlass);
      }
      const deployment = await enqueue(input, environment, { frozenUntil: freeze.end.toISOString(), freezeReason: freeze.reason });
      if (input.breakGlass !== undefined) await deployAnyway(deployment.id, input.actor, input.breakGlass);
      return deployment;
    }
    try {
      locks.checkFree(environment);
    } catch (error) {
      if (!(error instanceof EnvironmentBusyError)) throw error;
      if (input.queue) return enqueue(input, environment, { frozenUntil: null, freezeReason: null });
      throw new EnvironmentBusyError(error.lock, { app: config.app, environment, ref: input.ref });
    }
    const since = clock.now().toISOString();
    const deployment = await locks.whileReserved({ environment, deploymentId: '(starting)', ref: input.ref, user: input.actor.user, since }, async () => {
      const sha = await resolveRef(input);
      checkGates(environment, sha, input.ref);
      const stepNames = integrationStepNames(config.integration);
      const testedIn = input.tested && vouchesFor(input.tested, sha, config.integration, stepNames) ? input.tested : null;
      return create({
        kind: 'deploy',
        environment,
        ref: input.ref,
        sha,
        actor: input.actor,
        since,
        steps: [...stepNames, 'deploy', 'verify'],
        extra: { retryOf: input.retryOf ?? null, ...(testedIn ? { testedIn } : {}) },
      });
    });
    start(deployment);
    return deployment;
  }

  /** The commit a request's ref (or sha) is now, fetched first; refused with the nearest ref when there is none. */
  async function resolveRef(input: Pick<DeployRequest, 'ref' | 'sha'>): Promise<string> {
    await mirror.fetch();
    const sha = await mirror.resolve(input.sha ?? input.ref);
    if (sha) return sha;
    const guess = input.sha ? undefined : nearest(input.ref, await mirror.refNames());
    throw new RefusedError('not-found', phrase`${code(input.sha ?? input.ref)} is not a branch, tag or commit of the repository${guess ? phrase` (did you mean ${code(guess)}?)` : ''}`);
  }

  /**
   * A deploy that waits in the environment's queue (busy, or frozen): its ref and gates are checked
   * now, and the ref resolved again to its commit when it starts; nothing of it runs before.
   */
  async function enqueue(input: DeployRequest, environment: string, freeze: Pick<Waiting, 'frozenUntil' | 'freezeReason'>): Promise<Deployment> {
    const sha = await resolveRef(input);
    // A refusal creates no deployment: the gates are asked now, and again when it starts.
    checkGates(environment, sha, input.ref);
    return queued(
      { kind: 'deploy', environment, ref: input.ref, sha: input.sha ?? null, actor: input.actor, steps: [...integrationStepNames(config.integration), 'deploy', 'verify'], extra: { retryOf: input.retryOf ?? null } },
      { ...freeze, authorizedBy: input.authorizedBy ?? null, tested: input.tested ?? null },
    );
  }

  /** Creates a deployment in state `queued` that waits in its environment's queue. */
  async function queued(entry: Omit<Parameters<typeof create>[0], 'since'>, waiting: Omit<Waiting, 'since' | 'breakGlass'>): Promise<Deployment> {
    const since = clock.now().toISOString();
    const deployment = await create({ ...entry, since, extra: { ...entry.extra, waiting: { since, breakGlass: null, ...waiting } } });
    await queue.added(deployment);
    return deployment;
  }

  /**
   * `Deploy anyway`: an approver starts a deployment queued by a freeze, now (or as soon as the
   * environment is free), saying why; audited, and announced in the alerts channel.
   */
  async function deployAnyway(id: string, actor: Actor, reason: string | undefined): Promise<Deployment> {
    const deployment = found(id);
    const members = await membersOf(userGroups, config.environments[deployment.environment]!, actor.user);
    const { frozenUntil, freezeReason } = deployment.waiting ?? { frozenUntil: null, freezeReason: null };
    try {
      breakFreeze(deployment, config.environments[deployment.environment]!, members, actor, reason, clock.now().toISOString());
    } catch (error) {
      await recorder.changed(deployment);
      throw error;
    }
    const glass = deployment.waiting!.breakGlass!;
    deployment.waiting!.frozenUntil = null;
    await recorder.changed(deployment);
    log.warn({ deployment: id, environment: deployment.environment, user: actor.user, via: actor.via, reason: glass.reason, frozenUntil }, 'a freeze was broken: deploy anyway');
    events.emit({ type: 'break-glass', deployment, user: actor.user, reason: glass.reason, frozenUntil: frozenUntil!, freezeReason });
    // Not awaited: the answer need not wait for the ref to be fetched.
    void queue.look(deployment.environment);
    return deployment;
  }

  /**
   * `/deploy promote <from> to <env>`: the release live on `from`, shipped to `env` unchanged (the
   * same commit, release id and artifact bytes), without tests, through `env`'s own rules and gates.
   * During a freeze of `env` it waits in the queue, like a deploy.
   */
  async function requestPromotion(input: { from: string; environment?: string | undefined; actor: Actor; queue?: boolean }): Promise<Deployment> {
    const environment = environmentName(input.environment);
    const from = environmentName(input.from);
    if (from === environment) throw new RefusedError('bad-input', phrase`a promotion goes from one environment to another: ${from} is both`);
    await requireDeployerOf(userGroups, environment, config.environments[environment]!, input.actor.user, 'deploy to');
    const promotion = async () => {
      const history = ofApp(store.data.deployments, config.app);
      const live = liveOn(history, from, await hostReadings.read(from));
      const source = promotionSource(history, store.data.badReleases[scopeKey(config.app, from)] ?? {}, from, environment, live, options.appPrefix ?? '');
      checkGates(environment, source.sha, source.ref);
      const { sha, ref, artifactSha256, ...promotedFrom } = source;
      return { kind: 'deploy' as const, environment, ref, sha, actor: input.actor, steps: ['deploy', 'verify'], extra: { release: source.release, artifactSha256, promotedFrom } };
    };
    const freeze = queue.freezeOf(environment);
    const waitInQueue = async (frozen: Pick<Waiting, 'frozenUntil' | 'freezeReason'>) => queued(await promotion(), { ...frozen, authorizedBy: null, tested: null });
    if (freeze) return waitInQueue({ frozenUntil: freeze.end.toISOString(), freezeReason: freeze.reason });
    try {
      locks.checkFree(environment);
    } catch (error) {
      if (!(error instanceof EnvironmentBusyError)) throw error;
      if (input.queue) return waitInQueue({ frozenUntil: null, freezeReason: null });
      throw new EnvironmentBusyError(error.lock, { app: config.app, environment, from });
    }
    const since = clock.now().toISOString();
    // Held while the source's hosts are asked what they run, so no deploy starts in between.
    const deployment = await locks.whileReserved({ environment, deploymentId: '(starting)', ref: `promote ${from}`, user: input.actor.user, since }, async () =>
      create({ ...(await promotion()), since }),
    );
    start(deployment);
    return deployment;
  }

  /** `/rollback [env] [release]`: a deployment of a release the hosts still have, without tests. */
  async function requestRollback(input: { environment?: string | undefined; release?: string | null; actor: Actor }): Promise<Deployment> {
    const environment = environmentName(input.environment);
    const checkFree = await admit(environment, input.actor.user, 'roll back');
    checkFree();
    const since = clock.now().toISOString();
    // Held while the hosts are asked what they run, so no deploy starts in between.
    const deployment = await locks.whileReserved({ environment, deploymentId: '(starting)', ref: input.release ?? 'rollback', user: input.actor.user, since }, async () => {
      const history = ofApp(store.data.deployments, config.app);
      const live = liveOn(history, environment, await hostReadings.read(environment));
      const target = rollbackTarget(history, store.data.badReleases[scopeKey(config.app, environment)] ?? {}, environment, live, input.release ?? null);
      return create({
        kind: 'rollback',
        environment,
        ref: target.release,
        sha: target.sha,
        actor: input.actor,
        since,
        steps: ['rollback', 'verify'],
        extra: { release: target.release, fromRelease: target.from, undo: target.undo },
      });
    });
    start(deployment);
    return deployment;
  }

  async function create(input: {
    kind: Deployment['kind'];
    environment: string;
    ref: string;
    sha: string | null;
    actor: Actor;
    since: string;
    steps: string[];
    extra: Partial<Deployment>;
  }): Promise<Deployment> {
    const id = String(store.data.nextDeploymentId++);
    const step = (name: string): StepRecord => ({ name, state: 'pending', startedAt: null, finishedAt: null });
    const deployment: Deployment = {
      id,
      kind: input.kind,
      app: config.app,
      ref: input.ref,
      sha: input.sha,
      release: null,
      environment: input.environment,
      state: 'queued',
      reason: null,
      requestedBy: input.actor.user,
      requestedVia: viaOf(input.actor),
      approvedBy: null,
      rejectedBy: null,
      approval: null,
      audit: [],
      retryOf: null,
      createdAt: input.since,
      updatedAt: input.since,
      finishedAt: null,
      steps: input.steps.map(step),
      hosts: [],
      thread: null,
      ...input.extra,
    };
    store.data.deployments.push(deployment);
    // One that waits in the queue holds nothing until it starts.
    if (!deployment.waiting) locks.hold({ environment: input.environment, deploymentId: id, ref: input.ref, user: input.actor.user, since: input.since });
    pruneHistory();
    await store.write();
    log.info({ deployment: id, kind: input.kind, environment: input.environment, ref: input.ref, sha: input.sha, user: input.actor.user, via: input.actor.via, token: input.actor.token }, 'deployment requested');
    events.emit({ type: 'created', deployment });
    return deployment;
  }

  function start(deployment: Deployment): void {
    const run = runs.add(deployment.id);
    run.done = execute(deployment, run).finally(() => runs.remove(deployment.id));
  }

  function found(id: string): Deployment {
    const deployment = store.data.deployments.find((entry) => entry.id === id && ours(entry));
    if (!deployment) throw new RefusedError('not-found', `there is no deployment ${id}`);
    return deployment;
  }

  /** The deployment running in an environment now, for `/deploy cancel [env]`. */
  function activeIn(environment: string): Deployment {
    const deployment = store.data.deployments.findLast((entry) => ours(entry) && entry.environment === environment && running(entry));
    if (!deployment) throw new RefusedError('not-found', `nothing is running in ${environment}`);
    return deployment;
  }

  /** Active and holding its environment: not waiting in the queue. */
  function running(deployment: Deployment): boolean {
    return ACTIVE.has(deployment.state) && !deployment.waiting;
  }

  function pruneHistory(): void {
    store.data.deployments = pruneOldest(store.data.deployments, HISTORY_LIMIT, (d) => !ACTIVE.has(d.state));
  }

  return {
    on: (listener: PipelineListener) => events.on(listener),
    request,
    approve: (id: string, actor: Actor) => decisions.approve(found(id), actor),
    reject: (id: string, actor: Actor) => decisions.reject(found(id), actor),
    cancel: (id: string, actor: Actor) => decisions.cancel(found(id), actor),
    promote: (id: string, actor: Actor) => decisions.promote(found(id), actor),
    deployAnyway,
    requestRollback,
    requestPromotion,
    /**
     * The Rollback button: on a deployment still rolling out, stop it and put the hosts back; on
     * a finished one, a rollback deployment to the release that was live before it.
     */
    async rollBack(id: string, actor: Actor): Promise<Deployment> {
      const deployment = found(id);
      if (deployment.state === 'deploying' || deployment.state === 'baking') {
        await decisions.rollBackRunning(deployment, actor);
        return deployment;
      }
      const undone = rolledBackBy(deployment, store.data.deployments);
      if (undone) throw new RefusedError('conflict', phrase`deployment ${id} was rolled back already, by ${person(undone.requestedBy)} (deployment ${undone.id}, ${time(undone.finishedAt ?? undone.updatedAt)})`);
      const before = deployment.kind === 'rollback' ? deployment.fromRelease : deployment.hosts.find((host) => host.previousRelease)?.previousRelease;
      if (!before) throw new RefusedError('conflict', `deployment ${id} changed no host that had a release before it: there is nothing to roll back to`);
      return requestRollback({ environment: deployment.environment, release: before, actor });
    },
    activeIn,
    /** The queue of an environment, first in line first; a waiting deployment's place in it (1 is next). */
    waitingIn: (environment: string) => queue.waitingIn(environmentName(environment)),
    queuePosition: queue.positionOf,
    /** The freeze window in force on an environment now, and the next one to come. */
    freezeOf: (environment: string) => queue.freezeOf(environmentName(environment)),
    nextFreezeOf: (environment: string) => queue.nextFreezeOf(environmentName(environment)),
    /** Starts the same ref again in the same environment: a new deployment, the same rules. */
    async retry(id: string, actor: Actor): Promise<Deployment> {
      const previous = found(id);
      if (!isRetryable(previous)) throw new RefusedError('conflict', `deployment ${id} is ${previous.state}: only deployments that failed in their tests or were interrupted can be retried`);
      // A promotion is retried as one: what its source runs now goes out.
      if (previous.promotedFrom) return requestPromotion({ from: previous.promotedFrom.environment, environment: previous.environment, actor });
      return request({ ref: previous.ref, environment: previous.environment, actor, retryOf: previous.id });
    },
    /** Hears each lock a person puts on an environment of this app, or lifts. */
    onLock: locks.on,
    /** The rollback that took this deployment's release off its environment, while that holds. */
    rolledBackBy: (deployment: Deployment) => rolledBackBy(deployment, store.data.deployments),
    lock: (environment: string, actor: Actor, reason: string | null) => locks.lock(environmentName(environment), actor, reason),
    unlock: (environment: string, actor: Actor) => locks.unlock(environmentName(environment), actor),
    manualLockOf: locks.manualLockOf,
    /** What runs on the environment, by igor's records of its deployments (nothing is asked). */
    live: (environment: string): Live => liveOn(ofApp(store.data.deployments, config.app), environmentName(environment)),
    /** What runs on the environment, as its servers say now (each bounded by a short timeout; one that is silent is `unreachable`). */
    async liveNow(environment: string): Promise<Live> {
      const name = environmentName(environment);
      return liveOn(ofApp(store.data.deployments, config.app), name, await hostReadings.read(name));
    },
    lockOf: (environment: string) => locks.lockOf(environment),
    environmentName,
    /** The app's config (the single-app form). */
    config,
    found,
    /** Saves, within a moment, a change made to a deployment outside the pipeline (where its chat messages went). */
    saveSoon: (deployment: Deployment) => recorder.saveSoon(deployment),
    get(id: string): Deployment | undefined {
      return store.data.deployments.find((deployment) => deployment.id === id && ours(deployment));
    },
    /** This app's deployments, newest first. */
    list(filter: { environment?: string | undefined; limit?: number } = {}): Deployment[] {
      return newestFirst(store.data.deployments, { app: config.app, ...filter });
    },
    logPath(id: string, step: string): string {
      return join(options.dataDir, 'logs', id, `${step}.log`);
    },
    /** After a restart: deployments that were mid-flight become `interrupted` and free their environment. */
    async recover(): Promise<Deployment[]> {
      const stranded = store.data.deployments.filter((deployment) => ours(deployment) && running(deployment));
      for (const deployment of stranded) {
        await recorder.transition(deployment, 'interrupt', { reason: `igor restarted while this deployment was ${deployment.state}` });
        log.warn({ deployment: deployment.id, environment: deployment.environment }, 'marked a deployment interrupted after a restart');
      }
      locks.dropStale((id) => store.data.deployments.some((d) => d.id === id && ours(d) && running(d)));
      await store.write();
      // Queued ones wait on: a freeze that ended while igor was stopped lets them start now.
      void queue.resume().catch((error: unknown) => log.error({ err: error }, 'could not resume the queues'));
      return stranded;
    },
    /**
     * Stops every run: tests are killed at once, host operations get `graceMs` to finish, and
     * whatever is still active then is marked `interrupted`.
     */
    async stop(graceMs: number): Promise<void> {
      queue.stop();
      for (const run of runs.all()) {
        run.stopReason = 'shutdown';
        run.controller.abort();
        run.decide({ outcome: 'shutdown' });
        run.decidePromotion('stop');
      }
      const all = Promise.all(runs.all().map((run) => run.done));
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      // The grace is over: whatever still runs on a host is killed, so no SSH session outlives igor.
      for (const run of runs.all()) run.hostCommands.abort();
      for (const deployment of store.data.deployments.filter((d) => ours(d) && running(d))) {
        await recorder.transition(deployment, 'interrupt', { reason: 'igor was stopped while this deployment ran' });
      }
      await store.write();
    },
  };
}
export type Pipeline = ReturnType<typeof createPipeline>;
export type { Config };
