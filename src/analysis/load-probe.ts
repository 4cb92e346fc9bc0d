import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import * as loadtest from 'loadtest';
import type { LoadConfig } from '../config/schema.js';
import type { LoadStats } from './types.js';

/** What of loadtest 8's result the probe reads (its bundled typings describe the callback API only). */
interface LoadTestResult {
  percentiles: Record<50 | 90 | 95 | 99, number | false>;
}

type RequestFunction = (options: RequestOptions, onResponse: (response: IncomingMessage) => void) => ClientRequest;

interface LoadTestOptions {
  url: string;
  requestsPerSecond: number;
  maxRequests: number;
  maxSeconds: number;
  concurrency: number;
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
 * On `signal` it stops at once: requests in flight are destroyed, requests still due fail locally
 * without touching the network until loadtest's own bound ends it.
 * @example await runLoadProbe('http://10.0.0.5:8080/', { rate: 50, duration: 20_000, … }, signal) // { p95: 12, errorRate: 0, … }
 */
export async function runLoadProbe(url: string, load: Pick<LoadConfig, 'rate' | 'duration' | 'concurrency' | 'timeout'>, signal: AbortSignal): Promise<LoadStats> {
  const started = performance.now();
  const perSecond: number[][] = [];
  let finished = 0;
  let failed = 0;
  const maxRequests = Math.max(1, Math.round(load.rate * (load.duration / 1_000)));
  // Requests in flight, destroyed when the probe is stopped (one listener on the signal, not one per request).
  const inFlight = new Set<ClientRequest>();
  const stopAll = () => {
    for (const request of inFlight) request.destroy(new Error('the load probe was stopped'));
  };
  signal.addEventListener('abort', stopAll, { once: true });
  const run = runLoadTest({
    url,
    requestsPerSecond: load.rate,
    maxRequests,
    // Its own clock may start a little late: a second of slack, and maxRequests bounds the count.
    maxSeconds: load.duration / 1_000 + 1,
    concurrency: load.concurrency,
    quiet: true,
    agentKeepAlive: true,
    requestGenerator: (_options, params, request, onResponse) => {
      const sent = request(params, onResponse);
      if (signal.aborted) sent.destroy(new Error('the load probe was stopped'));
      else {
        inFlight.add(sent);
        sent.once('close', () => inFlight.delete(sent));
        // The hard timeout, here rather than loadtest's own, which counts a timed-out request twice
        // and leaves its socket open: destroyed, it ends once, as an error.
        sent.setTimeout(load.timeout, () => sent.destroy(new Error(`no answer within ${load.timeout}ms`)));
      }
      return sent;
    },
    statusCallback: (error, result) => {
      finished++;
      if (error) failed++;
      if (result?.requestElapsed === undefined) return;
      const second = Math.floor((performance.now() - started) / 1_000);
      (perSecond[second] ??= []).push(result.requestElapsed);
    },
  });
  const aborted = new Promise<null>((resolve) => {
    if (signal.aborted) resolve(null);
    signal.addEventListener('abort', () => resolve(null), { once: true });
  });
  const result = await Promise.race([run, aborted]).finally(() => signal.removeEventListener('abort', stopAll));
  if (!result) throw signal.reason instanceof Error ? signal.reason : new Error('the load probe was stopped');
  // Counted here: loadtest's own totals count some failed requests twice.
  const percentile = (value: number | false) => (value === false ? 0 : value);
  return {
    requests: finished,
    errors: failed,
    errorRate: finished > 0 ? failed / finished : 1,
    p50: percentile(result.percentiles[50]),
    p95: percentile(result.percentiles[95]),
    p99: percentile(result.percentiles[99]),
    rps: Math.round(finished / Math.max((performance.now() - started) / 1_000, 0.001)),
    series: perSecond.flatMap((latencies, second) => (latencies?.length ? [[second, quantile(latencies, 0.95)] as [number, number]] : [])),
  };
}

/** The q-quantile of some latencies (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}
