/** One host the analysis loads and queries: the canary or the baseline. */
export interface AnalysisTarget {
  /** The server's name, as messages show it (`web-1`). */
  name: string;
  /** The URL the load probe requests: the health URL's origin and `load.path`. */
  url: string;
  /** What `{instance}` becomes in Prometheus queries. */
  instance: string;
  /** What `{host}` becomes: the server's address. */
  host: string;
}

/** What the load probe measured on one host. Latencies in milliseconds. */
export interface LoadStats {
  requests: number;
  errors: number;
  /** errors / requests; 1 when no request was made. */
  errorRate: number;
  p50: number;
  p95: number;
  p99: number;
  /** Requests per second actually achieved. */
  rps: number;
  /** p95 latency per second of the probe, for the chart: `[second, ms]`. */
  series: Array<[number, number]>;
}

/** How one metric fared. `info` rows are shown, not judged. */
export type Verdict = 'pass' | 'fail' | 'info';

/** One row of the table in the thread: metric, canary, baseline, limit, verdict. */
export interface AnalysisRow {
  metric: string;
  /** Where the row comes from. */
  source: 'load' | 'prometheus';
  canary: number | null;
  baseline: number | null;
  /** How the numbers read: `ms`, `%` (a fraction shown as a percentage) or plain. */
  unit: 'ms' | '%' | '';
  /** The limit in words: `≤ 1.25× baseline`, `≤ 500ms`. */
  limit: string;
  verdict: Verdict;
  /** Why it failed (or why there is no number), in words. */
  reason: string | null;
}

/** The analysis of one canary, as the deployment keeps it and the API shows it. */
export interface CanaryAnalysis {
  /** `stopped`: the bake ended first (Cancel, Rollback, a failed health check, igor stopping). */
  state: 'running' | 'passed' | 'failed' | 'stopped';
  canary: string;
  baseline: string | null;
  startedAt: string;
  finishedAt: string | null;
  rows: AnalysisRow[];
  /** The first failure, in words; null while running or when it passed. */
  reason: string | null;
  /** p95 latency per second of the probe, canary and baseline, for the deployment page's chart. */
  series: { canary: Array<[number, number]>; baseline: Array<[number, number]> | null };
}
