import { join } from 'node:path';
import type { Config, EnvironmentConfig } from '../config/schema.js';
import { healthUrl, probe } from '../fleet/health.js';
import { clearBadMark, markReleaseBad, releaseOnHost, restoreRelease } from '../fleet/restore.js';
import { runWave } from '../fleet/rollout.js';
import { createTransportPool } from '../fleet/transport/pool.js';
import type { Connect, Discovery, Server, Transport } from '../fleet/types.js';
import type { PipelineData } from './store-data.js';
import type { Store } from '../store/db.js';
import { dictionary } from '../shared/names.js';
import type { Progress } from './progress.js';
import type { Recorder } from './records.js';
import { driftFrom } from './ship.js';
import type { Deployment } from './types.js';
import { phrase } from '../shared/phrase.js';
import { scopeKey } from '../shared/scope.js';

export interface RollBackOptions {
  config: Config;
  store: Store<PipelineData>;
  recorder: Recorder;
  progress: Progress;
  discoveries: Record<string, Discovery>;
  connectors: Record<string, Connect>;
  dataDir: string;
}

/**
 * Runs a rollback deployment: no tests, no upload. Every host must still have the release (checked
 * on all of them before any is touched, with what each runs now); then, in parallel, switch
 * `current`, restart, health on each host not on the release already. The release rolled away
 * from is marked bad, unless this undoes an earlier rollback.
 */
export function createRollBack(options: RollBackOptions) {
  const { config, recorder, progress } = options;
  return async function rollBack(deployment: Deployment, undo: boolean): Promise<void> {
    const environment = config.environments[deployment.environment]!;
    const pool = createTransportPool(options.connectors[deployment.environment]!);
    try {
      await rollBackWith(deployment, undo, environment, pool.connect);
    } finally {
      await pool.closeAll();
    }
  };

  async function rollBackWith(deployment: Deployment, undo: boolean, environment: EnvironmentConfig, connect: Connect): Promise<void> {
    const logFile = join(options.dataDir, 'logs', deployment.id, 'rollback.log');
    const release = deployment.release!;
    await recorder.transition(deployment, 'startRollback', { approvedBy: 'policy' });
    const servers = await options.discoveries[deployment.environment]!.servers();
    if (servers.length === 0) return void (await recorder.transition(deployment, 'fail', { reason: `discovery found no servers for ${deployment.environment}` }));
    deployment.hosts = servers.map((server) => ({ host: server.name, address: server.address, ...(server.id ? { instanceId: server.id } : {}), state: 'pending', release: null, previousRelease: null, error: null, phase: null, switched: false }));
    await progress.startStep(deployment, 'rollback');

    const job = { app: config.app, environment: deployment.environment, restart: environment.restart, health: environment.health, stepTimeoutMs: environment.stepTimeout };
    const found = new Map(await Promise.all(servers.map(async (server) => [server.name, await withTransport(connect, server, (t) => releaseOnHost(t, server.path, release, job))] as const)));
    const missing = servers.filter((server) => !found.get(server.name)!.has).map((server) => server.name);
    if (missing.length) {
      for (const host of deployment.hosts) host.state = 'untouched';
      const reason = `${missing.join(', ')} no longer ha${missing.length === 1 ? 's' : 've'} release ${release} (pruned by keepReleases?): nothing was changed`;
      await progress.finishStep(deployment, 'rollback', 'failed', reason);
      return void (await recorder.transition(deployment, 'fail', { reason }));
    }

    // The release rolled away from gets a bad mark on every host; one this undoes loses its own.
    const marks = async (transport: Transport, server: Server) => {
      if (undo) await clearBadMark(transport, server.path, release);
      if (deployment.fromRelease && !undo) await markReleaseBad(transport, server.path, deployment.fromRelease, `rolled back by deployment ${deployment.id}`);
    };
    const failure = await runWave(servers, environment.strategy.parallel, async (server) => {
      const previousRelease = found.get(server.name)!.current;
      // A host on the release already (one an interrupted rollout never reached) is left alone: no restart, unless it fails its health check.
      const health = server.health ?? environment.health;
      if (previousRelease === release && (!health || !(await probe(healthUrl(health, server.address), health, { sha: deployment.sha!, release })))) {
        await withTransport(connect, server, (transport) => marks(transport, server));
        return void (await progress.host(deployment, server.name, { state: 'untouched', release, previousRelease }, logFile, `already on ${release}: left alone`));
      }
      await progress.host(deployment, server.name, { state: 'deploying', phase: 'switch', previousRelease }, logFile, `switching to ${release}`);
      try {
        await withTransport(connect, server, async (transport) => {
          // The marks go on beside the health check, once the host has switched: one round trip less to wait for.
          let marking: Promise<void> | null = null;
          await restoreRelease(server, transport, release, job, (phase) => {
            progress.phase(deployment, server.name, { phase }, logFile, phase);
            if (phase === 'health') (marking = marks(transport, server)).catch(() => undefined);
          });
          await (marking ?? marks(transport, server));
        });
        await progress.host(deployment, server.name, { state: 'succeeded', phase: null, release, switched: true }, logFile, 'done');
      } catch (error) {
        await progress.host(deployment, server.name, { state: 'failed', error: (error as Error).message }, logFile, `failed: ${(error as Error).message}`);
        throw error;
      }
    });
    for (const host of deployment.hosts) if (host.state === 'pending') host.state = 'untouched';
    await progress.finishStep(deployment, 'rollback', failure ? 'failed' : 'succeeded', failure);
    if (failure) {
      recorder.note(deployment, phrase`The rollback to ${release} stopped: ${failure}. Hosts: ${deployment.hosts.map((h) => `${h.host} ${h.state}`).join(', ')}.`, 'error');
      return void (await recorder.transition(deployment, 'fail', { reason: `the rollback stopped: ${failure}` }));
    }
    const bad = (options.store.data.badReleases[scopeKey(deployment.app, deployment.environment)] ??= dictionary());
    if (undo) delete bad[release];
    else if (deployment.fromRelease) bad[deployment.fromRelease] = `rolled back by deployment ${deployment.id}`;

    await recorder.transition(deployment, 'verify');
    await progress.startStep(deployment, 'verify');
    const drift = await driftFrom(release, servers, connect);
    await progress.finishStep(deployment, 'verify', drift.length ? 'failed' : 'succeeded', drift.join('; ') || null);
    if (drift.length) return void (await recorder.transition(deployment, 'fail', { reason: `verification found hosts not on ${release}: ${drift.join('; ')}` }));
    await recorder.transition(deployment, 'succeed', { reason: null });
  }
}

async function withTransport<T>(connect: Connect, server: Server, work: (transport: Transport) => Promise<T>): Promise<T> {
  const transport = await connect(server);
  try {
    return await work(transport);
  } finally {
    await transport.close();
  }
}
