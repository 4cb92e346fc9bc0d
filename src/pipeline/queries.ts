import type { Deployment, HostRecord } from './types.js';

/**
 * The questions every front end asks of a deployment, answered in one place: the buttons, the
 * API, the alarms and the pipeline's own checks all use these.
 */

/** One app's deployments: what it runs, rolls back to and waits for never mixes with another app's. */
export function ofApp(deployments: readonly Deployment[], app: string): Deployment[] {
  return deployments.filter((deployment) => deployment.app === app);
}

/** Deployments of an app (all apps without one) and an environment (all without one), newest first. */
export function newestFirst(deployments: readonly Deployment[], filter: { app?: string | undefined; environment?: string | undefined; limit?: number | undefined }): Deployment[] {
  const chosen: Deployment[] = [];
  const limit = filter.limit ?? 50;
  for (let index = deployments.length - 1; index >= 0 && chosen.length < limit; index--) {
    const deployment = deployments[index]!;
    if ((!filter.app || deployment.app === filter.app) && (!filter.environment || deployment.environment === filter.environment)) chosen.push(deployment);
  }
  return chosen;
}

/** A deployment that failed before touching any host, or was interrupted: `Retry` starts it again. */
export function isRetryable(deployment: Deployment): boolean {
  if (deployment.state === 'interrupted') return true;
  return deployment.state === 'failed' && !touchedHosts(deployment);
}

/** Whether the rollout began on any host (an upload, at least): what ran there may have changed. */
export function touchedHosts(deployment: Deployment): boolean {
  return deployment.hosts.some((host) => host.state !== 'pending' && host.state !== 'untouched');
}

/**
 * The deployment whose release `deployment` replaced: the last one of its app and environment
 * that succeeded before it (`deployments` in the store's order, oldest first).
 */
export function previousSuccess(deployments: readonly Deployment[], deployment: Deployment): Deployment | undefined {
  const index = deployments.indexOf(deployment);
  const before = index < 0 ? deployments : deployments.slice(0, index);
  return before.findLast((earlier) => earlier.app === deployment.app && earlier.environment === deployment.environment && earlier.state === 'succeeded');
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


/** What one host of an environment runs, as far as igor knows. */
export interface HostLive {
  host: string;
  /** The release its `current` points at; null when it has none, or when nobody knows. */
  release: string | null;
  /**
   * How that is known: `host`, it said so just now; `records`, igor's records of the deployments
   * that touched it say so; `unknown`, they cannot (igor stopped while it switched, its rollback failed).
   */
  source: 'host' | 'records' | 'unknown';
  /** Why it did not answer when it was asked (its `release` is then what the records say). */
  unreachable: string | null;
}

/** Hosts that run one release. */
export interface ReleaseGroup {
  /** Null for hosts that run no release at all. */
  release: string | null;
  hosts: string[];
  /** The newest deployment that put this release on hosts; undefined for a release igor never put there. */
  deployment: Deployment | undefined;
}

/** What an environment runs: per host, and as one release when its hosts agree. */
export interface Live {
  /** The release every host known runs; null when they disagree or run none. */
  release: string | null;
  /** The deployment that put `release` there: its commit, ref and age. */
  deployment: Deployment | undefined;
  hosts: HostLive[];
  /** The known, answering hosts by release, the release igor put there last first, hosts with no release last. */
  groups: ReleaseGroup[];
  /** Why the hosts could not be asked at all (discovery failed or was silent); `hosts` are then the records'. */
  unasked: string | null;
}

/** What the servers answered when asked (see `askCurrentReleases`), or why none could be asked. */
export type HostReadings = { answers: ReadonlyArray<{ host: string; release: string | null; error: string | null }>; error: null } | { answers: null; error: string };

/**
 * The one answer to "what is live on this environment", for status, rollback, the monitor and the
 * API alike. Each host runs what it answered just now (`readings`), else what igor's records of
 * the deployments that touched it say: so after an interrupted rollout, the hosts it switched run
 * its release and the others the one before.
 *
 * @example
 * liveOn(store.data.deployments, 'production', { answers: [{ host: 'web-1', release: 'R2', error: null }, { host: 'web-2', release: 'R1', error: null }], error: null })
 * // { release: null, groups: [{ release: 'R2', hosts: ['web-1'], … }, { release: 'R1', hosts: ['web-2'], … }], … }
 */
export function liveOn(deployments: readonly Deployment[], environment: string, readings: HostReadings | null = null): Live {
  const history = deployments.filter((deployment) => deployment.environment === environment);
  const recorded = recordedReleases(history);
  const hosts: HostLive[] = readings?.answers
    ? readings.answers.map((answer) => (answer.error ? { ...fromRecords(recorded, answer.host), unreachable: answer.error } : { host: answer.host, release: answer.release, source: 'host', unreachable: null }))
    : [...recorded.keys()].map((host) => fromRecords(recorded, host));

  const placedBy = new Map<string, { deployment: Deployment; order: number }>();
  history.forEach((deployment, order) => {
    if (deployment.release && placedHosts(deployment)) placedBy.set(deployment.release, { deployment, order });
  });
  const byRelease = new Map<string | null, string[]>();
  for (const host of hosts) {
    if (host.unreachable || host.source === 'unknown') continue;
    byRelease.set(host.release, [...(byRelease.get(host.release) ?? []), host.host]);
  }
  const rank = (release: string | null) => (release === null ? -2 : (placedBy.get(release)?.order ?? -1));
  const groups = [...byRelease.entries()]
    .map(([release, names]) => ({ release, hosts: names, deployment: release === null ? undefined : placedBy.get(release)?.deployment }))
    .sort((a, b) => rank(b.release) - rank(a.release) || (b.release ?? '').localeCompare(a.release ?? ''));

  const releases = groups.filter((group) => group.release !== null);
  const unasked = readings?.error ?? null;
  if (hosts.length === 0) {
    // Nothing recorded per host (a deployment of an older igor): its last success is all there is.
    const last = history.findLast((deployment) => deployment.state === 'succeeded');
    return { release: last?.release ?? null, deployment: last, hosts, groups, unasked };
  }
  const only = releases.length === 1 ? releases[0]! : undefined;
  return { release: only?.release ?? null, deployment: only?.deployment, hosts, groups, unasked };
}

/**
 * The deployment whose release an environment runs; when its hosts disagree, the newest one that
 * left hosts on its release. What a new deployment's changes are counted from, what an auto-deploy
 * must not go behind, what flag changes are dated against.
 */
export function newestLive(live: Live): Deployment | undefined {
  return live.deployment ?? live.groups[0]?.deployment;
}

/** The deployment that put the release a host runs there, if igor did. */
export function deploymentOnHost(live: Live, host: string): Deployment | undefined {
  return live.groups.find((group) => group.hosts.includes(host))?.deployment;
}

/** Whether a deployment left any host on its release. */
function placedHosts(deployment: Deployment): boolean {
  return deployment.state === 'succeeded' || deployment.hosts.some((host) => host.switched && host.state !== 'rolled-back');
}

function fromRecords(recorded: ReadonlyMap<string, string | null | undefined>, host: string): HostLive {
  const release = recorded.get(host);
  return release === undefined ? { host, release: null, source: 'unknown', unreachable: null } : { host, release, source: 'records', unreachable: null };
}

/**
 * Per host of the newest deployment that had hosts, what the records say its `current` points at:
 * replayed oldest first, each deployment's record of a host overriding what came before.
 * `undefined` is not known.
 */
function recordedReleases(history: readonly Deployment[]): Map<string, string | null | undefined> {
  const releases = new Map<string, string | null | undefined>();
  for (const deployment of history) {
    for (const host of deployment.hosts) {
      const seen = recordedRelease(deployment, host);
      if (seen !== KEEP) releases.set(host.host, seen);
    }
  }
  const fleet = history.findLast((deployment) => deployment.hosts.length > 0)?.hosts.map((host) => host.host) ?? [];
  return new Map(fleet.map((host) => [host, releases.get(host)]));
}

const KEEP = Symbol('keep');

/** What one deployment's record of a host says about its `current` afterwards, or KEEP when it says nothing. */
function recordedRelease(deployment: Deployment, host: HostRecord): string | null | undefined | typeof KEEP {
  if (host.state === 'rollback-failed') return undefined;
  // Set where a host ended on a release: succeeded, rolled back, or found on it already.
  if (host.release) return host.release;
  if (host.switched) return deployment.release;
  // igor stopped (or the switch failed) between the switch and its record: either side is possible.
  if (host.phase === 'switch') return undefined;
  // It was read when the host's deployment began: the release before, or null for none.
  if (host.phase && host.phase !== 'connect') return host.previousRelease ?? null;
  return KEEP;
}
