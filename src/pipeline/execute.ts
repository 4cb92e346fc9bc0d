import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { UserGroups } from '../shared/user-groups.js';
import type { Config } from '../config/schema.js';
import { DiscoveryError } from '../fleet/discovery/errors.js';
import { releaseName } from '../fleet/releases.js';
import type { Connect, Discovery } from '../fleet/types.js';
import type { Mirror } from '../integration/mirror.js';
import type { PipelineData } from './store-data.js';
import type { Store } from '../store/db.js';
import { runIntegration } from '../integration/runner.js';
import type { Clock } from '../shared/clock.js';
import type { Decisions } from './decisions.js';
import type { EventHub } from './events.js';
import { approvalPolicy } from './policy.js';
import { createProgress } from './progress.js';
import type { Recorder } from './records.js';
import type { Run } from './runs.js';
import { createRollBack } from './roll-back.js';
import { reuseTests } from './reuse-tests.js';
import { createShipper } from './ship.js';
import type { ArtifactStore } from '../fleet/artifacts/s3.js';
import type { Deployment } from './types.js';
import { phrase } from '../shared/phrase.js';
import { badReleasesOfCommit } from './queries.js';
import { rolledBackBefore } from './warnings.js';

export interface ExecutorOptions {
  config: Config;
  mirror: Mirror;
  discoveries: Record<string, Discovery>;
  /** Per environment: how to reach its servers. */
  connectors: Record<string, Connect>;
  /** Per environment with `artifacts.s3`: where the artifact is uploaded once for the servers to download. */
  artifactStores?: Record<string, ArtifactStore>;
  recorder: Recorder;
  decisions: Decisions;
  store: Store<PipelineData>;
  events: EventHub;
  clock: Clock;
  dataDir: string;
  /** igor's PATH and HOME, handed to the integration steps. */
  path: string;
  home: string;
  log: Logger;
  /** Who is in the user groups `deployers` and `approvers` name; default: the config's `groups`. */
  userGroups?: UserGroups;
}

/**
 * Runs one deployment from `queued` to an end state: tests, approval, rollout, verification.
 * Never throws: whatever goes wrong ends the deployment `failed` with the reason.
 */
export function createExecutor(options: ExecutorOptions) {
  const { config, recorder } = options;
  const progress = createProgress(options);
  const ship = createShipper({ ...options, progress });
  const rollBack = createRollBack({ ...options, progress });

  return async function execute(deployment: Deployment, run: Run): Promise<void> {
    const signal = run.controller.signal;
    const log = options.log.child({ deployment: deployment.id, environment: deployment.environment });
    const environment = config.environments[deployment.environment]!;
    const artifactFile = join(options.dataDir, 'artifacts', `${deployment.id}.tar.gz`);
    const logDir = join(options.dataDir, 'logs', deployment.id);
    const fail = async (reason: string) => {
      log.warn({ reason }, 'deployment failed');
      await recorder.transition(deployment, 'fail', { reason });
    };
    const stopped = async (): Promise<boolean> => {
      if (!run.stopReason) return false;
      if (run.stopReason === 'shutdown') await recorder.transition(deployment, 'interrupt', { reason: 'igor was stopped while this deployment ran' });
      else await recorder.transition(deployment, 'cancel', { reason: `cancelled by ${run.cancelledBy ?? 'unknown'}` });
      return true;
    };

    try {
      if (deployment.kind === 'rollback') return await rollBack(deployment, deployment.undo ?? false);

      await recorder.transition(deployment, 'test');
      if (deployment.testedIn) {
        recorder.note(deployment, phrase`Tests passed in ${deployment.testedIn.source} on this exact commit, under the same integration settings: not run again.`);
        await reuseTests(deployment, deployment.testedIn, progress, logDir);
        if (await stopped()) return;
      } else {
        const tests = await runIntegration(
          config.integration,
          options.mirror,
          {
            deploymentId: deployment.id,
            app: config.app,
            environment: deployment.environment,
            ref: deployment.ref,
            sha: deployment.sha!,
            workspace: join(options.dataDir, 'work', deployment.id),
            logDir,
            signal,
            path: options.path,
            home: options.home,
          },
          (event) => void progress.recordStepEvent(deployment, event),
        );
        if (await stopped()) return;
        if (!tests.ok) return await fail(`the ${tests.step} step ${tests.reason}`);
      }

      const discovery = options.discoveries[deployment.environment]!;
      let servers = await discovery.servers();
      if (servers.length === 0) return await fail(`${discovery.name} discovery found no servers for ${deployment.environment}`);
      const policy = approvalPolicy(deployment.environment, environment, deployment.ref);
      if (policy.required) {
        await options.decisions.askForApproval(deployment, servers, null);
        const decision = await run.decision;
        if (decision.outcome === 'shutdown') return void (await stopped());
        if (decision.outcome !== 'approved') return;
        servers = decision.servers;
      } else {
        await recorder.transition(deployment, 'approve', { approvedBy: 'policy' });
        recorder.note(deployment, phrase`Approved by policy: ${policy.because}.`);
        // Nobody is asked, so the thread says it: the approval request would have.
        const warning = rolledBackBefore(badReleasesOfCommit(deployment, options.store.data.deployments, options.store.data.badReleases));
        if (warning) recorder.note(deployment, warning, 'warning');
      }

      await mkdir(join(options.dataDir, 'artifacts'), { recursive: true });
      const artifact = await options.mirror.archive(deployment.sha!, artifactFile);
      deployment.release = releaseName(new Date(deployment.createdAt), deployment.sha!);
      await ship(deployment, run, servers, artifact);
    } catch (error) {
      if (error instanceof DiscoveryError) return void (await fail(error.message).catch(() => undefined));
      log.error({ err: error }, 'deployment failed unexpectedly');
      await fail(`unexpected error: ${(error as Error).message}`).catch((failure: unknown) => log.error({ err: failure }, 'could not record the failure'));
    } finally {
      await rm(artifactFile, { force: true });
    }
  };
}
