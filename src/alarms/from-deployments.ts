import type { PipelineEvent } from '../pipeline/events.js';
import { deploymentPageUrl } from '../pipeline/links.js';
import { rollbackSummary } from '../chat/rollback-summary.js';
import type { Deployment } from '../pipeline/types.js';
import type { Alarm, AlarmInput } from './model.js';
import type { Alarms } from './service.js';

/** How far back igor looks at start for a deployment whose alarm it never raised. */
export const CATCH_UP_MS = 24 * 3_600_000;

/**
 * igor's own alarms: a failed or interrupted deployment, an automatic rollback, a host that could
 * not be rolled back. Each names the deployment, and offers Rollback when hosts were left switched.
 */
export function deploymentAlarms(alarms: Alarms, publicUrl: () => string) {
  const link = (deployment: Deployment) => deploymentPageUrl(publicUrl(), deployment.id);
  const switched = (deployment: Deployment) => deployment.hosts.some((host) => host.switched && host.state !== 'rolled-back');
  const title = (deployment: Deployment) => `${deployment.kind === 'rollback' ? 'Rollback' : 'Deployment'} ${deployment.id} of \`${deployment.ref}\` to ${deployment.environment}`;

  /** The alarms a finished deployment raises. */
  function alarmsOf(deployment: Deployment): AlarmInput[] {
    const base = { source: 'igor' as const, app: deployment.app, environment: deployment.environment, link: link(deployment), hosts: deployment.hosts.filter((h) => h.state !== 'untouched').map((h) => h.host) };
    const inputs: AlarmInput[] = [];
    if (deployment.state === 'failed' || deployment.state === 'interrupted') {
      inputs.push({
        ...base,
        key: `deployment:${deployment.id}`,
        severity: 'critical',
        summary: `${title(deployment)} ${deployment.state}`,
        detail: deployment.reason,
        deploymentId: switched(deployment) ? deployment.id : null,
      });
    }
    if (deployment.state === 'rolled-back') {
      inputs.push({
        ...base,
        key: `deployment:${deployment.id}`,
        severity: 'warning',
        summary: `${title(deployment)} was rolled back`,
        detail: rollbackSummary(deployment, deployment.reason ?? 'stopped'),
      });
    }
    for (const host of deployment.hosts.filter((entry) => entry.state === 'rollback-failed')) {
      inputs.push({
        ...base,
        key: `rollback-failed:${deployment.id}:${host.host}`,
        severity: 'critical',
        hosts: [host.host],
        summary: `${host.host} in ${deployment.environment} could not be rolled back from ${deployment.release}`,
        detail: host.error,
      });
    }
    return inputs;
  }

  return {
    /** Raises a deployment's alarms when it finishes. */
    async onEvent(event: PipelineEvent): Promise<void> {
      if (event.type !== 'finished') return;
      for (const input of alarmsOf(event.deployment)) await alarms.raise(input);
    },
    /**
     * Raises, at start, the alarms of deployments that finished in the last {@link CATCH_UP_MS}
     * without them: the deployment's final state is saved before its alarm is, so an igor killed
     * in between would otherwise never tell anyone that it failed.
     */
    async catchUp(deployments: readonly Deployment[], now: Date): Promise<Alarm[]> {
      const raised: Alarm[] = [];
      const since = now.getTime() - CATCH_UP_MS;
      for (const deployment of deployments) {
        if (!deployment.finishedAt || Date.parse(deployment.finishedAt) < since) continue;
        for (const input of alarmsOf(deployment)) {
          if (alarms.neverRaised(input.key, deployment.finishedAt)) raised.push(await alarms.raise(input));
        }
      }
      return raised;
    },
  };
}
