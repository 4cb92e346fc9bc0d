import { describe, expect, it } from 'vitest';
import type { LoadStats } from '../../src/analysis/types.js';
import { judgeLoad, judgeQuery, overallVerdict } from '../../src/analysis/verdict.js';
import { meanOfSum } from '../../src/analysis/prometheus.js';

const stats = (p95: number, errorRate = 0): LoadStats => ({ requests: 100, errors: Math.round(errorRate * 100), errorRate, p50: p95 / 2, p95, p99: p95 * 1.2, rps: 50, series: [] });
const limits = { maxLatencyRatio: 1.25, maxErrorRate: 0.01, latencyFloor: 5, maxP95: undefined };
const row = (rows: ReturnType<typeof judgeLoad>, metric: string) => rows.find((r) => r.metric === metric)!;

describe('judgeLoad', () => {
  it('fails a canary whose p95 is three times the baseline and says by how much', () => {
    const p95 = row(judgeLoad(stats(60), stats(20), limits), 'p95 latency');
    expect(p95).toMatchObject({ canary: 60, baseline: 20, verdict: 'fail', limit: '≤ 1.25× baseline' });
    expect(p95.reason).toBe("p95 60ms is 3× the baseline's 20ms (limit 1.25×)");
  });

  it('passes a canary within the ratio', () => {
    expect(row(judgeLoad(stats(24), stats(20), limits), 'p95 latency').verdict).toBe('pass');
  });

  it('never fails on microsecond noise: 3ms against 1ms is under the latency floor', () => {
    expect(row(judgeLoad(stats(3), stats(1), limits), 'p95 latency').verdict).toBe('pass');
    expect(row(judgeLoad(stats(3), stats(0), limits), 'p95 latency').verdict).toBe('pass');
  });

  it('fails an error rate more than maxErrorRate above the baseline, and passes one within it', () => {
    const failed = row(judgeLoad(stats(10, 0.1), stats(10, 0), limits), 'error rate');
    expect(failed).toMatchObject({ verdict: 'fail', limit: '≤ baseline + 1%' });
    expect(failed.reason).toBe("error rate 10% against the baseline's 0% (limit ≤ baseline + 1%)");
    expect(row(judgeLoad(stats(10, 0.05), stats(10, 0.045), limits), 'error rate').verdict).toBe('pass');
    expect(row(judgeLoad(stats(10, 0.01), stats(10, 0), limits), 'error rate').verdict).toBe('pass');
  });

  it('uses absolute limits without a baseline: maxP95 and maxErrorRate', () => {
    const rows = judgeLoad(stats(600, 0.02), null, { ...limits, maxP95: 500 });
    expect(row(rows, 'p95 latency')).toMatchObject({ baseline: null, limit: '≤ 500ms', verdict: 'fail', reason: 'p95 600ms is above maxP95 500ms' });
    expect(row(rows, 'error rate')).toMatchObject({ limit: '≤ 1%', verdict: 'fail' });
    expect(row(judgeLoad(stats(400), null, { ...limits, maxP95: 500 }), 'p95 latency').verdict).toBe('pass');
    expect(row(judgeLoad(stats(400), null, limits), 'p95 latency')).toMatchObject({ verdict: 'info', limit: 'no baseline, no maxP95' });
  });

  it('shows requests, p50 and p99 without judging them', () => {
    const rows = judgeLoad(stats(10), stats(10), limits);
    expect(rows.map((r) => [r.metric, r.verdict])).toEqual([
      ['requests', 'info'],
      ['p50 latency', 'info'],
      ['p95 latency', 'pass'],
      ['p99 latency', 'info'],
      ['error rate', 'pass'],
    ]);
  });
});

describe('judgeQuery', () => {
  const errors = { name: 'errors', max: 0.5, compare: 'baseline' as const, maxRatio: 1.5 };

  it('fails above max, and above maxRatio × the baseline', () => {
    expect(judgeQuery(errors, { value: 0.7 }, { value: 0.6 }, 'fail')).toMatchObject({ verdict: 'fail', reason: 'errors 0.7 is above max 0.5' });
    expect(judgeQuery(errors, { value: 0.4 }, { value: 0.2 }, 'fail')).toMatchObject({ verdict: 'fail', reason: "errors 0.4 is 2× the baseline's 0.2 (limit 1.5×)" });
    expect(judgeQuery(errors, { value: 0.25 }, { value: 0.2 }, 'fail')).toMatchObject({ verdict: 'pass', limit: '≤ 0.5, ≤ 1.5× baseline' });
  });

  it('matches a baseline of zero only with zero', () => {
    expect(judgeQuery(errors, { value: 0 }, { value: 0 }, 'fail').verdict).toBe('pass');
    expect(judgeQuery(errors, { value: 0.1 }, { value: 0 }, 'fail').reason).toBe("errors 0.1 is infinitely above the baseline's 0 (limit 1.5×)");
  });

  it('fails on no data unless onNoData is pass', () => {
    expect(judgeQuery(errors, { value: null }, { value: 0 }, 'fail')).toMatchObject({ verdict: 'fail', reason: 'errors: the query returned no data for the canary' });
    expect(judgeQuery(errors, { value: null }, { value: null }, 'pass')).toMatchObject({ verdict: 'pass', reason: 'errors: the query returned no data for the canary and the baseline (onNoData: pass)' });
  });

  it('fails with the error when Prometheus could not answer', () => {
    expect(judgeQuery(errors, { error: 'http://127.0.0.1:9 could not be reached (ECONNREFUSED)' }, null, 'pass')).toMatchObject({ verdict: 'fail', reason: 'errors: http://127.0.0.1:9 could not be reached (ECONNREFUSED)' });
  });

  it('leaves the comparison out without a baseline host', () => {
    expect(judgeQuery(errors, { value: 0.4 }, null, 'fail')).toMatchObject({ verdict: 'pass', limit: '≤ 0.5' });
    expect(judgeQuery({ name: 'ratio', compare: 'baseline', maxRatio: 2 }, { value: 9 }, null, 'fail')).toMatchObject({ verdict: 'info', limit: 'no baseline to compare' });
  });
});

describe('overallVerdict and meanOfSum', () => {
  it('fails when any row fails, with every failure in the reason', () => {
    const rows = [...judgeLoad(stats(60, 0.1), stats(20), limits), judgeQuery({ name: 'errors', max: 0.5 }, { value: 0.1 }, null, 'fail')];
    const verdict = overallVerdict(rows);
    expect(verdict.passed).toBe(false);
    expect(verdict.reason).toContain("p95 60ms is 3× the baseline's 20ms");
    expect(verdict.reason).toContain('error rate 10%');
    expect(overallVerdict(judgeLoad(stats(10), stats(10), limits))).toEqual({ passed: true, reason: null });
  });

  it('sums series per step and averages over the window, leaving NaN out', () => {
    expect(meanOfSum([{ values: [[1, '1'], [2, '3']] }, { values: [[1, '1'], [2, 'NaN']] }])).toBe(2.5);
    expect(meanOfSum([{ values: [[1, 'NaN']] }])).toBeNull();
    expect(meanOfSum([])).toBeNull();
  });
});
