import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { analysisTarget, fillQuery } from '../../src/analysis/targets.js';

const base = (analysis: unknown, health: unknown = { url: 'http://{host}:8080/health' }) => ({
  app: 'shop',
  repo: '/tmp/repo',
  channels: { deploys: 'C0DEPLOYS' },
  environments: { production: { servers: { local: [{ name: 'web-1', path: '/tmp/web-1' }] }, health, strategy: { canary: { servers: 1, bake: '30s', analysis } } } },
});

const issues = (input: unknown) => {
  const result = configSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('strategy.canary.analysis', () => {
  it('reads the contract example, with durations and shares parsed', () => {
    const parsed = configSchema.parse(
      base({
        baseline: 'previous',
        load: { path: '/', rate: 50, duration: '20s', concurrency: 10, maxLatencyRatio: 1.25, maxErrorRate: '1%', maxP95: '500ms' },
        prometheus: { url: 'http://127.0.0.1:9090', queries: [{ name: 'errors', query: 'sum(rate(x{instance="{instance}"}[1m]))', max: 0.5, compare: 'baseline', maxRatio: 1.5 }], onNoData: 'fail' },
      }),
    );
    const analysis = parsed.environments.production!.strategy.canary!.analysis!;
    expect(analysis.load).toMatchObject({ rate: 50, duration: 20_000, maxErrorRate: 0.01, maxP95: 500, latencyFloor: 5, timeout: 2_000 });
    expect(analysis.prometheus).toMatchObject({ timeout: 5_000, onNoData: 'fail' });
  });

  it('names what is wrong: a path that leaves the host, a bound too large, a query without a limit, no health check', () => {
    expect(issues(base({ load: { path: '//evil.example/', rate: 1 } }))).toEqual([expect.stringContaining('load.path: must be a path on the host')]);
    expect(issues(base({ load: { rate: 1000, duration: '10m' } }))).toEqual([expect.stringContaining('rate × duration must stay within 100000 requests')]);
    expect(issues(base({ prometheus: { url: 'http://p:9090', queries: [{ name: 'q', query: 'up' }] } }))).toEqual([expect.stringContaining('needs max, or compare: baseline with maxRatio')]);
    const withoutHealth = base({ load: { rate: 1 } });
    Reflect.deleteProperty(withoutHealth.environments.production, 'health');
    expect(issues(withoutHealth)).toEqual([expect.stringContaining('environments.production.health: is required with strategy.canary.analysis')]);
    expect(issues(base({ load: { rate: 1, extra: 1 } }))).toEqual([expect.stringContaining('extra')]);
  });

  it('targets the health URL origin of the server, and fills {instance} as a PromQL string', () => {
    const health = configSchema.parse(base({ load: { rate: 1, path: '/items?x=1' } })).environments.production!.health!;
    const target = analysisTarget({ name: 'web-1', address: '127.0.0.7', via: 'local', path: '/srv' }, health, { baseline: 'previous', load: { path: '/items?x=1' } as never });
    expect(target).toEqual({ name: 'web-1', url: 'http://127.0.0.7:8080/items?x=1', instance: '127.0.0.7:8080', host: '127.0.0.7' });
    expect(fillQuery('up{instance="{instance}"}', { ...target, instance: 'a"b' })).toBe('up{instance="a\\"b"}');
    expect(analysisTarget({ name: 'w', address: '10.0.0.5', via: 'ssh', path: '/srv' }, health, { baseline: 'none', instanceFormat: '{host}:9100' } as never).instance).toBe('10.0.0.5:9100');
  });
});
