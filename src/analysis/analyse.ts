import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AnalysisConfig, PrometheusConfig } from '../config/schema.js';
import type { Clock } from '../shared/clock.js';
import { AnalysisError } from './errors.js';
import { queryRangeMean } from './prometheus.js';
import { fillQuery } from './targets.js';
import type { AnalysisRow, AnalysisTarget, CanaryAnalysis, LoadStats } from './types.js';
import { judgeLoad, judgeQuery, overallVerdict, type QueryOutcome } from './verdict.js';

/** Steps per query window at most, when `prometheus.step` is not set. */
const DEFAULT_POINTS = 250;

export interface AnalyseOptions {
  canary: AnalysisTarget;
  /** A host still on the live release; null with `baseline: none` or a fleet of one. */
  baseline: AnalysisTarget | null;
  settings: AnalysisConfig;
  /** The bake: Prometheus is asked about [start, the later of end and the probe's end]. */
  window: { start: Date; end: Date };
  /** The run's signal: Cancel, Rollback or shutdown stop the analysis. */
  signal: AbortSignal;
  clock: Clock;
  log: Logger;
}

/**
 * Judges a canary during its bake: loads it and the baseline at the same constant rate at the
 * same time, then, when the bake's window has passed, asks Prometheus each query for both over
 * that window. Returns every number with its verdict; it fails when any judged row fails. Throws
 * only when `signal` stops it.
 * @example const analysis = await analyseCanary({ canary, baseline, settings, window: { start, end }, signal, clock, log });
 * if (analysis.state === 'failed') rollBack(analysis.reason);
 */
export async function analyseCanary(options: AnalyseOptions): Promise<CanaryAnalysis> {
  const { canary, baseline, settings, signal, log } = options;
  const startedAt = options.clock.now().toISOString();
  const rows: AnalysisRow[] = [];
  const series: CanaryAnalysis['series'] = { canary: [], baseline: baseline ? [] : null };

  if (settings.load) {
    const load = settings.load;
    log.info({ canary: canary.url, baseline: baseline?.url ?? null, rate: load.rate, durationMs: load.duration }, 'canary analysis: load probe started');
    const [canaryStats, baselineStats] = await Promise.all([probe(canary, load, signal), baseline ? probe(baseline, load, signal) : Promise.resolve(null)]);
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('the analysis was stopped');
    if ('error' in canaryStats || (baselineStats && 'error' in baselineStats)) {
      const error = 'error' in canaryStats ? canaryStats.error : (baselineStats as { error: string }).error;
      rows.push({ metric: 'load probe', source: 'load', canary: null, baseline: null, unit: '', limit: '', verdict: 'fail', reason: `the load probe failed: ${error}` });
    } else {
      rows.push(...judgeLoad(canaryStats, baselineStats as LoadStats | null, load));
      series.canary = canaryStats.series;
      series.baseline = baselineStats && !('error' in baselineStats) ? baselineStats.series : null;
    }
    log.info({ rows: rows.map((row) => [row.metric, row.canary, row.baseline, row.verdict]) }, 'canary analysis: load probe done');
  }

  if (settings.prometheus) {
    const wait = options.window.end.getTime() - options.clock.now().getTime();
    if (wait > 0) await sleep(wait, undefined, { signal });
    const end = options.clock.now();
    rows.push(...(await queryAll(settings.prometheus, canary, baseline, { start: options.window.start, end }, signal)));
    log.info({ rows: rows.filter((row) => row.source === 'prometheus').map((row) => [row.metric, row.canary, row.baseline, row.verdict]) }, 'canary analysis: prometheus done');
  }

  const verdict = overallVerdict(rows);
  return {
    state: verdict.passed ? 'passed' : 'failed',
    canary: canary.name,
    baseline: baseline?.name ?? null,
    startedAt,
    finishedAt: options.clock.now().toISOString(),
    rows,
    reason: verdict.reason,
    series,
  };
}

async function probe(target: AnalysisTarget, load: NonNullable<AnalysisConfig['load']>, signal: AbortSignal): Promise<LoadStats | { error: string }> {
  try {
    // loadtest is loaded when an analysis first needs it, not with igor (it costs ~16 MiB).
    const { runLoadProbe } = await import('./load-probe.js');
    return await runLoadProbe(target.url, load, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    return { error: `${target.name}: ${(error as Error).message}` };
  }
}

/** Every query for the canary and, where it compares, the baseline; at most a few requests at once. */
async function queryAll(prometheus: PrometheusConfig, canary: AnalysisTarget, baseline: AnalysisTarget | null, window: { start: Date; end: Date }, signal: AbortSignal): Promise<AnalysisRow[]> {
  const span = Math.max(window.end.getTime() - window.start.getTime(), 1_000);
  const stepMs = prometheus.step ?? Math.max(1_000, Math.ceil(span / DEFAULT_POINTS));
  const ask = async (query: string, target: AnalysisTarget): Promise<QueryOutcome> => {
    try {
      return { value: await queryRangeMean({ url: prometheus.url, query: fillQuery(query, target), start: window.start, end: window.end, stepMs, timeoutMs: prometheus.timeout, signal }) };
    } catch (error) {
      if (signal.aborted) throw error;
      return { error: error instanceof AnalysisError ? error.detail : (error as Error).message };
    }
  };
  const rows: AnalysisRow[] = [];
  for (const query of prometheus.queries) {
    const compares = query.compare === 'baseline' && baseline !== null;
    const [forCanary, forBaseline] = await Promise.all([ask(query.query, canary), compares ? ask(query.query, baseline) : Promise.resolve(null)]);
    rows.push(judgeQuery(query, forCanary, forBaseline, prometheus.onNoData));
  }
  return rows;
}
