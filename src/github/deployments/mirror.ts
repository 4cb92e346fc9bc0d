import type { Logger } from 'pino';
import { DEFAULT_PRODUCTION_ENVIRONMENTS, type Config } from '../../config/schema.js';
import type { PipelineEvent } from '../../pipeline/events.js';
import { previousSuccess } from '../../pipeline/queries.js';
import type { Pipeline } from '../../pipeline/service.js';
import { FINISHED } from '../../pipeline/states.js';
import type { PipelineData } from '../../pipeline/store-data.js';
import type { Deployment } from '../../pipeline/types.js';
import type { Clock } from '../../shared/clock.js';
import type { Store } from '../../store/db.js';
import { createGithubClient } from '../client.js';
import { githubRepositoryOf, type GithubRepository } from '../repository.js';
import { creationQueued, isNewStatus, type GithubDeploymentsData, type NewGithubCall } from './calls.js';
import { createGithubCallSender } from './sender.js';
import { githubStatusOf, newGithubDeployment, replacedStatus } from './statuses.js';

/** How long after a deployment finished igor still checks, at start, that GitHub got its last status. */
export const CATCH_UP_MS = 24 * 3_600_000;

export interface GithubDeploymentsOptions {
  store: Store<GithubDeploymentsData & PipelineData>;
  /** `GITHUB_TOKEN`: it needs read and write access to Deployments. */
  token: string;
  /** `GITHUB_API_URL`; an app's `repo` must be on this GitHub to be mirrored. */
  apiUrl: string;
  /** igor's public address: each status links to its deployment's page. */
  publicUrl: () => string;
  log: Logger;
  clock: Clock;
}

interface Followed {
  config: Config;
  pipeline: Pipeline;
  repository: GithubRepository;
}

/**
 * GitHub's deployments view of igor's deployments: for each deployment of an app whose `repo` is on
 * GitHub, a GitHub Deployment of its commit to its environment, and its statuses as it goes (see
 * {@link githubStatusOf}); when one succeeds, the deployment whose release it replaced is marked
 * `inactive`. The calls are queued in the store and sent in order by {@link createGithubCallSender},
 * so GitHub being slow, down or rate-limiting never holds a deployment up, and a restart loses none.
 * @example
 *   const mirror = createGithubDeployments({ store, token, apiUrl, publicUrl, log, clock });
 *   mirror.follow(config, pipeline);
 *   await mirror.start();   // once igor's address is known: catches up, then sends
 */
export function createGithubDeployments(options: GithubDeploymentsOptions) {
  const { store, clock } = options;
  const log = options.log.child({ component: 'github-deployments' });
  const followed = new Map<string, Followed>();
  const state = () => store.data.githubDeployments;
  const sender = createGithubCallSender({
    store,
    octokit: createGithubClient({ token: options.token, apiUrl: options.apiUrl, log }),
    deploymentOf: (call) => followed.get(call.app)?.pipeline.get(call.deployment),
    keepGithubId(call, deployment, githubId) {
      deployment.githubDeploymentId = githubId;
      followed.get(call.app)?.pipeline.saveSoon(deployment);
    },
    publicUrl: options.publicUrl,
    log,
    clock,
  });

  /**
   * The calls that bring GitHub up to `deployment`'s state; records what was queued. Only a new
   * deployment (`created`, or one that just left the queue) gets a GitHub Deployment: one igor no longer keeps track of (finished
   * long ago, or before GITHUB_TOKEN was set) is never mirrored after the fact.
   */
  function callsFor(app: Followed, deployment: Deployment, created: boolean): NewGithubCall[] {
    const calls: NewGithubCall[] = [];
    const call = { deployment: deployment.id, app: app.config.app, repository: app.repository };
    const data = state();
    const known = data.mirrored[deployment.id];
    // Replaced by a later release (or decided against): that is its last word on GitHub.
    if (known?.state === 'inactive') return calls;
    if (!known) {
      // A deployment that waited in its environment's queue has its commit only once it starts: mirrored from then.
      const startedFromQueue = deployment.startedAt !== undefined && deployment.sha !== null && !FINISHED.has(deployment.state);
      if (!created && !startedFromQueue) return calls;
      const sha = deployment.sha;
      // A rollback to a release of an older igor's records may lack its commit: GitHub needs one.
      if (!sha) return calls;
      const production = (app.config.github?.productionEnvironments ?? DEFAULT_PRODUCTION_ENVIRONMENTS).includes(deployment.environment);
      calls.push({ ...call, kind: 'create', body: newGithubDeployment({ ...deployment, sha }, production) });
    }
    const status = githubStatusOf(deployment, app.config.environments[deployment.environment]?.url);
    if (!isNewStatus(data, deployment.id, status)) return calls;
    calls.push({ ...call, kind: 'status', body: status });
    data.mirrored[deployment.id] = { app: app.config.app, state: status.state, description: status.description };
    if (status.state === 'success') {
      const replaced = previousSuccess(store.data.deployments, deployment);
      if (replaced && (replaced.githubDeploymentId !== undefined || creationQueued(data, replaced.id))) {
        calls.push({ ...call, deployment: replaced.id, kind: 'status', body: replacedStatus(deployment) });
        data.mirrored[replaced.id] = { app: app.config.app, ...replacedStatus(deployment) };
      }
    }
    return calls;
  }

  function mirror(app: Followed, deployment: Deployment, created: boolean): void {
    const calls = callsFor(app, deployment, created);
    if (FINISHED.has(deployment.state)) forgetFinished();
    if (calls.length) void sender.enqueue(calls).catch((error: unknown) => log.error({ err: error, deployment: deployment.id }, 'could not queue a call to GitHub'));
  }

  /** Drops what is kept of deployments finished longer ago than {@link CATCH_UP_MS} (or no longer known). */
  function forgetFinished(): void {
    const mirrored = state().mirrored;
    const since = clock.now().getTime() - CATCH_UP_MS;
    for (const [id, entry] of Object.entries(mirrored)) {
      const deployment = followed.get(entry.app)?.pipeline.get(id);
      const done = !deployment || (deployment.finishedAt !== null && Date.parse(deployment.finishedAt) < since);
      if (done && !state().calls.some((call) => call.deployment === id)) delete mirrored[id];
    }
  }

  return {
    /**
     * Mirrors the deployments of one app, when its `repo` is on the GitHub of `GITHUB_API_URL`;
     * otherwise says once why they are not.
     */
    follow(config: Config, pipeline: Pipeline): void {
      const repository = githubRepositoryOf(config.repo, options.apiUrl);
      if (!repository) {
        log.info({ app: config.app, repo: config.repo, apiUrl: options.apiUrl }, 'the app\'s repo is not on the GitHub of GITHUB_API_URL: its deployments are not shown on GitHub');
        return;
      }
      const app: Followed = { config, pipeline, repository };
      followed.set(config.app, app);
      pipeline.on((event: PipelineEvent) => {
        if (event.type !== 'created' && event.type !== 'changed' && event.type !== 'finished') return;
        try {
          mirror(app, event.deployment, event.type === 'created');
        } catch (error) {
          log.error({ err: error, deployment: event.deployment.id }, 'could not mirror a deployment on GitHub');
        }
      });
      log.info({ app: config.app, repository: `${repository.owner}/${repository.name}` }, 'deployments are mirrored on GitHub as GitHub Deployments');
    },
    /**
     * Once igor's address is known: queues what a deployment's last change left unsent (igor killed
     * between saving a deployment and queuing its status), then sends what waits.
     */
    async start(): Promise<void> {
      const catchUp: NewGithubCall[] = [];
      for (const [id, entry] of Object.entries(state().mirrored)) {
        const app = followed.get(entry.app);
        const deployment = app?.pipeline.get(id);
        if (app && deployment) catchUp.push(...callsFor(app, deployment, false));
      }
      forgetFinished();
      if (catchUp.length) log.warn({ calls: catchUp.length }, 'queued the GitHub deployment statuses of changes made just before igor stopped');
      await sender.enqueue(catchUp);
      sender.start();
    },
    /** Gives what waits up to `drainMs` to reach GitHub, then stops; the rest is sent after the next start. */
    async stop(drainMs: number): Promise<void> {
      await sender.drain(drainMs);
      await sender.stop();
    },
  };
}
export type GithubDeployments = ReturnType<typeof createGithubDeployments>;
