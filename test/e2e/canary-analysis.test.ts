import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryAnalysis } from '../../src/analysis/types.js';
import { exampleNodePath } from '../../src/example/app-files.js';
import { writeFiles } from '../../src/example/repository.js';
import { buttonsOf, textOf } from '../support/fake-slack.js';
import { API_TOKEN, APP_PORT, startHarness, type Harness } from '../support/igor-harness.js';
import { freePort } from '../support/processes.js';
import { startPrometheus, type Prometheus } from '../support/prometheus.js';
import { slackDriver } from './slack-driver.js';

/**
 * 40 ms of work per request: a SLOW release takes 120 ms, far past the 1.5× allowed here; the
 * margins (1.5×, a 10 ms floor) keep a canary whose JIT is still cold on a busy machine from being
 * taken for a slow one.
 */
const RESTART = `APP_PORT=${APP_PORT} APP_WORK_MS=40 NODE_PATH=${exampleNodePath()} bash scripts/restart.sh`;
/**
 * The share of 500s among the requests the app answered, per host. A 10 s rate window: with a 1 s
 * scrape on a busy machine, shorter windows can hold fewer than the two samples rate() needs.
 */
const ERROR_RATIO = `(sum(rate(http_requests_total{instance="{instance}",code="500"}[10s])) or vector(0)) / sum(rate(http_requests_total{instance="{instance}"}[10s]))`;

function analysis(prometheusUrl: string, load: Record<string, unknown> = {}) {
  return {
    baseline: 'previous',
    load: { path: '/', rate: 25, duration: '5s', concurrency: 5, maxLatencyRatio: 1.5, maxErrorRate: '1%', latencyFloor: '10ms', timeout: '1s', ...load },
    prometheus: { url: prometheusUrl, timeout: '2s', onNoData: 'fail', queries: [{ name: 'error ratio', query: ERROR_RATIO, max: 0.05, compare: 'baseline', maxRatio: 1.5 }] },
  };
}

async function commit(h: Harness, change: { add?: Record<string, string>; remove?: string[] }, message: string): Promise<void> {
  await writeFiles(h.repo, change.add ?? {});
  for (const file of change.remove ?? []) await rm(join(h.repo, file), { force: true });
  const git = simpleGit(h.repo);
  await git.add(['-A', '.']);
  await git.commit(message);
}

async function deployed(h: Harness, id: string) {
  expect(await (await slackDriver(h).slash('main', 'U0ALICE')).answer()).toContain(`Deployment ${id}`);
  return h.slack.waitFor(() => (h.igor.pipeline.get(id)?.finishedAt ? h.igor.pipeline.get(id) : undefined), { what: `deployment ${id} to end`, timeoutMs: 90_000 });
}

/** The analysis table as the thread shows it. */
async function tableIn(h: Harness, id: string): Promise<string> {
  return h.slack.waitFor(() => slackDriver(h).thread(id).map(textOf).find((text) => text.includes('Canary analysis of')), { what: `the analysis table of deployment ${id}` });
}

/** One row of the thread's table, split into its cells. */
function tableRow(table: string, metric: string): string[] {
  const line = table.split('\n').find((entry) => entry.startsWith(`${metric}  `));
  if (!line) throw new Error(`no row ${metric} in:\n${table}`);
  return line.slice(metric.length).replace(/`+$/, '').trim().split(/ {2,}/);
}

const rowOf = (analysis: CanaryAnalysis | null | undefined, metric: string) => analysis?.rows.find((row) => row.metric === metric);

describe('canary analysis against a baseline, on sshd hosts with a real Prometheus', () => {
  let h: Harness;
  let prometheus: Prometheus | undefined;
  beforeAll(async () => {
    h = await startHarness({ hosts: 3, staging: { restart: RESTART, strategy: { canary: { servers: 1, bake: '7s', promote: 'auto', analysis: analysis('http://127.0.0.1:9') }, waves: ['100%'] } } });
    prometheus = await startPrometheus(h.fleet.hosts.map((host) => `${host.host}:${APP_PORT}`));
    h.igor.config.environments.staging!.strategy.canary!.analysis!.prometheus!.url = prometheus.url;
    // The first deployment has nothing live to compare with: absolute limits, and it goes live.
    const first = await deployed(h, '1');
    expect([first.state, first.reason]).toEqual(['succeeded', null]);
    expect(first.analysis).toMatchObject({ state: 'passed', baseline: null });
    expect(slackDriver(h).thread('1').map(textOf).join('\n')).toContain('web-2 runs no release yet: the canary analysis uses absolute limits only.');
    await prometheus.waitForTargets();
  }, 180_000);
  afterAll(async () => {
    await prometheus?.stop();
    await h?.close();
  });

  it('promotes a healthy canary that passes the load probe and the Prometheus query against the baseline', async () => {
    await commit(h, { add: { 'lib/greeting.js': "exports.greeting = (name) => 'hello, ' + name;\n// v2\n" } }, 'v2');
    const second = await deployed(h, '2');
    expect([second.state, second.reason]).toEqual(['succeeded', null]);
    expect(second.analysis).toMatchObject({ state: 'passed', canary: 'web-1', baseline: 'web-2', reason: null });
    const requests = rowOf(second.analysis, 'requests')!;
    // rate × duration, bounded: 25/s for 5 s to each host.
    expect(requests.canary).toBeGreaterThanOrEqual(110);
    expect(requests.canary).toBeLessThanOrEqual(125);
    expect(requests.baseline).toBeGreaterThanOrEqual(110);
    expect(rowOf(second.analysis, 'p95 latency')).toMatchObject({ verdict: 'pass' });
    expect(rowOf(second.analysis, 'p95 latency')!.canary).toBeGreaterThanOrEqual(40);
    expect(rowOf(second.analysis, 'error ratio')).toMatchObject({ verdict: 'pass', canary: 0, baseline: 0 });
    expect(second.analysis!.series.canary.length).toBeGreaterThanOrEqual(3);

    const table = await tableIn(h, '2');
    expect(table).toContain('Canary analysis of web-1 against web-2: *passed*');
    expect(tableRow(table, 'p95 latency')).toEqual([expect.stringMatching(/^\d+ms$/), expect.stringMatching(/^\d+ms$/), '≤ 1.5× baseline', 'pass']);
    expect(tableRow(table, 'error ratio')).toEqual(['0', '0', '≤ 0.05, ≤ 1.5× baseline', 'pass']);
    expect(slackDriver(h).thread('2').map(textOf).join('\n')).toContain('and its analysis passed: promoted by policy');

    const api = (await (await fetch(`${h.igor.url}/api/deployments/2`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as { analysis: CanaryAnalysis };
    expect(api.analysis).toMatchObject({ state: 'passed', canary: 'web-1', baseline: 'web-2' });
    expect(api.analysis.rows.map((row) => row.metric)).toEqual(['requests', 'p50 latency', 'p95 latency', 'p99 latency', 'error rate', 'error ratio']);
  });

  it('rolls back a canary three times slower, with the numbers in the thread', async () => {
    await commit(h, { add: { SLOW: 'three times the work\n' } }, 'slow');
    const third = await deployed(h, '3');
    expect(third.state).toBe('rolled-back');
    expect(third.reason).toMatch(/rolled back automatically: the canary analysis failed: p95 \d+ms is [\d.]+× the baseline's \d+ms \(limit 1.5×\)/);
    const p95 = rowOf(third.analysis, 'p95 latency')!;
    expect(p95.verdict).toBe('fail');
    // The verdict is the ratio against maxLatencyRatio (1.5); how far above it depends on the machine's load.
    expect(p95.canary! / p95.baseline!).toBeGreaterThan(1.5);
    expect(third.hosts.map((host) => [host.host, host.state])).toEqual([
      ['web-1', 'rolled-back'],
      ['web-2', 'untouched'],
      ['web-3', 'untouched'],
    ]);
    const table = await tableIn(h, '3');
    expect(table).toContain('*failed*');
    expect(tableRow(table, 'p95 latency')).toEqual([`${p95.canary}ms`, `${p95.baseline}ms`, '≤ 1.5× baseline', 'FAIL']);
  });

  it('rolls back a canary answering one request in ten with a 500: the Prometheus query against the baseline fails', async () => {
    await commit(h, { add: { FAILING: 'one in ten\n' }, remove: ['SLOW'] }, 'failing');
    // The load probe's own error limit is wide here, so the metric is what catches it.
    h.igor.config.environments.staging!.strategy.canary!.analysis!.load!.maxErrorRate = 0.5;
    try {
      const fourth = await deployed(h, '4');
      expect(fourth.state).toBe('rolled-back');
      const errors = rowOf(fourth.analysis, 'error ratio')!;
      expect(errors).toMatchObject({ verdict: 'fail', baseline: 0 });
      // Averaged over the bake, edges included, so below the 10% served: what fails it is the baseline's 0.
      expect(errors.canary).toBeGreaterThan(0.02);
      expect(errors.reason).toMatch(/error ratio [\d.]+ is infinitely above the baseline's 0 \(limit 1\.5×\)/);
      expect(rowOf(fourth.analysis, 'error rate')).toMatchObject({ verdict: 'pass' });
      expect(rowOf(fourth.analysis, 'error rate')!.canary).toBeCloseTo(0.1, 1);
      expect(fourth.reason).toContain('the canary analysis failed: error ratio');
      const table = await tableIn(h, '4');
      expect(tableRow(table, 'error ratio').at(-1)).toBe('FAIL');
    } finally {
      h.igor.config.environments.staging!.strategy.canary!.analysis!.load!.maxErrorRate = 0.01;
    }
  });

  it('fails the canary when Prometheus cannot be reached, and says so', async () => {
    const prometheusConfig = h.igor.config.environments.staging!.strategy.canary!.analysis!.prometheus!;
    const before = prometheusConfig.url;
    prometheusConfig.url = `http://127.0.0.1:${await freePort()}`;
    try {
      await commit(h, { remove: ['FAILING'] }, 'healthy again');
      const fifth = await deployed(h, '5');
      expect(fifth.state).toBe('rolled-back');
      expect(rowOf(fifth.analysis, 'p95 latency')).toMatchObject({ verdict: 'pass' });
      expect(rowOf(fifth.analysis, 'error ratio')).toMatchObject({ verdict: 'fail', canary: null });
      expect(fifth.reason).toMatch(/the canary analysis failed: error ratio: http:\/\/127\.0\.0\.1:\d+ could not be reached \(ECONNREFUSED\): is Prometheus running at prometheus\.url\?/);
      expect(await tableIn(h, '5')).toContain('could not be reached (ECONNREFUSED)');
    } finally {
      prometheusConfig.url = before;
    }
  });

  it('stops the probe at once on Cancel during the bake, and puts the canary back', async () => {
    const canary = h.igor.config.environments.staging!.strategy.canary!;
    const before = { bake: canary.bake, duration: canary.analysis!.load!.duration };
    canary.bake = 60_000;
    canary.analysis!.load!.duration = 60_000;
    try {
      await commit(h, { add: { 'lib/greeting.js': "exports.greeting = (name) => 'hello, ' + name;\n// v6\n" } }, 'v6');
      const slack = slackDriver(h);
      await slack.slash('main', 'U0ALICE');
      await h.slack.waitFor(() => h.igor.pipeline.get('6')?.analysis?.state === 'running' || undefined, { what: 'the analysis to run', timeoutMs: 60_000 });
      const baseline = h.fleet.hosts.find((host) => host.name === 'web-2')!.host;
      const served = async () => Number(/http_requests_total\{code="200",path="\/"\} (\d+)/.exec(await (await fetch(`http://${baseline}:${APP_PORT}/metrics`)).text())?.[1] ?? 0);
      for (let tries = 0; (await served()) === 0; tries++) {
        if (tries > 100) throw new Error('the probe never reached the baseline');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const root = await h.slack.waitFor(() => (buttonsOf(slack.root('6')).some((b) => b.text === 'Cancel') ? slack.root('6') : undefined), { what: 'the Cancel button' });
      const pressed = Date.now();
      await slack.press(root, 'Cancel', 'U0ALICE');
      const cancelled = await slack.state('6', 'cancelled');
      expect(Date.now() - pressed).toBeLessThan(15_000);
      expect(cancelled.analysis).toMatchObject({ state: 'stopped', reason: 'stopped with the bake' });
      expect(cancelled.hosts.map((host) => [host.host, host.state])).toEqual([
        ['web-1', 'rolled-back'],
        ['web-2', 'untouched'],
        ['web-3', 'untouched'],
      ]);
      const after = await served();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await served()).toBe(after);
    } finally {
      Object.assign(canary, { bake: before.bake });
      canary.analysis!.load!.duration = before.duration;
    }
  });
});

describe('canary analysis without a baseline, and with manual promotion', () => {
  let harness: Harness | undefined;
  let prometheus: Prometheus | undefined;
  afterEach(async () => {
    await prometheus?.stop();
    await harness?.close();
    prometheus = undefined;
    harness = undefined;
  });

  it('judges a one-host fleet by absolute limits: maxP95 lets a healthy release through and stops a slow one', async () => {
    const h = (harness = await startHarness({ hosts: 1, staging: { restart: RESTART, strategy: { canary: { servers: 1, bake: '7s', promote: 'auto', analysis: analysis('http://127.0.0.1:9', { maxP95: '80ms' }) } } } }));
    prometheus = await startPrometheus(h.fleet.hosts.map((host) => `${host.host}:${APP_PORT}`));
    const canary = h.igor.config.environments.staging!.strategy.canary!;
    const settings = canary.analysis!;
    settings.prometheus!.url = prometheus.url;
    // A first release without the analysis, so the app is up and scraped before one is judged.
    canary.analysis = undefined;
    expect((await deployed(h, '1')).state).toBe('succeeded');
    canary.analysis = settings;
    await prometheus.waitForTargets();
    await commit(h, { add: { 'lib/greeting.js': "exports.greeting = (name) => 'hello, ' + name;\n// v2\n" } }, 'v2');
    const healthy = await deployed(h, '2');
    expect([healthy.state, healthy.reason]).toEqual(['succeeded', null]);
    expect(healthy.analysis).toMatchObject({ state: 'passed', baseline: null });
    expect(rowOf(healthy.analysis, 'p95 latency')).toMatchObject({ verdict: 'pass', limit: '≤ 80ms', baseline: null });
    expect(rowOf(healthy.analysis, 'error ratio')).toMatchObject({ verdict: 'pass', limit: '≤ 0.05' });
    expect(tableRow(await tableIn(h, '2'), 'p95 latency')).toEqual([expect.stringMatching(/ms$/), 'n/a', '≤ 80ms', 'pass']);

    await commit(h, { add: { SLOW: 'three times the work\n' } }, 'slow');
    const slow = await deployed(h, '3');
    expect(slow.state).toBe('rolled-back');
    expect(slow.reason).toMatch(/the canary analysis failed: p95 \d+ms is above maxP95 80ms/);
  });

  it('shows the table in the Promote / Rollback message with promote: manual', async () => {
    const h = (harness = await startHarness({ hosts: 2, staging: { restart: RESTART, strategy: { canary: { servers: 1, bake: '7s', promote: 'manual', analysis: analysis('http://127.0.0.1:9') } } } }));
    prometheus = await startPrometheus(h.fleet.hosts.map((host) => `${host.host}:${APP_PORT}`));
    h.igor.config.environments.staging!.strategy.canary!.analysis!.prometheus!.url = prometheus.url;
    const slack = slackDriver(h);
    await slack.slash('main', 'U0ALICE');
    const ask = await h.slack.waitFor(() => slack.thread('1').find((message) => buttonsOf(message).some((b) => b.text === 'Promote')), { what: 'the promotion request', timeoutMs: 60_000 });
    const text = textOf(ask);
    expect(text).toContain('baked and is healthy and passed its analysis');
    expect(text).toContain('Canary analysis of web-1 (no baseline: absolute limits): *passed*');
    expect(tableRow(text, 'error rate')).toEqual(['0%', 'n/a', '≤ 1%', 'pass']);
    expect(buttonsOf(ask).map((b) => b.text)).toEqual(['Promote', 'Rollback']);
    await slack.press(ask, 'Promote', 'U0BOB');
    expect((await slack.state('1', 'succeeded')).analysis).toMatchObject({ state: 'passed' });
  });
});
