import type { Deployment } from '../pipeline/types.js';

/** Which hosts were rolled back, which never changed, which could not be put back. */
export function rollbackSummary(deployment: Deployment, reason: string): string {
  const names = (state: string) => deployment.hosts.filter((host) => host.state === state).map((host) => host.host);
  const rolledBack = names('rolled-back');
  const failed = deployment.hosts.filter((host) => host.state === 'rollback-failed');
  const unchanged = deployment.hosts.filter((host) => !host.switched).map((host) => host.host);
  return [
    `:rewind: ${deployment.app} ${deployment.environment}: deployment ${deployment.id} of ${deployment.release} stopped (${reason}).`,
    `Rolled back: ${rolledBack.join(', ') || 'none'}.`,
    `Never changed: ${unchanged.join(', ') || 'none'}.`,
    failed.length ? `Failed to roll back: ${failed.map((host) => `${host.host} (${host.error})`).join('; ')}.` : null,
  ]
    .filter(Boolean)
    .join('\n');
}
