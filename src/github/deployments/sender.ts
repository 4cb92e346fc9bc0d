import type { Octokit } from '@octokit/core';
import type { Logger } from 'pino';
import { deploymentPageUrl } from '../../pipeline/links.js';
import type { Deployment } from '../../pipeline/types.js';
import type { Clock } from '../../shared/clock.js';
import { createRetryGate, logKeptForRetry } from '../../shared/retry-gate.js';
import type { Store } from '../../store/db.js';
import { githubRetryDecision } from '../call-errors.js';
import { addCall, type GithubCall, type GithubDeploymentsData, type NewGithubCall } from './calls.js';

/** A call still failing after this long is given up: the status it carries no longer says anything. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

export interface GithubCallSenderOptions {
  store: Store<GithubDeploymentsData>;
  octokit: Octokit;
  /** igor's deployment a call is for; undefined once igor no longer knows it. */
  deploymentOf(call: GithubCall): Deployment | undefined;
  /** Keeps GitHub's id on igor's deployment (and saves it), so its statuses find their GitHub Deployment, also after a restart. */
  keepGithubId(call: GithubCall, deployment: Deployment, githubId: number): void;
  /** igor's public address: each status links to its deployment's page there. */
  publicUrl: () => string;
  log: Logger;
  clock: Clock;
}

/**
 * Sends the calls to GitHub's Deployments API that the store holds, one at a time, oldest first:
 * so a deployment's GitHub Deployment is made before its statuses, and they arrive in order. Each
 * call is written to the store before it is sent and removed once GitHub took it (at least once:
 * a crash in between sends it again). While GitHub fails or rate-limits, every call waits (it is
 * the same GitHub and the same token): as long as GitHub asks, else backing off; a call GitHub
 * refuses for good (bad token, no access, unknown repository) is dropped with one log line saying
 * what to fix. Nothing here waits on a deployment, nor a deployment on this.
 */
export function createGithubCallSender(options: GithubCallSenderOptions) {
  const { store, octokit, log, clock } = options;
  const state = () => store.data.githubDeployments;
  const gate = createRetryGate(clock, pump);
  let running = false;
  let sending: Promise<void> | null = null;
  /** Failed calls since the last one GitHub took: what the back-off grows with. */
  let failuresInARow = 0;

  function pump(): void {
    if (state().calls.length === 0 && !sending) gate.idle();
    if (!running || sending) return;
    const head = state().calls[0];
    if (!head || gate.held()) return;
    sending = deliver(head)
      .catch((error: unknown) => log.error({ err: error, deployment: head.deployment }, 'could not record a call to GitHub'))
      .finally(() => {
        sending = null;
        pump();
      });
  }

  function remove(call: GithubCall): void {
    const index = state().calls.indexOf(call);
    if (index >= 0) state().calls.splice(index, 1);
  }

  async function deliver(call: GithubCall): Promise<void> {
    const repository = `${call.repository.owner}/${call.repository.name}`;
    const context = { deployment: call.deployment, app: call.app, repository, call: call.kind, ...(call.kind === 'status' ? { state: call.body.state } : {}) };
    if (clock.now().getTime() - Date.parse(call.queuedAt) > GIVE_UP_AFTER_MS) {
      log.warn({ ...context, attempts: call.attempts, error: call.lastError }, 'gave up on a call to GitHub queued more than a day ago');
      remove(call);
      await store.write();
      return;
    }
    try {
      await send(call, context);
    } catch (error) {
      call.attempts += 1;
      call.lastError = (error as Error).message ?? String(error);
      failuresInARow += 1;
      const decision = githubRetryDecision(error, failuresInARow, clock.now(), describeCall(call), repository);
      if (!decision.retry) {
        log.warn({ ...context, status: (error as { status?: number }).status }, decision.reason);
        remove(call);
      } else {
        gate.pause(decision.delayMs);
        logKeptForRetry(log, call.attempts, { ...context, attempts: call.attempts, retryInMs: decision.delayMs, error: decision.why }, 'GitHub did not take a deployment call; it is kept and tried again');
      }
      await store.write();
      return;
    }
    failuresInARow = 0;
    remove(call);
    await store.write();
  }

  async function send(call: GithubCall, context: Record<string, unknown>): Promise<void> {
    const deployment = options.deploymentOf(call);
    const where = { owner: call.repository.owner, repo: call.repository.name };
    if (call.kind === 'create') {
      const response = await octokit.request('POST /repos/{owner}/{repo}/deployments', { ...where, ...call.body });
      // 202 is GitHub merging the default branch in first, which auto_merge: false rules out.
      if (!('id' in response.data)) return void log.warn({ ...context, status: response.status }, `GitHub made no deployment: ${response.data.message ?? 'no id in its answer'}`);
      const githubId = Number(response.data.id);
      if (deployment) options.keepGithubId(call, deployment, githubId);
      log.info({ ...context, githubDeployment: githubId, environment: call.body.environment }, 'created the GitHub Deployment of a deployment');
      return;
    }
    const githubId = deployment?.githubDeploymentId;
    if (githubId === undefined) return void log.debug(context, 'dropped a deployment status: there is no GitHub Deployment for it (its creation was refused)');
    await octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...where,
      deployment_id: githubId,
      ...call.body,
      log_url: deploymentPageUrl(options.publicUrl(), call.deployment),
      // igor says itself which deployment a success replaced (also in production, which GitHub's own marking skips).
      auto_inactive: false,
    });
    log.debug({ ...context, githubDeployment: githubId }, 'set a GitHub deployment status');
  }

  return {
    /** Queues calls (after every call queued before them), writes them to the store, then sends. */
    async enqueue(calls: readonly NewGithubCall[]): Promise<void> {
      for (const call of calls) addCall(state(), call, clock.now());
      await store.write();
      pump();
    },
    /** How many calls wait. */
    pending: () => state().calls.length,
    /** Starts sending, what an earlier igor left in the store first. */
    start(): void {
      if (state().calls.length) log.info({ pending: state().calls.length }, 'resuming the calls to GitHub (deployments and their statuses) not sent before igor stopped');
      running = true;
      pump();
    },
    /** Resolves when nothing waits, or after `timeoutMs`, whichever is first. */
    async drain(timeoutMs: number): Promise<void> {
      if (state().calls.length === 0 && !sending) return;
      await gate.drain(timeoutMs);
    },
    /** Stops sending; what waits stays in the store for the next start. */
    async stop(): Promise<void> {
      running = false;
      gate.stop();
      await sending;
    },
  };
}
export type GithubCallSender = ReturnType<typeof createGithubCallSender>;

/** The call in words, for the log line that says it was dropped. */
function describeCall(call: GithubCall): string {
  return call.kind === 'create' ? `the GitHub Deployment of igor deployment ${call.deployment}` : `the ${call.body.state} status of igor deployment ${call.deployment}`;
}
