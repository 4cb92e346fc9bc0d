import type { AnalysisConfig, HealthConfig } from '../config/schema.js';
import { healthUrl } from '../fleet/health.js';
import type { Server } from '../fleet/types.js';
import type { AnalysisTarget } from './types.js';

/**
 * Where the analysis points for one server of the deployment: the health URL's origin with
 * `load.path` (so the probe can only reach the app on that server), and its Prometheus
 * `instance` (`host:port` of the health URL unless `instanceFormat` says otherwise).
 * @example analysisTarget(web1, { url: 'http://{host}:8080/health', … }, { load: { path: '/' }, … })
 * // { name: 'web-1', url: 'http://10.0.0.5:8080/', instance: '10.0.0.5:8080', host: '10.0.0.5' }
 */
export function analysisTarget(server: Server, health: HealthConfig, analysis: AnalysisConfig): AnalysisTarget {
  const origin = new URL(healthUrl(health, server.address));
  const url = new URL(analysis.load?.path ?? '/', origin.origin);
  // The schema allows paths only; this keeps it so if that ever changes.
  if (url.origin !== origin.origin) throw new Error(`[analysis] load.path leaves ${origin.origin}: refusing to load another host`);
  const port = origin.port || (origin.protocol === 'https:' ? '443' : '80');
  const instance = analysis.instanceFormat ? analysis.instanceFormat.replaceAll('{host}', server.address) : `${origin.hostname}:${port}`;
  return { name: server.name, url: url.href, instance, host: server.address };
}

/** A query with `{instance}` and `{host}` filled in for one target, escaped for a PromQL string. */
export function fillQuery(query: string, target: AnalysisTarget): string {
  const quoted = (text: string) => text.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  return query.replaceAll('{instance}', quoted(target.instance)).replaceAll('{host}', quoted(target.host));
}
