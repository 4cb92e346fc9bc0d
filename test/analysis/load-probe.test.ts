import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runLoadProbe } from '../../src/analysis/load-probe.js';
import { queryRangeMean } from '../../src/analysis/prometheus.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A loopback server whose handler decides each answer; counts requests. */
async function serve(handler: (count: number, answer: (status: number) => void) => void): Promise<{ url: string; count(): number }> {
  let count = 0;
  server = createServer((_request, response) => {
    count++;
    handler(count, (status) => response.writeHead(status).end('x'));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, count: () => count };
}

describe('runLoadProbe', () => {
  it('sends at most rate × duration requests at a steady rate and counts errors', async () => {
    const target = await serve((count, answer) => answer(count % 4 === 0 ? 500 : 200));
    const stats = await runLoadProbe(target.url, { rate: 40, duration: 1_000, concurrency: 4, timeout: 1_000 }, new AbortController().signal);
    expect(target.count()).toBeLessThanOrEqual(40);
    expect(stats.requests).toBeGreaterThanOrEqual(35);
    expect(stats.errorRate).toBeCloseTo(0.25, 1);
    expect(stats.series.length).toBeGreaterThanOrEqual(1);
  });

  it('cuts a request after its timeout and counts it as an error', async () => {
    const target = await serve(() => undefined);
    const started = Date.now();
    const stats = await runLoadProbe(target.url, { rate: 10, duration: 500, concurrency: 2, timeout: 200 }, new AbortController().signal);
    expect(stats.errorRate).toBe(1);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('stops at once when its signal fires', async () => {
    const target = await serve((_count, answer) => setTimeout(() => answer(200), 50));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 300);
    const started = Date.now();
    await expect(runLoadProbe(target.url, { rate: 20, duration: 10_000, concurrency: 2, timeout: 1_000 }, controller.signal)).rejects.toThrow('cancelled');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('queryRangeMean', () => {
  it('says Prometheus cannot be reached, naming the setting', async () => {
    const target = await serve((_count, answer) => answer(200));
    const url = target.url.replace(/\/$/, '');
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const start = new Date(Date.now() - 10_000);
    await expect(queryRangeMean({ url, query: 'up', start, end: new Date(), stepMs: 1_000, timeoutMs: 1_000, signal: new AbortController().signal })).rejects.toThrow(/could not be reached \(ECONNREFUSED\): is Prometheus running at prometheus.url\?/);
  });

  it('gives up after its timeout when Prometheus does not answer', async () => {
    const target = await serve(() => undefined);
    const start = new Date(Date.now() - 10_000);
    await expect(queryRangeMean({ url: target.url, query: 'up', start, end: new Date(), stepMs: 1_000, timeoutMs: 300, signal: new AbortController().signal })).rejects.toThrow('did not answer within 300ms');
  });
});
