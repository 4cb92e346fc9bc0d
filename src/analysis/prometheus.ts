import { AnalysisError } from './errors.js';
import { withDeadline } from './deadline.js';

/** How much of a Prometheus answer is read at most. */
const ANSWER_LIMIT = 8 * 1024 * 1024;

export interface RangeQuery {
  /** Prometheus' base URL: `http://127.0.0.1:9090`. */
  url: string;
  query: string;
  start: Date;
  end: Date;
  stepMs: number;
  timeoutMs: number;
  signal: AbortSignal;
}

interface QueryRangeAnswer {
  status: 'success' | 'error';
  error?: string;
  errorType?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
}

/**
 * Evaluates `query` over [start, end] with `/api/v1/query_range` and reduces it to one number:
 * series are summed at each step, then averaged over the window (NaN and infinite points are
 * left out). Null when there is no data. Throws an {@link AnalysisError} saying what went wrong
 * when Prometheus cannot be reached, times out, or refuses the query.
 * @example await queryRangeMean({ url: 'http://127.0.0.1:9090', query: 'sum(rate(x[1m]))', start, end, stepMs: 1_000, timeoutMs: 5_000, signal }) // 0.02
 */
export async function queryRangeMean(request: RangeQuery): Promise<number | null> {
  const endpoint = new URL('api/v1/query_range', request.url.endsWith('/') ? request.url : `${request.url}/`);
  const body = new URLSearchParams({
    query: request.query,
    start: (request.start.getTime() / 1_000).toFixed(3),
    end: (request.end.getTime() / 1_000).toFixed(3),
    step: `${Math.max(request.stepMs, 1) / 1_000}s`,
    timeout: `${Math.ceil(request.timeoutMs / 1_000)}s`,
  });
  const deadline = withDeadline(request.timeoutMs, request.signal);
  let answer: QueryRangeAnswer;
  try {
    const response = await fetch(endpoint, { method: 'POST', body, signal: deadline.signal, redirect: 'error' });
    const text = await response.text();
    if (text.length > ANSWER_LIMIT) throw new AnalysisError('prometheus', `${endpoint.origin} answered more than ${ANSWER_LIMIT} bytes`);
    try {
      answer = JSON.parse(text) as QueryRangeAnswer;
    } catch {
      throw new AnalysisError('prometheus', `${endpoint.origin} answered ${response.status} with something that is not Prometheus JSON: check prometheus.url`);
    }
    if (answer.status !== 'success') throw new AnalysisError('prometheus', `the query was refused (${answer.errorType ?? response.status}: ${answer.error ?? 'no reason given'})`);
  } catch (error) {
    if (error instanceof AnalysisError) throw error;
    if (deadline.timedOut()) throw new AnalysisError('prometheus', `${endpoint.origin} did not answer within ${request.timeoutMs}ms`, { cause: error });
    if (request.signal.aborted) throw error;
    const code = (error as { cause?: { code?: string } }).cause?.code;
    throw new AnalysisError('prometheus', `${endpoint.origin} could not be reached (${code ?? (error as Error).message}): is Prometheus running at prometheus.url?`, { cause: error });
  } finally {
    deadline.clear();
  }
  return meanOfSum(answer.data?.result ?? []);
}

/** Sums series at each timestamp, then averages over time; finite values only; null without any. */
export function meanOfSum(series: ReadonlyArray<{ values: ReadonlyArray<[number, string]> }>): number | null {
  const byTime = new Map<number, number>();
  for (const entry of series) {
    for (const [time, raw] of entry.values) {
      const value = Number(raw);
      if (!Number.isFinite(value)) continue;
      byTime.set(time, (byTime.get(time) ?? 0) + value);
    }
  }
  if (byTime.size === 0) return null;
  let total = 0;
  for (const value of byTime.values()) total += value;
  return total / byTime.size;
}
