import { describe, expect, it } from 'vitest';
import { promotionSource } from '../../src/pipeline/promotion.js';
import { liveOn } from '../../src/pipeline/queries.js';
import { RefusedError } from '../../src/shared/refusal.js';
import { R1, R2, deployment, done, everywhere, untouched } from './history-fixtures.js';

const packed = (d: ReturnType<typeof everywhere>) => ({ ...d, artifactSha256: `sha-of-${d.release}` });

function refused(history: ReturnType<typeof everywhere>[], bad: Record<string, string> = {}): RefusedError {
  try {
    promotionSource(history, bad, 'staging', 'production', liveOn(history, 'staging'));
  } catch (error) {
    expect(error).toBeInstanceOf(RefusedError);
    return error as RefusedError;
  }
  throw new Error('it was not refused');
}

describe('what a promotion ships (promotionSource)', () => {
  it('is the release every host of the source runs, with the deployment that put it there and its kept artifact', () => {
    const first = packed(everywhere('1', R1, null));
    expect(promotionSource([first], {}, 'staging', 'production', liveOn([first], 'staging'))).toEqual({
      environment: 'staging',
      deployment: '1',
      release: R1,
      liveSince: first.finishedAt,
      sha: first.sha,
      ref: 'main',
      artifactSha256: `sha-of-${R1}`,
    });
  });

  it('after a rollback, is the release put back, with the artifact its first deployment packed', () => {
    const first = packed(everywhere('1', R1, null));
    const second = packed(everywhere('2', R2, R1));
    const rollback = deployment('3', R1, 'succeeded', ['web-1', 'web-2', 'web-3', 'web-4'].map((host) => done(host, R1, R2)), { kind: 'rollback', ref: R1, fromRelease: R2 });
    const history = [first, second, rollback];
    expect(promotionSource(history, { [R2]: 'rolled back' }, 'staging', 'production', liveOn(history, 'staging'))).toMatchObject({ deployment: '3', release: R1, ref: 'main', artifactSha256: `sha-of-${R1}` });
  });

  it('is refused when the source has nothing live', () => {
    const error = refused([]);
    expect(error.code).toBe('not-found');
    expect(error.message).toContain('staging has no live release deployed by igor to promote');
  });

  it('is refused when the live release is marked bad, with the reason', () => {
    const first = packed(everywhere('1', R1, null));
    expect(refused([first], { [R1]: 'deployment 1 failed: health' }).message).toBe(`release \`${R1}\` on staging is marked bad (deployment 1 failed: health): it is not promoted to production`);
  });

  it('is refused when the hosts disagree (drift), saying which run what', () => {
    const first = packed(everywhere('1', R1, null));
    const half = packed(deployment('2', R2, 'failed', [done('web-1', R2, R1), untouched('web-2'), untouched('web-3'), untouched('web-4')]));
    const error = refused([first, half]);
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(`the hosts of staging disagree (web-1 on ${R2}; web-2, web-3, web-4 on ${R1})`);
  });

  it('is refused when igor kept no artifact of the release (an older igor deployed it)', () => {
    expect(refused([everywhere('1', R1, null)]).message).toContain(`igor kept no artifact of release \`${R1}\``);
  });

  it('is refused when the target runs that release already', () => {
    const first = packed(everywhere('1', R1, null));
    const promoted = { ...packed(everywhere('2', R1, null)), environment: 'production', promotedFrom: { environment: 'staging', deployment: '1', release: R1, liveSince: first.finishedAt! } };
    const history = [first, promoted];
    expect(() => promotionSource(history, {}, 'staging', 'production', liveOn(history, 'staging'))).toThrow(`production runs release \`${R1}\` of staging already: there is nothing to promote`);
  });
});
