import { describe, expect, it } from 'vitest';
import type { CanaryAnalysis } from '../../src/analysis/types.js';
import { analysisMessage, analysisTable } from '../../src/chat/analysis-message.js';
import { latencyChart } from '../../src/chat/console/analysis-chart.js';

const analysis = (overrides: Partial<CanaryAnalysis> = {}): CanaryAnalysis => ({
  state: 'failed',
  canary: 'web-1',
  baseline: 'web-2',
  startedAt: '2026-12-03T10:00:00.000Z',
  finishedAt: '2026-12-03T10:00:20.000Z',
  rows: [
    { metric: 'p95 latency', source: 'load', canary: 61, baseline: 21, unit: 'ms', limit: '≤ 1.25× baseline', verdict: 'fail', reason: "p95 61ms is 2.9× the baseline's 21ms (limit 1.25×)" },
    { metric: 'error rate', source: 'load', canary: 0.1, baseline: 0, unit: '%', limit: '≤ baseline + 1%', verdict: 'fail', reason: 'error rate 10%' },
    { metric: 'errors', source: 'prometheus', canary: 0.031, baseline: null, unit: '', limit: '≤ 0.5', verdict: 'pass', reason: null },
  ],
  reason: "p95 61ms is 2.9× the baseline's 21ms (limit 1.25×); error rate 10%",
  series: { canary: [[0, 60], [1, 62]], baseline: [[0, 20], [1, 22]] },
  ...overrides,
});

describe('the analysis table in the thread', () => {
  it('has one row per metric with canary, baseline, limit and verdict, columns aligned', () => {
    expect(analysisTable(analysis())).toBe(
      [
        'metric       canary  baseline  limit             verdict',
        'p95 latency  61ms    21ms      ≤ 1.25× baseline  FAIL',
        'error rate   10%     0%        ≤ baseline + 1%   FAIL',
        'errors       0.031   —         ≤ 0.5             pass',
      ].join('\n'),
    );
  });

  it('escapes what it did not write itself, so a reason cannot ping or link', () => {
    const text = JSON.stringify(analysisMessage(analysis({ canary: '<!channel>', reason: '<https://evil.example|Approve>' })).blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<https://evil');
  });

  it('says there is no baseline', () => {
    expect(JSON.stringify(analysisMessage(analysis({ baseline: null })))).toContain('(no baseline: absolute limits)');
  });
});

describe('the latency chart on the deployment page', () => {
  it('draws one polyline per host and escapes names', () => {
    const svg = latencyChart(analysis({ canary: '<script>alert(1)</script>', baseline: 'web-"2"' }))!;
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('web-&quot;2&quot;');
    expect(svg).not.toMatch(/style=|on\w+=/);
  });

  it('leaves out points that are not finite, and draws nothing without a series', () => {
    const svg = latencyChart(analysis({ series: { canary: [[0, Number.NaN], [1, 5]], baseline: null } }))!;
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg).not.toContain('NaN');
    expect(latencyChart(analysis({ series: { canary: [], baseline: [] } }))).toBeNull();
    expect(latencyChart(null)).toBeNull();
  });
});
