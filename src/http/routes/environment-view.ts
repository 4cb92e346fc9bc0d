import type { Live } from '../../pipeline/queries.js';
import type { EnvironmentLock, ManualLock } from '../../pipeline/store-data.js';

/**
 * One environment in the API, as `/deploy status` shows it: the live release when the hosts agree,
 * each host with what it answered (`unreachable` when it did not in time), and the hosts by release.
 */
export function environmentView(name: string, live: Live, lock: EnvironmentLock | null, manualLock: ManualLock | null) {
  const d = live.deployment;
  return {
    environment: name,
    live: live.release ? { release: live.release, sha: d?.sha ?? null, ref: d?.ref ?? null, deployment: d?.id ?? null, state: d?.state ?? null, finishedAt: d?.finishedAt ?? null } : null,
    hosts: live.hosts.map((host) => ({
      host: host.host,
      state: host.unreachable ? ('unreachable' as const) : host.source === 'host' ? ('answered' as const) : ('not asked' as const),
      release: host.unreachable ? null : host.release,
      /** What igor's records say it runs, for a host that did not answer. */
      recordedRelease: host.unreachable && host.source === 'records' ? host.release : null,
      error: host.unreachable,
    })),
    releases: live.groups.map((group) => ({ release: group.release, hosts: group.hosts, deployment: group.deployment?.id ?? null })),
    hostsError: live.unasked,
    lock: lock ? { deployment: lock.deploymentId, ref: lock.ref, user: lock.user, since: lock.since } : null,
    manualLock: manualLock ? { user: manualLock.user, reason: manualLock.reason, since: manualLock.since } : null,
  };
}
