import type { Logger } from 'pino';
import { plain } from '../chat/messages.js';
import { codeMrkdwn, escapeMrkdwn, mrkdwn } from '../chat/mrkdwn.js';
import type { Outbox } from '../chat/outbox/outbox.js';
import type { Config } from '../config/schema.js';
import type { Mirror } from '../integration/mirror.js';
import { EnvironmentBusyError } from '../pipeline/errors.js';
import { RefusedError } from '../shared/refusal.js';
import { newestLive } from '../pipeline/queries.js';
import { findEnvironment } from '../config/environments.js';
import { scopeKey } from '../shared/scope.js';
import type { Pipeline } from '../pipeline/service.js';
import type { CiSlice } from './types.js';
import type { Store } from '../store/db.js';
import type { CiEvent, IntegrationServer } from './server.js';
import type { CiRun, PendingDeploy } from './types.js';

/**
 * Continuous deployment: `environments.<env>.autoDeploy: { branch }` deploys each commit of that
 * branch whose tests passed, through the pipeline and so through the environment's approval
 * policy. Only the branch's newest pushed commit is deployed. While the environment is busy, the
 * newest tested commit waits (one per environment, in the store) and is requested when the
 * deployment there finishes. What it says goes through the outbox.
 */
export function createAutoDeploy(options: { config: Config; mirror: Mirror; store: Store<CiSlice>; pipeline: Pipeline; server: IntegrationServer; outbox: Outbox; log: Logger }) {
  const { config, store, pipeline, server } = options;
  const log = options.log.child({ component: 'auto-deploy' });
  const pending = () => store.data.ci.pendingDeploys;
  /** This app's environment, as the store keys the commit waiting for it. */
  const key = (environment: string) => scopeKey(config.app, environment);

  /** Environments that deploy `branch` by themselves. */
  function environmentsFor(branch: string): string[] {
    return Object.entries(config.environments)
      .filter(([, environment]) => environment.autoDeploy && environment.autoDeploy.branch.replace(/^refs\/heads\//, '') === branch)
      .map(([name]) => name);
  }

  function tell(text: string): void {
    options.outbox.post(config.channels.deploys, plain(text)).catch((error: unknown) => log.error({ err: error }, 'could not queue a chat message about an auto-deploy'));
  }

  /**
   * Why a tested commit must not go live by itself, or null. A webhook is not proof that the branch
   * is there now (a captured push can be replayed): the branch's tip, fetched again, must be this
   * commit, and it must not be older than what the environment runs.
   */
  async function outdated(next: PendingDeploy, environment: string): Promise<string | null> {
    await options.mirror.fetch();
    const tip = await options.mirror.resolve(`refs/heads/${next.branch}`);
    if (tip !== next.sha) return `the tip of ${next.branch} is ${tip ? tip.slice(0, 7) : 'gone'} now, not ${next.sha.slice(0, 7)}`;
    const live = newestLive(pipeline.live(environment))?.sha;
    if (live && live !== next.sha && (await options.mirror.isAncestor(next.sha, live))) return `${next.sha.slice(0, 7)} is older than ${live.slice(0, 7)}, which ${environment} runs`;
    return null;
  }

  async function deployPending(environment: string): Promise<void> {
    const next = pending()[key(environment)];
    if (!next) return;
    if (pipeline.lockOf(environment)) {
      log.info({ environment, sha: next.sha }, 'the environment is busy: the tested commit waits for it');
      await store.write();
      return;
    }
    delete pending()[key(environment)];
    try {
      const why = await outdated(next, environment);
      if (why) {
        log.warn({ environment, sha: next.sha, branch: next.branch, why }, 'auto-deploy skipped: not the branch as it is now');
        await store.write();
        return;
      }
      // The branch as ref (so approval.autoApprove.refs applies), the tested commit as sha, and
      // autoDeploy itself as the authority: the people who configured it are the deployers here.
      // The run's verdict comes along, so the deployment need not run the same tests again.
      const deployment = await pipeline.request({
        ref: next.branch,
        sha: next.sha,
        environment,
        actor: { user: next.user, via: 'github' },
        authorizedBy: `environments.${environment}.autoDeploy`,
        tested: server.evidence(next.runId),
      });
      log.info({ environment, sha: next.sha, branch: next.branch, run: next.runId, deployment: deployment.id }, 'auto-deploy requested');
    } catch (error) {
      if (error instanceof EnvironmentBusyError) {
        // Taken in the meantime: wait again, unless a newer commit is already waiting.
        pending()[key(environment)] ??= next;
        log.info({ environment, sha: next.sha }, 'the environment became busy: the tested commit waits for it');
      } else if (error instanceof RefusedError) {
        log.warn({ environment, sha: next.sha, reason: error.message }, 'auto-deploy refused');
        tell(`:warning: Not deploying ${codeMrkdwn(next.branch)} at \`${next.sha.slice(0, 7)}\` to ${escapeMrkdwn(environment)} (environments.${escapeMrkdwn(environment)}.autoDeploy): ${mrkdwn(error.words)}`);
      } else {
        log.error({ err: error, environment, sha: next.sha }, 'auto-deploy failed');
        tell(`:x: Could not deploy ${codeMrkdwn(next.branch)} at \`${next.sha.slice(0, 7)}\` to ${escapeMrkdwn(environment)}: ${escapeMrkdwn((error as Error).message)}`);
      }
    }
    await store.write();
  }

  function offer(run: CiRun): void {
    if (server.headOf(run.branch) !== run.sha) {
      log.info({ run: run.id, branch: run.branch, sha: run.sha }, 'a newer commit was pushed since: not deploying this one');
      return;
    }
    for (const environment of environmentsFor(run.branch)) {
      const candidate: PendingDeploy = { sha: run.sha, branch: run.branch, user: run.requestedBy, runId: run.id };
      pending()[key(environment)] = candidate;
      void deployPending(environment).catch((error: unknown) => log.error({ err: error, environment }, 'could not request an auto-deploy'));
    }
  }

  const unsubscribeServer = server.on((event: CiEvent) => {
    if (event.type === 'finished' && event.run.state === 'passed') offer(event.run);
  });
  const unsubscribePipeline = pipeline.on((event) => {
    if (event.type !== 'finished' || !pending()[key(event.deployment.environment)]) return;
    const environment = event.deployment.environment;
    // After the pipeline's own bookkeeping for this event is done.
    setImmediate(() => void deployPending(environment).catch((error: unknown) => log.error({ err: error, environment }, 'could not request an auto-deploy')));
  });

  return {
    /** Requests every commit still waiting in the store (after a restart nothing else would). */
    async resume(): Promise<void> {
      for (const scope of Object.keys(pending())) {
        // Another app's: its own auto-deploy resumes it.
        if (!scope.startsWith(`${config.app}/`)) continue;
        const environment = scope.slice(config.app.length + 1);
        if (!findEnvironment(config, environment)?.autoDeploy) {
          log.warn({ environment: scope }, 'a commit waited for an environment that no longer deploys by itself: dropped');
          delete pending()[scope];
          continue;
        }
        await deployPending(environment);
      }
      await store.write();
    },
    stop(): void {
      unsubscribeServer();
      unsubscribePipeline();
    },
  };
}
