import { RefusedError } from '../shared/refusal.js';
import type { Deployment } from './types.js';

export interface RollbackTarget {
  release: string;
  sha: string;
  /** Whether this undoes the rollback that is live (so the release's bad mark is lifted). */
  undo: boolean;
}

/**
 * Which release `/rollback` puts back. Named: a release id, or a commit (7+ hex digits) of a
 * release this environment has run. Unnamed: the release before the live one, skipping bad ones;
 * but when the live release came from a rollback, the release that rollback replaced (so rolling
 * back a rollback undoes it).
 */
export function rollbackTarget(history: readonly Deployment[], bad: Readonly<Record<string, string>>, environment: string, named: string | null): RollbackTarget {
  const succeeded = history.filter((d) => d.environment === environment && d.state === 'succeeded' && d.release && d.sha);
  const live = succeeded.at(-1);
  const known = new Map<string, string>();
  for (const d of history) if (d.environment === environment && d.release && d.sha) known.set(d.release, d.sha);

  if (named) {
    if (known.has(named)) return { release: named, sha: known.get(named)!, undo: false };
    if (/^[0-9a-f]{7,40}$/.test(named)) {
      const match = [...succeeded].reverse().find((d) => d.sha!.startsWith(named));
      if (match) return { release: match.release!, sha: match.sha!, undo: false };
    }
    throw new RefusedError('not-found', `${environment} never ran a release or commit \`${named}\`: see \`/deploy history ${environment}\``);
  }
  if (!live) throw new RefusedError('not-found', `${environment} has no release deployed by igor to go back from`);
  if (live.kind === 'rollback' && live.fromRelease && known.has(live.fromRelease)) {
    return { release: live.fromRelease, sha: known.get(live.fromRelease)!, undo: true };
  }
  const earlier = [...succeeded].reverse().find((d) => d.release !== live.release && !bad[d.release!]);
  if (!earlier) throw new RefusedError('not-found', `${environment} has no earlier good release than ${live.release} to go back to`);
  return { release: earlier.release!, sha: earlier.sha!, undo: false };
}
