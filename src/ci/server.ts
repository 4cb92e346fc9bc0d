import { join } from 'node:path';
import type { Logger } from 'pino';
import { withoutCredentials } from '../config/repository-key.js';
import type { Config } from '../config/schema.js';
import type { Mirror } from '../integration/mirror.js';
import { integrationFingerprint, type TestEvidence } from '../integration/evidence.js';
import { runIntegration, type IntegrationResult, type StepEvent } from '../integration/runner.js';
import type { Clock } from '../shared/clock.js';
import { createEventHub } from '../shared/event-hub.js';
import { pruneOldest } from '../shared/history.js';
import { dictionary } from '../shared/names.js';
import { RefusedError } from '../shared/refusal.js';
import { runMachine, type RunEvent } from './states.js';
import type { CiSlice } from './types.js';
import type { Store } from '../store/db.js';
import { CI_FINISHED, emptyCiData, type CiData, type CiRun } from './types.js';

/** What the integration server tells its listeners (chat, commit statuses, auto-deploy). */
export type CiEvent =
  | { type: 'queued'; run: CiRun }
  | { type: 'started'; run: CiRun }
  /** `previous` is the branch's last verdict (passed or failed) before this run, if any. */
  | { type: 'finished'; run: CiRun; previous: CiRun | null }
  | { type: 'retried'; run: CiRun; of: CiRun };

export type CiListener = (event: CiEvent) => void;

/** A commit pushed to a branch, as a webhook tells it: what a run records of its push. */
export type PushedCommit = Pick<CiRun, 'branch' | 'sha' | 'subject' | 'author' | 'requestedBy' | 'repository' | 'delivery' | 'forced'>;

export interface IntegrationServerOptions {
  config: Config;
  store: Store<CiSlice>;
  mirror: Mirror;
  clock: Clock;
  log: Logger;
  /** Workspaces go to `dataDir/ci/<run>`, logs to `dataDir/logs/ci-<run>/<step>.log`. */
  dataDir: string;
  /** igor's PATH and HOME, handed to the integration steps. */
  path: string;
  home: string;
  /** How many runs at once; default 1, so a burst of pushes queues instead of overloading the machine. */
  concurrency?: number;
}

/** How many runs the store keeps; finished ones go first. */
const RUN_LIMIT = 500;

/**
 * The integration server: runs the integration steps on every pushed commit, in its own workspace,
 * a bounded number at a time. A newer push to a branch supersedes that branch's queued runs; a
 * deleted branch cancels its runs. Every run is recorded in the store before it is announced.
 * @example
 *   const ci = createIntegrationServer({ config, store, mirror, clock, log, dataDir, path, home });
 *   ci.on((event) => event.type === 'finished' && console.log(event.run.state));
 *   await ci.push({ branch: 'main', sha, subject: 'Fix', author: 'Ada', requestedBy: 'github:ada', repository: null, delivery: null, forced: false });
 */
export function createIntegrationServer(options: IntegrationServerOptions) {
  const { config, store, mirror, clock } = options;
  const log = options.log.child({ component: 'ci' });
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const events = createEventHub<CiEvent>((error, event) => log.error({ err: error, event: event.type }, 'a listener of the integration server failed'));
  const active = new Map<string, { controller: AbortController; stopReason: 'deleted' | 'shutdown' | null; done: Promise<void> }>();
  let stopping = false;

  // Stores written before this feature, or by an older igor, lack some keys.
  store.data.ci = { ...emptyCiData(), ...store.data.ci };
  const data = (): CiData => store.data.ci;
  /** This app's runs (the store holds every app's), oldest first. */
  const ours = () => data().runs.filter((run) => run.app === config.app);
  /** This app's newest pushed commit of each branch. */
  const heads = () => (data().headsByApp[config.app] ??= dictionary());
  const now = () => clock.now().toISOString();
  const logDir = (runId: string) => join(options.dataDir, 'logs', `ci-${runId}`);
  const logPath = (runId: string, step: string) => join(logDir(runId), `${step}.log`);

  const emit = events.emit;

  function create(input: Omit<CiRun, 'id' | 'app' | 'state' | 'reason' | 'failedStep' | 'logTail' | 'createdAt' | 'startedAt' | 'finishedAt' | 'message'>): CiRun {
    const run: CiRun = {
      id: String(data().nextRunId++),
      app: config.app,
      ...input,
      state: 'queued',
      reason: null,
      failedStep: null,
      logTail: null,
      createdAt: now(),
      startedAt: null,
      finishedAt: null,
      message: null,
    };
    data().runs.push(run);
    prune();
    return run;
  }

  /** Moves the run through `event` (or throws); a finished run gets its reason and end time. */
  function move(run: CiRun, event: RunEvent, reason: string | null = null): void {
    run.state = runMachine.next(run.state, event);
    if (CI_FINISHED.has(run.state)) Object.assign(run, { reason, finishedAt: now() });
  }

  /** The branch's last verdict before `run`: what "fixed" is measured against. */
  function previousVerdict(run: CiRun): CiRun | null {
    let found: CiRun | null = null;
    for (const other of ours()) {
      if (other.id === run.id || other.branch !== run.branch || (other.state !== 'passed' && other.state !== 'failed') || !other.finishedAt) continue;
      if (!found || other.finishedAt >= found.finishedAt!) found = other;
    }
    return found;
  }

  /** Marks the branch's queued runs other than `keep` superseded; returns them. */
  function supersedeQueued(branch: string, by: string, keep: string | null): CiRun[] {
    const superseded = ours().filter((run) => run.branch === branch && run.state === 'queued' && run.id !== keep && !active.has(run.id));
    for (const run of superseded) move(run, 'supersede', `superseded by ${by.slice(0, 7)}`);
    return superseded;
  }

  function finished(runs: CiRun[]): void {
    for (const run of runs) emit({ type: 'finished', run, previous: previousVerdict(run) });
  }

  function pump(): void {
    while (!stopping && active.size < concurrency) {
      const next = ours().find((run) => run.state === 'queued' && !active.has(run.id));
      if (!next) return;
      const entry = { controller: new AbortController(), stopReason: null as 'deleted' | 'shutdown' | null, done: Promise.resolve() };
      active.set(next.id, entry);
      entry.done = execute(next, entry)
        .catch((error: unknown) => log.error({ err: error, run: next.id }, 'a test run could not be recorded'))
        .finally(() => {
          active.delete(next.id);
          pump();
        });
    }
  }

  async function execute(run: CiRun, entry: { controller: AbortController; stopReason: 'deleted' | 'shutdown' | null }): Promise<void> {
    const runLog = log.child({ run: run.id, branch: run.branch, sha: run.sha });
    move(run, 'start');
    run.startedAt = now();
    await store.write();
    emit({ type: 'started', run });
    runLog.info('test run started');

    run.steps = [];
    run.integration = integrationFingerprint(config.integration);
    let result: IntegrationResult;
    try {
      await mirror.fetch();
      if (!(await mirror.resolve(run.sha))) {
        result = { ok: false, step: 'checkout', reason: `found no commit ${run.sha} in ${withoutCredentials(config.repo)} (repo in igor.yml)`, logTail: '', cancelled: false };
      } else {
        result = await runIntegration(
          config.integration,
          mirror,
          {
            deploymentId: `ci-${run.id}`,
            app: config.app,
            environment: '',
            ref: run.branch,
            sha: run.sha,
            workspace: join(options.dataDir, 'ci', run.id),
            logDir: logDir(run.id),
            signal: entry.controller.signal,
            path: options.path,
            home: options.home,
          },
          (event) => {
            recordStep(run, event);
            runLog.debug({ step: event.step, outcome: event.type }, 'test step');
          },
        );
      }
    } catch (error) {
      runLog.error({ err: error }, 'test run failed unexpectedly');
      result = { ok: false, step: 'checkout', reason: `unexpected error: ${(error as Error).message}`, logTail: '', cancelled: entry.controller.signal.aborted };
    }

    if (result.ok) {
      move(run, 'pass');
    } else if (result.cancelled || entry.stopReason) {
      if (entry.stopReason === 'shutdown') move(run, 'interrupt', 'igor was stopped while it ran');
      else move(run, 'cancel', 'the branch was deleted');
    } else {
      move(run, 'fail', result.reason);
      run.failedStep = result.step;
      run.logTail = result.logTail;
    }
    await store.write();
    runLog.info({ state: run.state, step: run.failedStep, reason: run.reason }, 'test run finished');
    finished([run]);
  }

  function recordStep(run: CiRun, event: StepEvent): void {
    const steps = (run.steps ??= []);
    if (event.type === 'started') steps.push({ name: event.step, state: 'running', startedAt: now(), finishedAt: null });
    else if (event.type === 'skipped') steps.push({ name: event.step, state: 'skipped', startedAt: null, finishedAt: null });
    else Object.assign(steps.findLast((step) => step.name === event.step) ?? {}, { state: event.type, finishedAt: now() });
  }

  function prune(): void {
    data().runs = pruneOldest(data().runs, RUN_LIMIT, (run) => CI_FINISHED.has(run.state));
  }

  /** After a restart: runs that were running or interrupted go back to the queue (tests are safe to repeat). */
  function resume(): void {
    const stranded = ours().filter((run) => run.state === 'running' || run.state === 'interrupted');
    for (const run of stranded) {
      move(run, 'requeue');
      Object.assign(run, { reason: null, startedAt: null, finishedAt: null });
      log.warn({ run: run.id, branch: run.branch, sha: run.sha }, 'queued a test run again after a restart');
    }
    for (const branch of new Set(stranded.map((run) => run.branch))) {
      const newest = ours().filter((run) => run.branch === branch && run.state === 'queued').at(-1)!;
      supersedeQueued(branch, newest.sha, newest.id);
    }
    if (stranded.length) void store.write().catch((error: unknown) => log.error({ err: error }, 'could not record resumed test runs'));
  }

  resume();
  // Deferred so listeners subscribe before the first resumed run starts.
  setImmediate(pump);

  return {
    on: (listener: CiListener): (() => void) => events.on(listener),

    /** Queues a run of a pushed commit; queued runs of the same branch are superseded by it. */
    async push(commit: PushedCommit): Promise<CiRun> {
      if (stopping) throw new RefusedError('conflict', 'igor is stopping: the push is not tested');
      heads()[commit.branch] = commit.sha;
      const same = ours().find((run) => run.branch === commit.branch && run.sha === commit.sha && (run.state === 'queued' || run.state === 'running'));
      if (same) {
        await store.write();
        log.info({ run: same.id, branch: commit.branch, sha: commit.sha }, 'this commit is being tested already');
        return same;
      }
      const superseded = supersedeQueued(commit.branch, commit.sha, null);
      const run = create({ ...commit, retryOf: null });
      await store.write();
      log.info({ run: run.id, branch: run.branch, sha: run.sha, forced: run.forced, superseded: superseded.map((old) => old.id) }, 'test run queued');
      finished(superseded);
      emit({ type: 'queued', run });
      pump();
      return run;
    },

    /** The branch is gone: its queued runs are cancelled and its running ones stopped. */
    async deleteBranch(branch: string): Promise<CiRun[]> {
      delete heads()[branch];
      const queued = ours().filter((run) => run.branch === branch && run.state === 'queued' && !active.has(run.id));
      for (const run of queued) move(run, 'cancel', 'the branch was deleted');
      const running = ours().filter((run) => run.branch === branch && active.has(run.id));
      for (const run of running) {
        const entry = active.get(run.id)!;
        entry.stopReason = 'deleted';
        entry.controller.abort();
      }
      await store.write();
      log.info({ branch, cancelled: queued.map((run) => run.id), stopped: running.map((run) => run.id) }, 'branch deleted: its test runs are cancelled');
      finished(queued);
      return [...queued, ...running];
    },

    /** The Retry button: the same commit again, as a new run asked by `user`. */
    async retry(runId: string, user: string): Promise<CiRun> {
      const previous = ours().find((run) => run.id === runId);
      if (!previous) throw new RefusedError('not-found', `there is no test run ${runId} (igor keeps the last ${RUN_LIMIT})`);
      if (!CI_FINISHED.has(previous.state)) throw new RefusedError('conflict', `test run ${runId} is ${previous.state}: it can be retried once it has finished`);
      if (stopping) throw new RefusedError('conflict', 'igor is stopping: try again once it is back');
      const run = create({
        branch: previous.branch,
        sha: previous.sha,
        subject: previous.subject,
        author: previous.author,
        requestedBy: user,
        repository: previous.repository,
        delivery: null,
        forced: false,
        retryOf: previous.id,
      });
      await store.write();
      log.info({ run: run.id, retryOf: previous.id, user }, 'test run retried');
      emit({ type: 'retried', run, of: previous });
      emit({ type: 'queued', run });
      pump();
      return run;
    },

    /** Where a run's step writes its log (whether or not it ran). */
    logPath,

    /** What a passed run proves, for a deployment of its commit that need not test it again; null if it proves nothing. */
    evidence(id: string): TestEvidence | null {
      const run = ours().find((entry) => entry.id === id);
      if (!run || run.state !== 'passed' || !run.steps || !run.integration) return null;
      const steps = run.steps.flatMap((step) =>
        step.state === 'succeeded' && step.startedAt && step.finishedAt ? [{ name: step.name, startedAt: step.startedAt, finishedAt: step.finishedAt, log: logPath(run.id, step.name) }] : [],
      );
      return { source: `test run ${run.id}`, sha: run.sha, integration: run.integration, steps };
    },

    get(id: string): CiRun | undefined {
      return ours().find((run) => run.id === id);
    },

    /** Newest first. */
    list(filter: { branch?: string; limit?: number } = {}): CiRun[] {
      return ours()
        .filter((run) => !filter.branch || run.branch === filter.branch)
        .slice()
        .reverse()
        .slice(0, filter.limit ?? 50);
    },

    /** The newest pushed commit of `branch`, if igor has seen one. */
    headOf(branch: string): string | undefined {
      return heads()[branch];
    },

    /** Stops taking runs; running ones are stopped (and queued again at the next start). */
    async stop(): Promise<void> {
      stopping = true;
      for (const entry of active.values()) {
        entry.stopReason = 'shutdown';
        entry.controller.abort();
      }
      await Promise.all([...active.values()].map((entry) => entry.done));
      events.clear();
    },
  };
}
export type IntegrationServer = ReturnType<typeof createIntegrationServer>;
