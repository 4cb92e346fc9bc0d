import { describe, expect, it } from 'vitest';
import { liveOn } from '../../src/pipeline/queries.js';
import { rollbackTarget } from '../../src/pipeline/rollback-target.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { dictionary } from '../../src/shared/names.js';
import { RefusedError } from '../../src/shared/refusal.js';
import { R1, R2, R3, deployment, done, everywhere, untouched } from './history-fixtures.js';

const target = (history: Deployment[], named: string | null = null, bad: Record<string, string> = dictionary()) => rollbackTarget(history, bad, 'staging', liveOn(history, 'staging'), named);

/** igor was killed with web-1 on `release` and the other three not reached. */
const interruptedAt = (id: string, release: string, previous: string) => deployment(id, release, 'interrupted', [done('web-1', release, previous), untouched('web-2'), untouched('web-3'), untouched('web-4')]);

describe('which release /rollback puts back (rollbackTarget)', () => {
  it('goes back to the release before the live one', () => {
    expect(target([everywhere('1', R1, null), everywhere('2', R2, R1)])).toEqual({ release: R1, sha: expect.any(String), from: R2, undo: false });
  });

  it('after an interrupted rollout, puts the one switched host back to the release the others run', () => {
    const history = [everywhere('1', R1, null), interruptedAt('2', R2, R1)];
    expect(target(history)).toMatchObject({ release: R1, from: R2, undo: false });
  });

  it('with an older good release present, still goes back only to the release the other hosts run', () => {
    const history = [everywhere('1', R1, null), everywhere('2', R2, R1), interruptedAt('3', R3, R2)];
    expect(target(history)).toMatchObject({ release: R2, from: R3 });
  });

  it('judges by what the hosts answer when they contradict the records', () => {
    const history = [everywhere('1', R1, null), everywhere('2', R2, R1), interruptedAt('3', R3, R2)];
    // igor was killed after web-2's switch too, before it could record it.
    const answers = ['web-1', 'web-2', 'web-3', 'web-4'].map((host, i) => ({ host, release: i < 2 ? R3 : R2, error: null }));
    expect(rollbackTarget(history, dictionary(), 'staging', liveOn(history, 'staging', { answers, error: null }), null)).toMatchObject({ release: R2, from: R3 });
  });

  it('when every host runs the interrupted release, goes back to the good one before it', () => {
    const all = deployment('3', R3, 'interrupted', ['web-1', 'web-2', 'web-3', 'web-4'].map((host) => done(host, R3, R2)));
    expect(target([everywhere('1', R1, null), everywhere('2', R2, R1), all])).toMatchObject({ release: R2, from: R3 });
  });

  it('undoes a rollback that is live', () => {
    const back = { ...everywhere('3', R1, R2), kind: 'rollback' as const, fromRelease: R2 };
    expect(target([everywhere('1', R1, null), everywhere('2', R2, R1), back])).toMatchObject({ release: R2, from: R1, undo: true });
  });

  it('skips bad releases', () => {
    const history = [everywhere('1', R1, null), everywhere('2', R2, R1), everywhere('3', R3, R2)];
    expect(target(history, null, dictionary([[R2, 'rolled back by deployment 4']]))).toMatchObject({ release: R1, from: R3 });
  });

  it('takes a named release or commit, and says what it moves away from', () => {
    const history = [everywhere('1', R1, null), everywhere('2', R2, R1), interruptedAt('3', R3, R2)];
    expect(target(history, R1)).toMatchObject({ release: R1, from: R3 });
    expect(target(history, R2.slice(-7))).toMatchObject({ release: R2, from: R3 });
  });

  it('refuses with a reason: nothing deployed, nothing earlier, a name never run, hosts on three releases', () => {
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(RefusedError);
        return (error as RefusedError).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(() => target([]))).toBe('staging has no release deployed by igor to go back from');
    expect(refusal(() => target([everywhere('1', R1, null)]))).toBe(`staging has no earlier good release than ${R1} to go back to`);
    expect(refusal(() => target([everywhere('1', R1, null)], 'nope'))).toContain('never ran a release or commit `nope`');
    const threeWays = deployment('3', R3, 'interrupted', [done('web-1', R3, R2), { ...untouched('web-2'), state: 'failed', phase: 'steps', previousRelease: R1 }, untouched('web-3'), untouched('web-4')]);
    expect(refusal(() => target([everywhere('1', R1, null), everywhere('2', R2, R1), threeWays]))).toMatch(/run 3 releases \(web-1 on .*3333333; web-3, web-4 on .*2222222; web-2 on .*1111111\): name the one/);
  });
});
