import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import * as loadtest from 'loadtest';
import type { LoadConfig } from '../config/schema.js';
import type { LoadStats } from './types.js';

/** What of loadtest 8's result the probe reads (its bundled typings describe the callback API only). */
interface LoadTestResult {
  totalRequests: number;
  totalErrors: number;
  effectiveRps: number;
  percentiles: Record<50 | 90 | 95 | 99, number | false>;
}

type RequestFunction = (options: RequestOptions, onResponse: (response: IncomingMessage) => void) => ClientRequest;

interface LoadTestOptions {
  url: string;
  requestsPerSecond: number;
  maxRequests: number;
  maxSeconds: number;
  concurrency: number;
  timeout: number;
  quiet: boolean;
  agentKeepAlive: boolean;
  requestGenerator(options: unknown, params: RequestOptions, request: RequestFunction, onResponse: (response: IncomingMessage) => void): ClientRequest;
  statusCallback(error: unknown, result: { requestElapsed?: number } | undefined): void;
}

const runLoadTest = (loadtest as unknown as { loadTest(options: LoadTestOptions): Promise<LoadTestResult> }).loadTest;

/**
 * Requests `url` at a constant `rate` for `duration` (at most rate × duration requests, each cut
 * after `timeout`), and measures latency percentiles and the error rate. A constant request rate,
 * not "as fast as it goes", so the canary and the baseline get the same load whatever their speed.
 *
 * On `signal` it returns at once with what it has; requests still due fail locally (the signal is
 * on each of them) until loadtest's own bound ends it.
 * @example await runLoadProbe('http://10.0.0.5:8080/', { rate: 50, duration: 20_000, … }, signal) // { p95: 12, errorRate: 0, … }
 */
export async function runLoadProbe(url: string, load: Pick<LoadConfig, 'rate' | 'duration' | 'concurrency' | 'timeout'>, signal: AbortSignal): Promise<LoadStats> {
  const started = performance.now();
  const perSecond: number[][] = [];
  const maxRequests = Math.max(1, Math.round(load.rate * (load.duration / 1_000)));
  const run = runLoadTest({
    url,
    requestsPerSecond: load.rate,
    maxRequests,
    // Its own clock may start a little late: a second of slack, and maxRequests bounds the count.
    maxSeconds: load.duration / 1_000 + 1,
    concurrency: load.concurrency,
    timeout: load.timeout,
    quiet: true,
    agentKeepAlive: true,
    requestGenerator: (_options, params, request, onResponse) => request({ ...params, signal }, onResponse),
    statusCallback: (_error, result) => {
      if (result?.requestElapsed === undefined) return;
      const second = Math.floor((performance.now() - started) / 1_000);
      (perSecond[second] ??= []).push(result.requestElapsed);
    },
  });
  const aborted = new Promise<null>((resolve) => {
    if (signal.aborted) resolve(null);
    signal.addEventListener('abort', () => resolve(null), { once: true });
  });
  const result = await Promise.race([run, aborted]);
  if (!result) throw signal.reason instanceof Error ? signal.reason : new Error('the load probe was stopped');
  const requests = result.totalRequests;
  const percentile = (value: number | false) => (value === false ? 0 : value);
  return {
    requests,
    errors: result.totalErrors,
    errorRate: requests > 0 ? result.totalErrors / requests : 1,
    p50: percentile(result.percentiles[50]),
    p95: percentile(result.percentiles[95]),
    p99: percentile(result.percentiles[99]),
    rps: result.effectiveRps || 0,
    series: perSecond.flatMap((latencies, second) => (latencies?.length ? [[second, quantile(latencies, 0.95)] as [number, number]] : [])),
  };
}

/** The q-quantile of some latencies (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}
