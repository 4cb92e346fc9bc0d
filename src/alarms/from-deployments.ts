import type { PipelineEvent } from '../pipeline/events.js';
import { deploymentPageUrl } from '../pipeline/links.js';
import { rollbackSummary } from '../chat/rollback-summary.js';
import type { Deployment } from '../pipeline/types.js';
import type { Alarms } from './service.js';

/**
 * igor's own alarms: a failed or interrupted deployment, an automatic rollback, a host that could
 * not be rolled back. Each names the deployment, and offers Rollback when hosts were left switched.
 */
export function deploymentAlarms(alarms: Alarms, publicUrl: () => string) {
  const link = (deployment: Deployment) => deploymentPageUrl(publicUrl(), deployment.id);
  const switched = (deployment: Deployment) => deployment.hosts.some((host) => host.switched && host.state !== 'rolled-back');
  const title = (deployment: Deployment) => `${deployment.kind === 'rollback' ? 'Rollback' : 'Deployment'} ${deployment.id} of \`${deployment.ref}\` to ${deployment.environment}`;

  return async (event: PipelineEvent): Promise<void> => {
    if (event.type !== 'finished') return;
    const { deployment } = event;
    const base = { source: 'igor' as const, environment: deployment.environment, link: link(deployment), hosts: deployment.hosts.filter((h) => h.state !== 'untouched').map((h) => h.host) };
    if (deployment.state === 'failed' || deployment.state === 'interrupted') {
      await alarms.raise({
        ...base,
        key: `deployment:${deployment.id}`,
        severity: 'critical',
        summary: `${title(deployment)} ${deployment.state}`,
        detail: deployment.reason,
        deploymentId: switched(deployment) ? deployment.id : null,
      });
    }
    if (deployment.state === 'rolled-back') {
      await alarms.raise({
        ...base,
        key: `deployment:${deployment.id}`,
        severity: 'warning',
        summary: `${title(deployment)} was rolled back`,
        detail: rollbackSummary(deployment, deployment.reason ?? 'stopped'),
      });
    }
    for (const host of deployment.hosts.filter((entry) => entry.state === 'rollback-failed')) {
      await alarms.raise({
        ...base,
        key: `rollback-failed:${deployment.id}:${host.host}`,
        severity: 'critical',
        hosts: [host.host],
        summary: `${host.host} in ${deployment.environment} could not be rolled back from ${deployment.release}`,
        detail: host.error,
      });
    }
  };
}
