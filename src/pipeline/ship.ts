import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import type { HostPhase } from '../fleet/errors.js';
import { healthUrl, probe } from '../fleet/health.js';
import { deployToHost, liveRelease, type Artifact, type HostDeployment } from '../fleet/host-deploy.js';
import { markReleaseBad, restoreRelease } from '../fleet/restore.js';
import { runWave } from '../fleet/rollout.js';
import { createTransportPool } from '../fleet/transport/pool.js';
import { planWaves } from '../fleet/strategy.js';
import type { Connect, Server } from '../fleet/types.js';
import type { ArtifactStore } from '../fleet/artifacts/s3.js';
import type { PipelineData } from './store-data.js';
import type { Store } from '../store/db.js';
import { dictionary } from '../shared/names.js';
import { waitOn, type Clock } from '../shared/clock.js';
import type { EventHub } from './events.js';
import type { Progress } from './progress.js';
import type { Recorder } from './records.js';
import type { Run, StopReason } from './runs.js';
import type { Deployment } from './types.js';
import { code, phrase, user } from '../shared/phrase.js';
import { cancelledBy } from './queries.js';
import { startCanaryAnalysis, type StartedAnalysis } from './canary-analysis.js';
import { scopeKey } from '../shared/scope.js';

export interface ShipOptions {
  config: Config;
  store: Store<PipelineData>;
  recorder: Recorder;
  progress: Progress;
  events: EventHub;
  connectors: Record<string, Connect>;
  /** Per environment with `artifacts.s3`; the others upload to each server over SSH. */
  artifactStores?: Record<string, ArtifactStore> | undefined;
  clock: Clock;
  dataDir: string;
  log: Logger;
}

/** Why a rollout ends early. */
type Stop = { kind: 'failure'; reason: string } | { kind: StopReason };

/** Phases after which a host's `current` points at the new release. */
const SWITCHED: ReadonlySet<HostPhase> = new Set(['restart', 'health', 'prune']);

/**
 * Ships a tested, approved release: canary first, a bake watched by health checks, promotion (by
 * itself or by a person), then the waves; verification at the end. When anything fails, or on
 * Cancel or Rollback, every host already switched goes back to the release it had before.
 */
export function createShipper(options: ShipOptions) {
  const { config, recorder, progress } = options;

  return async function ship(deployment: Deployment, run: Run, servers: Server[], artifact: Artifact): Promise<void> {
    // One connection per server for the whole rollout (deploy, bake, verification, and a rollback
    // if it comes to that): an SSH handshake costs more than most commands after it.
    const pool = createTransportPool(options.connectors[deployment.environment]!);
    try {
      await shipWith(deployment, run, servers, artifact, pool.connect);
    } finally {
      await pool.closeAll();
    }
  };

  async function shipWith(deployment: Deployment, run: Run, servers: Server[], artifact: Artifact, connect: Connect): Promise<void> {
    const environment = config.environments[deployment.environment]!;
    const logFile = join(options.dataDir, 'logs', deployment.id, 'deploy.log');
    const release = deployment.release!;
    const waves = planWaves(servers, environment.strategy);
    deployment.hosts = waves.flatMap((wave) =>
      wave.hosts.map((server) => ({ host: server.name, address: server.address, ...(server.id ? { instanceId: server.id } : {}), state: 'pending' as const, release: null, previousRelease: null, error: null, phase: null, switched: false, wave: wave.name })),
    );
    await progress.startStep(deployment, 'deploy');
    const job: HostDeployment = {
      app: config.app,
      environment: deployment.environment,
      release,
      sha: deployment.sha!,
      artifact,
      steps: environment.steps,
      restart: environment.restart,
      health: environment.health,
      keepReleases: environment.keepReleases,
      stepTimeoutMs: environment.stepTimeout,
      signal: run.hostCommands.signal,
    };
    const store = options.artifactStores?.[deployment.environment];
    if (store) {
      // Once per release, before any host: every server then downloads the same object itself.
      try {
        const published = await store.publish(artifact, { app: config.app, environment: deployment.environment, release });
        job.download = { location: published.location, url: published.downloadUrl };
        options.log.info({ deployment: deployment.id, bucket: published.bucket, key: published.key }, 'artifact published; servers download it themselves');
      } catch (error) {
        return stop(deployment, servers, { kind: 'failure', reason: (error as Error).message }, connect);
      }
    }

    const deployOne = async (server: Server): Promise<void> => {
      const record = deployment.hosts.find((host) => host.host === server.name)!;
      await progress.host(deployment, server.name, { state: 'deploying', phase: 'connect' }, logFile, 'connect');
      try {
        const transport = await connect(server);
        try {
          const result = await deployToHost(server, transport, job, (phase, previousRelease) => {
            const patch = { phase, previousRelease, switched: record.switched || SWITCHED.has(phase) };
            // That a host now runs the new release is what a rollback after a crash goes by: saved at
            // once, as a transition is. The other phases are progress, saved within a moment.
            if (!patch.switched || record.switched) return progress.phase(deployment, server.name, patch, logFile, phase);
            progress.host(deployment, server.name, patch, logFile, phase).catch((error: unknown) => options.log.error({ err: error, deployment: deployment.id, host: server.name }, 'could not save that a host switched to the new release'));
          });
          await progress.host(deployment, server.name, { state: 'succeeded', phase: null, release, previousRelease: result.previousRelease, switched: true }, logFile, 'done');
        } finally {
          await transport.close();
        }
      } catch (error) {
        const message = (error as Error).message;
        await progress.host(deployment, server.name, { state: 'failed', error: message }, logFile, `failed: ${message}`);
        throw error;
      }
    };

    for (const wave of waves) {
      const failure = await runWave(wave.hosts, environment.strategy.parallel, deployOne, () => run.stopReason !== null);
      // A stop kills the commands running on the hosts, and those hosts fail: the stop is the reason.
      if (run.stopReason) return stop(deployment, servers, { kind: run.stopReason }, connect);
      if (failure) return stop(deployment, servers, { kind: 'failure', reason: failure }, connect);
      if (wave.name === 'canary') {
        const outcome = await bakeAndPromote(deployment, run, wave.hosts, servers, connect);
        if (outcome) return stop(deployment, servers, outcome, connect);
      }
    }
    await progress.finishStep(deployment, 'deploy', 'succeeded', null);

    await recorder.transition(deployment, 'verify');
    await progress.startStep(deployment, 'verify');
    const drift = await driftFrom(release, servers, connect);
    await progress.finishStep(deployment, 'verify', drift.length ? 'failed' : 'succeeded', drift.join('; ') || null);
    if (drift.length) return stop(deployment, servers, { kind: 'failure', reason: `verification found hosts not on ${release}: ${drift.join('; ')}` }, connect);
    await recorder.transition(deployment, 'succeed', { reason: null });
  }

  /**
   * Watches the canary for `bake` (and, with `analysis`, judges it against a baseline meanwhile);
   * then promotes by itself, or asks for Promote / Rollback. Null means go on.
   */
  async function bakeAndPromote(deployment: Deployment, run: Run, canary: Server[], servers: Server[], connect: Connect): Promise<Stop | null> {
    const environment = config.environments[deployment.environment]!;
    const settings = environment.strategy.canary!;
    await recorder.transition(deployment, 'bake');
    recorder.note(deployment, phrase`Canary ${canary.map((s) => s.name).join(', ')} is live: baking for ${formatDuration(settings.bake)}${environment.health ? ', health checked as it goes' : ' (no health check is configured: the bake only waits)'}${settings.analysis ? ', with a canary analysis' : ''}.`);
    // The schema requires a health check with an analysis: the probe loads the health URL's origin.
    const analysis =
      settings.analysis && environment.health
        ? startCanaryAnalysis({
            deployment,
            settings: settings.analysis,
            health: environment.health,
            canary,
            servers,
            isLive: async (server) => {
              const transport = await connect(server);
              try {
                return (await liveRelease(transport, server.path)) !== null;
              } finally {
                await transport.close();
              }
            },
            bakeMs: settings.bake,
            signal: run.controller.signal,
            recorder,
            events: options.events,
            clock: options.clock,
            log: options.log.child({ deployment: deployment.id, part: 'analysis' }),
          })
        : null;
    try {
      const problem = await watchBake(deployment, run, canary, analysis);
      if (problem) return problem;
      if (analysis) {
        const ended = await analysis.outcome;
        if (run.stopReason || ended.kind === 'stopped') return { kind: run.stopReason ?? 'cancelled' };
        if (ended.kind === 'error') return { kind: 'failure', reason: `the canary analysis could not run: ${ended.message}` };
        if (ended.analysis.state === 'failed') return { kind: 'failure', reason: `the canary analysis failed: ${ended.analysis.reason ?? 'a metric failed'}` };
      }
    } finally {
      analysis?.stop();
    }
    if (run.stopReason) return { kind: run.stopReason };
    if (settings.promote === 'manual') {
      deployment.promotion = { requestedAt: options.clock.now().toISOString(), message: null, decision: null, decidedBy: null };
      await recorder.changed(deployment);
      options.events.emit({ type: 'promotion-requested', deployment });
      const decision = await run.promotion;
      if (decision === 'rollback') return { kind: 'rolled-back' };
      if (decision === 'stop') return { kind: run.stopReason ?? 'cancelled' };
      await recorder.transition(deployment, 'promote');
      recorder.note(deployment, phrase`Promoted by ${user(deployment.promotion.decidedBy ?? 'someone')}: on to the waves.`);
      return null;
    }
    await recorder.transition(deployment, 'promote');
    recorder.note(deployment, phrase`Canary healthy for ${formatDuration(settings.bake)}${analysis ? ' and its analysis passed' : ''}: promoted by policy (${code('promote: auto')}).`);
    return null;
  }

  /** The bake's health loop: a problem ends it early, so does an analysis that already failed. */
  async function watchBake(deployment: Deployment, run: Run, canary: Server[], analysis: StartedAnalysis | null): Promise<Stop | null> {
    const environment = config.environments[deployment.environment]!;
    const { clock } = options;
    const deadline = clock.now().getTime() + environment.strategy.canary!.bake;
    const cadence = Math.min(Math.max(environment.health?.interval ?? 2_000, 200), 5_000);
    while (clock.now().getTime() < deadline) {
      if (run.stopReason) return { kind: run.stopReason };
      const settled = analysis?.settled();
      if (settled && (settled.kind !== 'done' || settled.analysis.state === 'failed')) return null;
      for (const server of canary) {
        const health = server.health ?? environment.health;
        if (!health) continue;
        const problem = await probe(healthUrl(health, server.address), health, { sha: deployment.sha!, release: deployment.release! });
        if (problem) return { kind: 'failure', reason: `canary ${server.name} failed its health check during the bake: ${problem}` };
      }
      await waitOn(clock, Math.min(cadence, Math.max(deadline - clock.now().getTime(), 0)), run.controller.signal);
    }
    return null;
  }

  /**
   * Ends a rollout early. Hosts not reached are left alone; with `rollback: auto` (and always on
   * Cancel or Rollback) every switched host goes back to its previous release, in parallel.
   */
  async function stop(deployment: Deployment, servers: Server[], outcome: Stop, connect: Connect): Promise<void> {
    const environment = config.environments[deployment.environment]!;
    for (const host of deployment.hosts) if (host.state === 'pending') host.state = 'untouched';
    const reason = outcome.kind === 'failure' ? outcome.reason : outcome.kind === 'cancelled' ? 'cancelled' : outcome.kind === 'rolled-back' ? 'rolled back by a person' : 'igor stopped';
    await progress.finishStep(deployment, 'deploy', outcome.kind === 'failure' ? 'failed' : 'cancelled', reason);
    if (outcome.kind === 'shutdown') {
      await recorder.transition(deployment, 'interrupt', { reason: 'igor was stopped during the rollout' });
      return;
    }
    const release = deployment.release!;
    await markBad(deployment, servers, connect, outcome.kind === 'failure' ? `deployment ${deployment.id} failed: ${reason}` : `deployment ${deployment.id} was ${outcome.kind}`);
    if (outcome.kind === 'failure' && environment.rollback === 'manual') {
      const switched = deployment.hosts.filter((host) => host.switched).map((host) => host.host);
      recorder.note(deployment, phrase`The rollout stopped: ${reason}.${switched.length ? phrase` ${switched.join(', ')} run ${release}; press Rollback to put back the release before (${code('rollback: manual')}).` : ''}`, 'error');
      await recorder.transition(deployment, 'fail', { reason: `the rollout stopped: ${reason}` });
      return;
    }
    const failures = await restoreSwitched(deployment, servers, connect);
    // Chat words it: which hosts went back, which never changed, which could not be put back.
    options.events.emit({ type: 'rollout-stopped', deployment, reason, failures });
    const who = outcome.kind === 'cancelled' ? `cancelled by ${cancelledBy(deployment) ?? 'someone'}` : reason;
    if (failures) await recorder.transition(deployment, 'fail', { reason: `${who}; the rollback failed on ${failures} host(s)` });
    else if (outcome.kind === 'cancelled') await recorder.transition(deployment, 'cancel', { reason: who });
    else await recorder.transition(deployment, 'rollBack', { reason: outcome.kind === 'failure' ? `rolled back automatically: ${reason}` : who });
  }

  /** Puts every switched host back on its previous release; returns how many could not be. */
  async function restoreSwitched(deployment: Deployment, servers: Server[], connect: Connect): Promise<number> {
    const environment = config.environments[deployment.environment]!;
    const logFile = join(options.dataDir, 'logs', deployment.id, 'deploy.log');
    const limit = pLimit(environment.strategy.parallel);
    let failures = 0;
    await Promise.all(
      deployment.hosts
        .filter((host) => host.switched)
        .map((host) =>
          limit(async () => {
            const server = servers.find((entry) => entry.name === host.host)!;
            if (!host.previousRelease) {
              failures++;
              await progress.host(deployment, host.host, { state: 'rollback-failed', error: 'there was no release before this one to go back to' }, logFile, 'rollback impossible: no previous release');
              return;
            }
            await progress.host(deployment, host.host, { state: 'rolling-back' }, logFile, `rolling back to ${host.previousRelease}`);
            try {
              const transport = await connect(server);
              try {
                await restoreRelease(server, transport, host.previousRelease, {
                  app: config.app,
                  environment: deployment.environment,
                  restart: environment.restart,
                  health: environment.health,
                  stepTimeoutMs: environment.stepTimeout,
                });
              } finally {
                await transport.close();
              }
              await progress.host(deployment, host.host, { state: 'rolled-back', release: host.previousRelease }, logFile, `rolled back to ${host.previousRelease}`);
            } catch (error) {
              failures++;
              const message = (error as Error).message;
              await progress.host(deployment, host.host, { state: 'rollback-failed', error: `rollback failed: ${message}` }, logFile, `rollback failed: ${message}`);
            }
          }),
        ),
    );
    return failures;
  }

  /** A release that failed or was rolled back is bad: in the store, and as `BAD_RELEASE` on the hosts that have it. */
  async function markBad(deployment: Deployment, servers: Server[], connect: Connect, why: string): Promise<void> {
    const release = deployment.release!;
    (options.store.data.badReleases[scopeKey(deployment.app, deployment.environment)] ??= dictionary())[release] = why;
    await options.store.write();
    const touched = deployment.hosts.filter((host) => host.state !== 'untouched' && host.state !== 'pending');
    await Promise.all(
      touched.map(async (host) => {
        const server = servers.find((entry) => entry.name === host.host)!;
        try {
          const transport = await connect(server);
          try {
            await markReleaseBad(transport, server.path, release, why);
          } finally {
            await transport.close();
          }
        } catch (error) {
          options.log.warn({ err: error, host: host.host }, 'could not leave BAD_RELEASE on a host');
        }
      }),
    );
  }
}

/** Hosts whose `current` is not `release`, in words. */
export async function driftFrom(release: string, servers: readonly Server[], connect: Connect): Promise<string[]> {
  const found = await Promise.all(
    servers.map(async (server) => {
      const transport = await connect(server);
      try {
        const live = await liveRelease(transport, server.path);
        return live === release ? null : `${server.name} is on ${live ?? 'nothing'}`;
      } finally {
        await transport.close();
      }
    }),
  );
  return found.filter((entry): entry is string => entry !== null);
}
