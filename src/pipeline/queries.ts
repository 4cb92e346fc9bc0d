import { scopeKey } from '../shared/scope.js';
import type { BadRelease, Deployment, HostRecord } from './types.js';

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

/**
 * The rollback that took this deployment's release off its environment, while that still holds:
 * the newest rollback that succeeded from its release. Once a later deployment puts the release
 * back (an undo, a rollback to it), that deployment is the one that placed it, and this one is no
 * longer marked. `deployments` oldest first, as the store keeps them.
 * @example rolledBackBy(deployment3, store.data.deployments)?.id // '4': `/rollback` ran as deployment 4
 */
export function rolledBackBy(deployment: Deployment, deployments: readonly Deployment[]): Deployment | undefined {
  const { release } = deployment;
  if (!release) return undefined;
  const from = deployments.findIndex((entry) => entry.id === deployment.id);
  let found: Deployment | undefined;
  for (const later of deployments.slice(from + 1)) {
    if (later.app !== deployment.app || later.environment !== deployment.environment || later.state !== 'succeeded') continue;
    if (later.kind === 'rollback' && later.fromRelease === release) found = later;
    else if (later.release === release) return undefined;
  }
  return found;
}

/** Releases of this deployment's commit marked bad (failed, rolled back) in any environment of its app, newest first. */
export function badReleasesOfCommit(deployment: Deployment, deployments: readonly Deployment[], badReleases: Readonly<Record<string, Record<string, string>>>): BadRelease[] {
  const found = new Map<string, BadRelease>();
  for (let index = deployments.length - 1; index >= 0; index--) {
    const other = deployments[index]!;
    if (other.id === deployment.id || other.app !== deployment.app || other.sha !== deployment.sha || !other.release || found.has(other.release)) continue;
    const marks = badReleases[scopeKey(other.app, other.environment)];
    if (marks && Object.hasOwn(marks, other.release)) found.set(other.release, { environment: other.environment, release: other.release, why: marks[other.release]! });
  }
  return [...found.values()];
}

/** A stretch of a deployment's time; `end` null while it lasts. */
export interface Span {
  start: string;
  end: string | null;
}

/** Where a deployment's time went, each null when it had none of it. */
export interface TimeSpent {
  /** Its integration steps, run here (not when a test run vouched for the commit). */
  tests: Span | null;
  /** Waiting for a person to approve (or reject) it. */
  approval: Span | null;
  /** From the approval (a rollback: its start) to its end: hosts, bake and verification. */
  rollout: Span | null;
  /** The canary's bake, within the rollout. */
  bake: Span | null;
}

const NOT_TESTS: ReadonlySet<string> = new Set(['deploy', 'verify', 'rollback']);

/**
 * Where a deployment's time went, from the states it entered and its steps: so "waited 1m 24s for
 * approval" is never counted as rolling out. Deployments of an older igor have no record of their
 * states: only their tests and rollout (from its step) are known.
 */
export function timeSpent(deployment: Deployment): TimeSpent {
  const transitions = deployment.transitions ?? [];
  const end = (index: number) => transitions[index + 1]?.at ?? deployment.finishedAt;
  const stay = (state: Deployment['state']): Span | null => {
    const index = transitions.findIndex((entry) => entry.state === state);
    return index < 0 ? null : { start: transitions[index]!.at, end: end(index) };
  };
  const ran = deployment.testedIn ? [] : deployment.steps.filter((step) => !NOT_TESTS.has(step.name) && step.startedAt);
  const tests = ran.length
    ? { start: ran[0]!.startedAt!, end: ran.some((step) => !step.finishedAt) ? null : ran.map((step) => step.finishedAt!).sort().at(-1)! }
    : null;
  const deploying = transitions.find((entry) => entry.state === 'deploying')?.at ?? deployment.steps.find((step) => step.name === 'deploy' || step.name === 'rollback')?.startedAt;
  return {
    tests,
    approval: stay('awaiting-approval'),
    rollout: deploying ? { start: deploying, end: deployment.finishedAt } : null,
    bake: stay('baking'),
  };
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
