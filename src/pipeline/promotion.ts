import { RefusedError } from '../shared/refusal.js';
import { code, joinPhrases, phrase } from '../shared/phrase.js';
import { liveOn, type Live } from './queries.js';
import type { Deployment, PromotedFrom } from './types.js';

/** What a promotion ships: the release live on its source environment, exactly. */
export interface PromotionSource extends PromotedFrom {
  sha: string;
  ref: string;
  /** The SHA-256 recorded when the release's artifact was packed. */
  artifactSha256: string;
}

/**
 * What `/deploy promote <from> to <env>` ships, judged by what `<from>`'s hosts run (`live`, see
 * `liveOn`): the one release they all run, put there by a deployment that succeeded, not marked
 * bad, whose artifact igor kept, and that the target does not run already (by igor's records).
 * Anything else is refused with the reason.
 */
export function promotionSource(history: readonly Deployment[], bad: Readonly<Record<string, string>>, from: string, target: string, live: Live, appPrefix = ''): PromotionSource {
  const there = liveOn(history, target).release;
  const running = live.groups.filter((group) => group.release !== null);
  if (running.length > 1) {
    const where = joinPhrases(
      running.map((group) => phrase`${group.hosts.join(', ')} on ${group.release}`),
      '; ',
    );
    throw new RefusedError('conflict', phrase`the hosts of ${from} disagree (${where}): there is no one release to promote until they run the same one again (${code(`/rollback ${appPrefix}${from}`)} or a new deploy)`);
  }
  const placer = live.deployment;
  if (!live.release || !placer) throw new RefusedError('not-found', phrase`${from} has no live release deployed by igor to promote: deploy there first (${code(`/deploy ${appPrefix}<ref> to ${from}`)})`);
  // Its folder on the target's hosts is the live one: unpacking it again would pull it from under the running app.
  if (there === live.release) throw new RefusedError('conflict', phrase`${target} runs release ${code(live.release)} of ${from} already: there is nothing to promote`);
  if (Object.hasOwn(bad, live.release)) throw new RefusedError('conflict', phrase`release ${code(live.release)} on ${from} is marked bad (${bad[live.release]!}): it is not promoted to ${target}`);
  if (placer.state !== 'succeeded' || !placer.sha) throw new RefusedError('conflict', phrase`release ${code(live.release)} on ${from} was put there by deployment ${placer.id}, which is ${placer.state}: only a release whose deployment succeeded is promoted`);
  // A rollback puts back a release packed by the deployment that first shipped it.
  const packed = history.findLast((deployment) => deployment.release === live.release && deployment.artifactSha256);
  if (!packed?.artifactSha256) {
    throw new RefusedError('conflict', phrase`igor kept no artifact of release ${code(live.release)} (it was deployed before igor kept them): deploy the commit itself instead, ${code(`/deploy ${appPrefix}${placer.sha} to ${target}`)}`);
  }
  return {
    environment: from,
    deployment: placer.id,
    release: live.release,
    liveSince: placer.finishedAt ?? placer.updatedAt,
    sha: placer.sha,
    ref: packed.ref,
    artifactSha256: packed.artifactSha256,
  };
}
