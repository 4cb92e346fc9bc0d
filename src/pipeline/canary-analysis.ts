import type { Logger } from 'pino';
import { analyseCanary } from '../analysis/analyse.js';
import { analysisTarget } from '../analysis/targets.js';
import type { CanaryAnalysis } from '../analysis/types.js';
import type { AnalysisConfig, HealthConfig } from '../config/schema.js';
import type { Server } from '../fleet/types.js';
import type { Clock } from '../shared/clock.js';
import type { EventHub } from './events.js';
import type { Recorder } from './records.js';
import type { Deployment } from './types.js';
import { phrase } from '../shared/phrase.js';

/** How a started analysis ended: its result, stopped with the run, or an unexpected error. */
export type AnalysisOutcome = { kind: 'done'; analysis: CanaryAnalysis } | { kind: 'stopped' } | { kind: 'error'; message: string };

export interface StartedAnalysis {
  /** Never rejects. */
  outcome: Promise<AnalysisOutcome>;
  /** The result once there is one, so the bake can stop watching a canary that already failed. */
  settled(): AnalysisOutcome | null;
  /** Stops it (the bake ended early); idempotent. */
  stop(): void;
}

export interface StartAnalysisOptions {
  deployment: Deployment;
  settings: AnalysisConfig;
  health: HealthConfig;
  /** The canary hosts: the first is analysed, none of them is a baseline. */
  canary: readonly Server[];
  /** Every server of the deployment: the baseline is one of them, never a host outside it. */
  servers: readonly Server[];
  /** Whether a server runs a release now (a first deployment has none to compare with). */
  isLive(server: Server): Promise<boolean>;
  bakeMs: number;
  signal: AbortSignal;
  recorder: Recorder;
  events: EventHub;
  clock: Clock;
  log: Logger;
}

/**
 * Starts the canary analysis for a bake that begins now: the canary against the first host of the
 * deployment that is not a canary (still on the live release), or no baseline with
 * `baseline: none`, a fleet of one, or a first deployment (nothing live to compare with). The
 * deployment's `analysis` says it is running; when it ends, it holds the numbers and an
 * `analysis` event tells the chat. Stopped with the run.
 */
export function startCanaryAnalysis(options: StartAnalysisOptions): StartedAnalysis {
  const { deployment, settings, recorder, log } = options;
  const controller = new AbortController();
  const isLive = (server: Server) => options.isLive(server).catch((error: unknown) => {
    log.warn({ err: error, host: server.name }, 'could not tell whether the baseline runs a release');
    return false;
  });
  const onAbort = () => controller.abort(options.signal.reason);
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });

  const candidate = settings.baseline === 'previous' ? options.servers.find((server) => !options.canary.includes(server)) : undefined;
  const start = options.clock.now();
  let result: AnalysisOutcome | null = null;
  const outcome = (async (): Promise<AnalysisOutcome> => {
    try {
      const analysed = options.canary[0]!;
      const canary = analysisTarget(analysed, analysed.health ?? options.health, settings);
      const baselineServer = candidate && (await isLive(candidate)) ? candidate : undefined;
      if (candidate && !baselineServer) recorder.note(deployment, phrase`${candidate.name} runs no release yet: the canary analysis uses absolute limits only.`, 'warning');
      const baseline = baselineServer ? analysisTarget(baselineServer, baselineServer.health ?? options.health, settings) : null;
      deployment.analysis = { state: 'running', canary: canary.name, baseline: baseline?.name ?? null, startedAt: start.toISOString(), finishedAt: null, rows: [], reason: null, series: { canary: [], baseline: null } };
      await recorder.changed(deployment);
      const analysis = await analyseCanary({ canary, baseline, settings, window: { start, end: new Date(start.getTime() + options.bakeMs) }, signal: controller.signal, clock: options.clock, log });
      deployment.analysis = analysis;
      await recorder.changed(deployment);
      options.events.emit({ type: 'analysis', deployment });
      return { kind: 'done', analysis };
    } catch (error) {
      if (controller.signal.aborted) {
        if (deployment.analysis?.state === 'running') deployment.analysis = { ...deployment.analysis, state: 'stopped', finishedAt: options.clock.now().toISOString(), reason: 'stopped with the bake' };
        return { kind: 'stopped' };
      }
      log.error({ err: error }, 'the canary analysis failed unexpectedly');
      return { kind: 'error', message: (error as Error).message };
    } finally {
      options.signal.removeEventListener('abort', onAbort);
    }
  })().then((ended) => (result = ended));
  return {
    outcome,
    settled: () => result,
    stop: () => controller.abort(new Error('the bake ended')),
  };
}
