import type { AnalysisQueryConfig, LoadConfig } from '../config/schema.js';
import { formatMetric } from './format.js';
import type { AnalysisRow, LoadStats } from './types.js';

/**
 * The load probe's rows: p95 latency and error rate are judged, the rest is shown.
 * - With a baseline: p95 fails when it is above `maxLatencyRatio` × the baseline's p95 *and* more
 *   than `latencyFloor` above it (so microsecond noise cannot fail a canary); the error rate fails
 *   when it exceeds the baseline's by more than `maxErrorRate`.
 * - Without one: absolute limits, `maxP95` (when set) and `maxErrorRate`.
 * `maxP95` applies in both cases.
 * @example judgeLoad({ p95: 60, errorRate: 0, … }, { p95: 20, errorRate: 0, … }, { maxLatencyRatio: 1.25, latencyFloor: 5, maxErrorRate: 0.01 })
 * // p95 row: { verdict: 'fail', reason: 'p95 60ms is 3× the baseline's 20ms (limit 1.25×)' }
 */
export function judgeLoad(canary: LoadStats, baseline: LoadStats | null, load: Pick<LoadConfig, 'maxLatencyRatio' | 'maxErrorRate' | 'maxP95' | 'latencyFloor'>): AnalysisRow[] {
  const row = (metric: string, unit: AnalysisRow['unit'], pick: (stats: LoadStats) => number): AnalysisRow => ({
    metric,
    source: 'load',
    canary: pick(canary),
    baseline: baseline ? pick(baseline) : null,
    unit,
    limit: '',
    verdict: 'info',
    reason: null,
  });
  return [
    row('requests', '', (stats) => stats.requests),
    row('p50 latency', 'ms', (stats) => stats.p50),
    judgeP95(row('p95 latency', 'ms', (stats) => stats.p95), load),
    row('p99 latency', 'ms', (stats) => stats.p99),
    judgeErrorRate(row('error rate', '%', (stats) => stats.errorRate), load),
  ];
}

function judgeP95(row: AnalysisRow, load: Pick<LoadConfig, 'maxLatencyRatio' | 'maxP95' | 'latencyFloor'>): AnalysisRow {
  const canary = row.canary!;
  const limits: string[] = [];
  const failures: string[] = [];
  if (row.baseline !== null) {
    limits.push(`≤ ${load.maxLatencyRatio}× baseline`);
    const ratio = row.baseline > 0 ? canary / row.baseline : canary > 0 ? Infinity : 1;
    if (ratio > load.maxLatencyRatio && canary - row.baseline > load.latencyFloor) {
      failures.push(`p95 ${formatMetric(canary, 'ms')} is ${formatRatio(ratio)} the baseline's ${formatMetric(row.baseline, 'ms')} (limit ${load.maxLatencyRatio}×)`);
    }
  }
  if (load.maxP95 !== undefined) {
    limits.push(`≤ ${formatMetric(load.maxP95, 'ms')}`);
    if (canary > load.maxP95) failures.push(`p95 ${formatMetric(canary, 'ms')} is above maxP95 ${formatMetric(load.maxP95, 'ms')}`);
  }
  if (!limits.length) return { ...row, limit: 'no baseline, no maxP95' };
  return { ...row, limit: limits.join(', '), verdict: failures.length ? 'fail' : 'pass', reason: failures.join('; ') || null };
}

function judgeErrorRate(row: AnalysisRow, load: Pick<LoadConfig, 'maxErrorRate'>): AnalysisRow {
  const canary = row.canary!;
  const allowed = (row.baseline ?? 0) + load.maxErrorRate;
  const limit = row.baseline !== null ? `≤ baseline + ${formatMetric(load.maxErrorRate, '%')}` : `≤ ${formatMetric(load.maxErrorRate, '%')}`;
  // A hair of float error must not fail 1% against a limit of 1%.
  if (canary <= allowed + 1e-9) return { ...row, limit, verdict: 'pass' };
  const against = row.baseline !== null ? ` against the baseline's ${formatMetric(row.baseline, '%')}` : '';
  return { ...row, limit, verdict: 'fail', reason: `error rate ${formatMetric(canary, '%')}${against} (limit ${limit})` };
}

/** What a query gave for one host: a number, no data (null), or an error in words. */
export type QueryOutcome = { value: number | null } | { error: string };

/**
 * One Prometheus query's row. `max` limits the canary's value; `compare: baseline` fails when the
 * canary's value is more than `maxRatio` × the baseline's (a baseline of 0 is matched only by 0).
 * No data fails with that reason unless `onNoData: pass`; an error always fails. Without a
 * baseline host the comparison is left out and only `max` judges.
 * @example judgeQuery({ name: 'errors', max: 0.5 }, { value: 0.7 }, null, 'fail') // { verdict: 'fail', reason: 'errors 0.7 is above max 0.5' }
 */
export function judgeQuery(query: Pick<AnalysisQueryConfig, 'name' | 'max' | 'compare' | 'maxRatio'>, canary: QueryOutcome, baseline: QueryOutcome | null, onNoData: 'fail' | 'pass'): AnalysisRow {
  const compares = query.compare === 'baseline' && query.maxRatio !== undefined && baseline !== null;
  const limits = [query.max !== undefined ? `≤ ${formatMetric(query.max, '')}` : null, compares ? `≤ ${query.maxRatio}× baseline` : null].filter(Boolean);
  const row: AnalysisRow = {
    metric: query.name,
    source: 'prometheus',
    canary: 'value' in canary ? canary.value : null,
    baseline: baseline && 'value' in baseline ? baseline.value : null,
    unit: '',
    limit: limits.join(', ') || 'no baseline to compare',
    verdict: 'info',
    reason: null,
  };
  const error = 'error' in canary ? canary.error : compares && baseline && 'error' in baseline ? baseline.error : null;
  if (error) return { ...row, verdict: 'fail', reason: `${query.name}: ${error}` };
  if (!limits.length) return row;
  const missing = [row.canary === null ? 'the canary' : null, compares && row.baseline === null ? 'the baseline' : null].filter(Boolean);
  if (missing.length) {
    const reason = `${query.name}: the query returned no data for ${missing.join(' and ')}`;
    return onNoData === 'pass' ? { ...row, verdict: 'pass', reason: `${reason} (onNoData: pass)` } : { ...row, verdict: 'fail', reason };
  }
  const failures: string[] = [];
  const value = row.canary!;
  if (query.max !== undefined && value > query.max) failures.push(`${query.name} ${formatMetric(value, '')} is above max ${formatMetric(query.max, '')}`);
  if (compares) {
    const base = row.baseline!;
    const ratio = base !== 0 ? value / base : value === 0 ? 1 : Infinity;
    if (ratio > query.maxRatio!) failures.push(`${query.name} ${formatMetric(value, '')} is ${formatRatio(ratio)} the baseline's ${formatMetric(base, '')} (limit ${query.maxRatio}×)`);
  }
  return { ...row, verdict: failures.length ? 'fail' : 'pass', reason: failures.join('; ') || null };
}

/** The analysis passes when no row fails; its reason is the failures, in words. */
export function overallVerdict(rows: readonly AnalysisRow[]): { passed: boolean; reason: string | null } {
  const failed = rows.filter((row) => row.verdict === 'fail');
  return { passed: failed.length === 0, reason: failed.length ? failed.map((row) => row.reason ?? row.metric).join('; ') : null };
}

function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${Number(ratio.toFixed(2))}×` : 'infinitely above';
}
