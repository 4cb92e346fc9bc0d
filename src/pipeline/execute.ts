import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import { liveRelease } from '../fleet/host-deploy.js';
import { releaseName } from '../fleet/releases.js';
import { rollout, type HostEvent } from '../fleet/rollout.js';
import type { Connect, Discovery, Server } from '../fleet/types.js';
import type { Mirror } from '../integration/mirror.js';
import { runIntegration, type StepEvent } from '../integration/runner.js';
import type { Clock } from './clock.js';
import type { Decisions } from './decisions.js';
import type { EventHub } from './events.js';
import { approvalPolicy } from './policy.js';
import type { Recorder } from './records.js';
import type { Run } from './runs.js';
import type { Deployment, StepRecord } from './types.js';
import { unsupportedSettings } from './unsupported.js';

export interface ExecutorOptions {
  config: Config;
  mirror: Mirror;
  discoveries: Record<string, Discovery>;
  /** Per environment: how to reach its servers. */
  connectors: Record<string, Connect>;
  recorder: Recorder;
  decisions: Decisions;
  events: EventHub;
  clock: Clock;
  dataDir: string;
  /** igor's PATH and HOME, handed to the integration steps. */
  path: string;
  home: string;
  log: Logger;
}

/**
 * Runs one deployment from `queued` to an end state: tests, approval, rollout, verification.
 * Never throws: whatever goes wrong ends the deployment `failed` with the reason.
 */
export function createExecutor(options: ExecutorOptions) {
  const { config, recorder } = options;

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
      else await recorder.transition(deployment, 'cancel', { reason: `cancelled by <@${run.cancelledBy ?? 'unknown'}>` });
      return true;
    };

    try {
      const unsupported = unsupportedSettings(deployment.environment, environment);
      if (unsupported.length) return await fail(`not supported yet: ${unsupported.join(', ')}`);

      await recorder.transition(deployment, 'test');
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
        (event) => void recordStep(deployment, event),
      );
      if (await stopped()) return;
      if (!tests.ok) return await fail(`the ${tests.step} step ${tests.reason}`);

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
        recorder.note(deployment, `Approved by policy: ${policy.because}.`);
      }

      await mkdir(join(options.dataDir, 'artifacts'), { recursive: true });
      const artifact = await options.mirror.archive(deployment.sha!, artifactFile);
      const release = releaseName(new Date(deployment.createdAt), deployment.sha!);
      deployment.release = release;
      deployment.hosts = servers.map((server) => ({ host: server.name, state: 'pending', release: null, previousRelease: null, error: null, phase: null }));
      await startStep(deployment, 'deploy');

      const result = await rollout(
        servers,
        environment.strategy,
        {
          app: config.app,
          environment: deployment.environment,
          release,
          sha: deployment.sha!,
          artifact,
          steps: environment.steps,
          restart: environment.restart,
          health: environment.health,
          keepReleases: environment.keepReleases,
        },
        options.connectors[deployment.environment]!,
        (event) => void recordHost(deployment, event, join(logDir, 'deploy.log')),
      );
      for (const host of deployment.hosts) if (host.state === 'pending') host.state = 'untouched';
      await finishStep(deployment, 'deploy', result.ok ? 'succeeded' : 'failed', result.failure);
      if (!result.ok) {
        const switched = deployment.hosts.filter((host) => host.state === 'succeeded').map((host) => host.host);
        if (switched.length) {
          recorder.note(deployment, `Automatic rollback is not supported yet: ${switched.join(', ')} now run ${release}.`, 'warning');
        }
        return await fail(`the rollout stopped: ${result.failure}`);
      }

      await recorder.transition(deployment, 'verify');
      await startStep(deployment, 'verify');
      const drift = await verifyReleases(servers, release, options.connectors[deployment.environment]!);
      await finishStep(deployment, 'verify', drift.length ? 'failed' : 'succeeded', drift.join('; ') || null);
      if (drift.length) return await fail(`verification found hosts not on ${release}: ${drift.join('; ')}`);
      await recorder.transition(deployment, 'succeed', { reason: null });
    } catch (error) {
      log.error({ err: error }, 'deployment failed unexpectedly');
      await fail(`unexpected error: ${(error as Error).message}`).catch((failure: unknown) => log.error({ err: failure }, 'could not record the failure'));
    } finally {
      await rm(artifactFile, { force: true });
    }
  };

  async function verifyReleases(servers: readonly Server[], release: string, connect: Connect): Promise<string[]> {
    const drift: string[] = [];
    for (const server of servers) {
      const transport = await connect(server);
      try {
        const live = await liveRelease(transport, server.path);
        if (live !== release) drift.push(`${server.name} is on ${live ?? 'nothing'}`);
      } finally {
        await transport.close();
      }
    }
    return drift;
  }

  async function recordStep(deployment: Deployment, event: StepEvent): Promise<void> {
    if (event.type === 'started') await startStep(deployment, event.step);
    else if (event.type === 'skipped') await finishStep(deployment, event.step, 'skipped', null);
    else await finishStep(deployment, event.step, event.type, event.type === 'failed' ? event.reason : null);
    options.events.emit({ type: 'step', deployment, step: event });
  }

  async function startStep(deployment: Deployment, name: string): Promise<void> {
    const step = findStep(deployment, name);
    Object.assign(step, { state: 'running', startedAt: options.clock.now().toISOString() });
    await recorder.changed(deployment);
  }

  async function finishStep(deployment: Deployment, name: string, state: StepRecord['state'], error: string | null): Promise<void> {
    const step = findStep(deployment, name);
    Object.assign(step, { state, finishedAt: state === 'skipped' ? null : options.clock.now().toISOString(), error });
    await recorder.changed(deployment);
  }

  async function recordHost(deployment: Deployment, event: HostEvent, logFile: string): Promise<void> {
    const host = deployment.hosts.find((entry) => entry.host === event.server.name)!;
    host.previousRelease = event.previousRelease;
    if (event.type === 'started') Object.assign(host, { state: 'deploying', phase: event.phase });
    if (event.type === 'succeeded') Object.assign(host, { state: 'succeeded', phase: null, release: deployment.release });
    if (event.type === 'failed') Object.assign(host, { state: 'failed', error: event.error });
    const line = event.type === 'started' ? event.phase : event.type === 'failed' ? `failed: ${event.error}` : 'done';
    await appendFile(logFile, `${options.clock.now().toISOString()} ${event.server.name} ${line}\n`).catch(() => undefined);
    await recorder.changed(deployment);
  }
}

function findStep(deployment: Deployment, name: string): StepRecord {
  const step = deployment.steps.find((entry) => entry.name === name);
  if (!step) throw new Error(`deployment ${deployment.id} has no step ${name}`);
  return step;
}

/** `3s`, for thread replies. */
export function stepDuration(step: StepRecord): string | null {
  if (!step.startedAt || !step.finishedAt) return null;
  return formatDuration(Date.parse(step.finishedAt) - Date.parse(step.startedAt));
}
