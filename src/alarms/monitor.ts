import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { healthUrl, probe } from '../fleet/health.js';
import type { Discovery } from '../fleet/types.js';
import type { Alarms } from './service.js';

export interface MonitorOptions {
  config: Config;
  discoveries: Record<string, Discovery>;
  alarms: Alarms;
  /** Whether igor is deploying to the environment now: restarting hosts are not an alarm. */
  busy: (environment: string) => boolean;
  /**
   * What the environment runs, asked once per check: for each host, the deployment that put its
   * release there (a rollback would undo it, and its release is what health checks expect).
   */
  live: (environment: string) => (host: string) => { id: string; sha: string | null; release: string | null } | null;
  log: Logger;
}

/**
 * igor's own health monitor: every `monitor.interval` it polls each host's health URL; after
 * `monitor.failures` failures in a row the host's alarm fires, and it resolves once the host is
 * healthy again. While igor deploys to the environment, its hosts are not watched.
 */
export function createMonitor(options: MonitorOptions) {
  const { config, alarms, log } = options;
  const timers: NodeJS.Timeout[] = [];
  const failures = new Map<string, number>();
  const running = new Set<string>();

  async function tick(environment: string): Promise<void> {
    const settings = config.environments[environment]!;
    if (options.busy(environment)) {
      for (const key of failures.keys()) if (key.startsWith(`${environment}:`)) failures.delete(key);
      return;
    }
    const servers = await options.discoveries[environment]!.servers();
    const liveOnHost = options.live(environment);
    await Promise.all(
      servers.map(async (server) => {
        const health = server.health ?? settings.health;
        if (!health) return;
        const counter = `${environment}:${server.name}`;
        const key = `monitor:${config.app}/${counter}`;
        const live = liveOnHost(server.name);
        const problem = await probe(healthUrl(health, server.address), health, live?.sha && live.release ? { sha: live.sha, release: live.release } : null);
        if (options.busy(environment)) return;
        if (!problem) {
          failures.delete(counter);
          await alarms.resolveKey(key, `${server.name} is healthy again`);
          return;
        }
        const count = (failures.get(counter) ?? 0) + 1;
        failures.set(counter, count);
        if (count < settings.monitor!.failures) return;
        await alarms.raise({
          key,
          source: 'monitor',
          severity: 'critical',
          app: config.app,
          environment,
          hosts: [server.name],
          summary: `${server.name} in ${environment} fails its health check`,
          detail: `${healthUrl(health, server.address)} ${problem} (${count} checks in a row)`,
          deploymentId: live?.id ?? null,
        });
      }),
    );
  }

  return {
    start(): void {
      for (const [environment, settings] of Object.entries(config.environments)) {
        if (!settings.monitor) continue;
        const timer = setInterval(() => {
          if (running.has(environment)) return;
          running.add(environment);
          tick(environment)
            .catch((error: unknown) => log.warn({ err: error, environment }, 'the health monitor could not check the hosts'))
            .finally(() => running.delete(environment));
        }, settings.monitor.interval);
        timer.unref();
        timers.push(timer);
      }
    },
    stop(): void {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
