import { RefusedError } from '../shared/refusal.js';
import { code, joinPhrases, phrase } from '../shared/phrase.js';
import type { Live, ReleaseGroup } from './queries.js';
import type { Deployment } from './types.js';

export interface RollbackTarget {
  release: string;
  sha: string;
  /** The release rolled away from (marked bad once the rollback succeeds); null when no host runs another. */
  from: string | null;
  /** Whether this undoes the rollback that is live (so the release's bad mark is lifted). */
  undo: boolean;
}

/**
 * Which release `/rollback` puts back, judged by what the hosts run (`live`, see `liveOn`).
 * Named: a release id, or a commit (7+ hex digits) of a release this environment has run.
 * Unnamed, when the hosts disagree (a rollout that stopped half-way): the release the hosts that
 * were not moved last still run, so only the moved ones change. When they agree: the release
 * before theirs, skipping bad ones; but when theirs came from a rollback, the release that
 * rollback replaced (so rolling back a rollback undoes it).
 */
export function rollbackTarget(history: readonly Deployment[], bad: Readonly<Record<string, string>>, environment: string, live: Live, named: string | null): RollbackTarget {
  const ours = history.filter((d) => d.environment === environment);
  const succeeded = ours.filter((d) => d.state === 'succeeded' && d.release && d.sha);
  const known = new Map<string, string>();
  for (const d of ours) if (d.release && d.sha) known.set(d.release, d.sha);
  const running = live.groups.filter((group): group is ReleaseGroup & { release: string } => group.release !== null);
  const awayFrom = (target: string) => running.find((group) => group.release !== target)?.release ?? null;
  const to = (release: string, undo = false): RollbackTarget => ({ release, sha: known.get(release)!, from: awayFrom(release), undo });

  if (named) {
    if (known.has(named)) return to(named);
    if (/^[0-9a-f]{7,40}$/.test(named)) {
      const match = succeeded.findLast((d) => d.sha!.startsWith(named));
      if (match) return to(match.release!);
    }
    throw new RefusedError('not-found', phrase`${environment} never ran a release or commit ${code(named)}: see ${code(`/deploy history ${environment}`)}`);
  }
  if (running.length === 0) throw new RefusedError('not-found', `${environment} has no release deployed by igor to go back from`);

  if (running.length > 1) {
    const [moved, ...others] = running;
    const where = joinPhrases(
      running.map((group) => phrase`${group.hosts.join(', ')} on ${group.release}`),
      '; ',
    );
    if (others.length > 1) {
      throw new RefusedError('conflict', phrase`the hosts of ${environment} run ${running.length} releases (${where}): name the one to go back to, ${code(`/rollback ${environment} <release>`)}`);
    }
    const back = others[0]!.release;
    if (!known.has(back)) throw new RefusedError('conflict', phrase`the hosts of ${environment} disagree (${where}), and igor never deployed ${back}: name the release to go back to, ${code(`/rollback ${environment} <release>`)}`);
    return { ...to(back), from: moved!.release };
  }

  const current = running[0]!;
  const placer = current.deployment;
  if (placer?.kind === 'rollback' && placer.fromRelease && known.has(placer.fromRelease)) return to(placer.fromRelease, true);
  const earlier = succeeded.findLast((d) => d.release !== current.release && !Object.hasOwn(bad, d.release!));
  if (!earlier) throw new RefusedError('not-found', `${environment} has no earlier good release than ${current.release} to go back to`);
  return to(earlier.release!);
}
