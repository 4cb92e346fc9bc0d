import type { Deployment } from './types.js';

/**
 * The questions every front end asks of a deployment, answered in one place: the buttons, the
 * API, the alarms and the pipeline's own checks all use these.
 */

/** A deployment that failed before touching any host, or was interrupted: `Retry` starts it again. */
export function isRetryable(deployment: Deployment): boolean {
  if (deployment.state === 'interrupted') return true;
  return deployment.state === 'failed' && deployment.hosts.every((host) => host.state === 'pending' || host.state === 'untouched');
}

/** A finished deployment that left hosts on its release, with a release before it to go back to. */
export function canRollBack(deployment: Deployment): boolean {
  if (!['succeeded', 'failed', 'interrupted'].includes(deployment.state)) return false;
  if (deployment.kind === 'rollback') return deployment.state === 'succeeded' && Boolean(deployment.fromRelease);
  return deployment.hosts.some((host) => host.switched && host.previousRelease && host.state !== 'rolled-back');
}

/** Who pressed Cancel (or typed `/deploy cancel`) on it, if anyone did. */
export function cancelledBy(deployment: Deployment): string | null {
  return deployment.audit.findLast((entry) => entry.action === 'cancel' && entry.outcome === 'done')?.user ?? null;
}

/** The deployment whose release an environment runs: its last success, newest first in `newestFirst`. */
export function liveOf(newestFirst: readonly Deployment[]): Deployment | undefined {
  return newestFirst.find((deployment) => deployment.state === 'succeeded');
}
