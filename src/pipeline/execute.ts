import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
import { checkedKeptArtifact, KeptArtifactError, keptArtifactPath, pruneKeptArtifacts } from '../fleet/artifacts/kept.js';
import type { Artifact } from '../fleet/host-deploy.js';
import { releasesWorthKeeping } from './artifact-retention.js';
import type { Deployment } from './types.js';
import { code, phrase, time } from '../shared/phrase.js';
import { formatDuration } from '../config/duration.js';
import { badReleasesOfCommit, ofApp } from './queries.js';
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

      if (deployment.promotedFrom) {
        const from = deployment.promotedFrom;
        const healthy = formatDuration(Math.max(Date.parse(deployment.createdAt) - Date.parse(from.liveSince), 0));
        recorder.note(
          deployment,
          phrase`Promoted from ${from.environment}: release ${code(from.release)} of deployment ${from.deployment}, live there since ${time(from.liveSince)} (healthy for ${healthy}). The same artifact ships; the integration steps are not run again.`,
        );
      } else await recorder.transition(deployment, 'test');
      if (deployment.promotedFrom) {
        // Tested where it comes from: nothing runs here before the approval.
      } else if (deployment.testedIn) {
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

      deployment.release ??= releaseName(new Date(deployment.startedAt ?? deployment.createdAt), deployment.sha!);
      const artifact = await artifactOf(deployment);
      await ship(deployment, run, servers, artifact);
    } catch (error) {
      if (error instanceof DiscoveryError || error instanceof KeptArtifactError) return void (await fail(error.message).catch(() => undefined));
      log.error({ err: error }, 'deployment failed unexpectedly');
      await fail(`unexpected error: ${(error as Error).message}`).catch((failure: unknown) => log.error({ err: failure }, 'could not record the failure'));
    } finally {
      await pruneArtifacts().catch((error: unknown) => log.warn({ err: error }, 'could not prune the kept artifacts'));
    }
  };

  /**
   * The bytes to ship: a promotion's are the kept artifact of its release, checked against the
   * SHA-256 recorded when it was packed; any other deployment packs its commit once, kept by release.
   */
  async function artifactOf(deployment: Deployment): Promise<Artifact> {
    const release = deployment.release!;
    if (deployment.promotedFrom) {
      const artifact = await checkedKeptArtifact(options.dataDir, config.app, release, deployment.artifactSha256 ?? '(none recorded)');
      recorder.note(deployment, phrase`Artifact of ${code(release)} checked: SHA-256 ${code(artifact.sha256)}, the bytes ${deployment.promotedFrom.environment} runs.`);
      return artifact;
    }
    const file = keptArtifactPath(options.dataDir, config.app, release);
    await mkdir(dirname(file), { recursive: true });
    const artifact = await options.mirror.archive(deployment.sha!, file);
    deployment.artifactSha256 = artifact.sha256;
    await recorder.changed(deployment);
    return artifact;
  }

  /** Drops the artifacts no environment can promote or roll back to any more. */
  async function pruneArtifacts(): Promise<void> {
    const keep = releasesWorthKeeping(ofApp(options.store.data.deployments, config.app), config.environments);
    const pruned = await pruneKeptArtifacts(options.dataDir, config.app, keep);
    if (pruned.length) options.log.info({ app: config.app, releases: pruned }, 'pruned artifacts no environment can promote or roll back to');
  }
}
