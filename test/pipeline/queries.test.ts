// The questions chat asks of a deployment's later story and of its time, answered from plain data.
import { describe, expect, it } from 'vitest';
import { badReleasesOfCommit, rolledBackBy, timeSpent } from '../../src/pipeline/queries.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { R1, R2, R3, deployment, everywhere } from './history-fixtures.js';

/** `/rollback` run as deployment `id`: from `from` back to `to`. */
function rollback(id: string, to: string, from: string, extra: Partial<Deployment> = {}): Deployment {
  return deployment(id, to, 'succeeded', [], { kind: 'rollback', ref: to, fromRelease: from, requestedBy: 'U0BOB', finishedAt: `2026-12-0${id}T10:02:00.000Z`, ...extra });
}

describe('rolledBackBy', () => {
  it('names the rollback that took a deployment’s release off its environment', () => {
    const history = [everywhere('1', R1, null), everywhere('2', R2, R1), rollback('3', R1, R2)];
    expect(rolledBackBy(history[1]!, history)?.id).toBe('3');
    expect(rolledBackBy(history[0]!, history)).toBeUndefined();
    expect(rolledBackBy(history[2]!, history)).toBeUndefined();
  });

  it('forgets the mark once a later deployment puts the release back (an undo), and marks the undone rollback instead', () => {
    const history = [everywhere('1', R1, null), everywhere('2', R2, R1), rollback('3', R1, R2), rollback('4', R2, R1, { undo: true })];
    expect(rolledBackBy(history[1]!, history)).toBeUndefined();
    expect(rolledBackBy(history[2]!, history)?.id).toBe('4');
    // The first deploy of R1 was superseded, then its release put back by someone else: not its rollback.
    expect(rolledBackBy(history[0]!, history)).toBeUndefined();
  });

  it('counts only rollbacks of the same app and environment that succeeded', () => {
    const deploy = everywhere('1', R2, R1);
    const elsewhere = rollback('2', R1, R2, { environment: 'production' });
    const otherApp = rollback('3', R1, R2, { app: 'billing' });
    const failed = rollback('4', R1, R2, { state: 'failed' });
    expect(rolledBackBy(deploy, [deploy, elsewhere, otherApp, failed])).toBeUndefined();
  });
});

describe('badReleasesOfCommit', () => {
  it('finds the releases of the same commit marked bad in any environment of the app, once each', () => {
    const first = everywhere('1', R1, null);
    const staging = everywhere('2', R2, R1);
    const production = { ...everywhere('3', R3, null), sha: staging.sha, environment: 'production' };
    const again = { ...deployment('4', R2, 'testing', []), release: null };
    const marks = { 'shop/staging': { [R2]: 'rolled back by deployment 5' }, 'shop/production': { [R3]: 'deployment 3 failed: web-1 unhealthy' }, 'billing/staging': { [R1]: 'x' } };
    expect(badReleasesOfCommit(again, [first, staging, production, again], marks)).toEqual([
      { environment: 'production', release: R3, why: 'deployment 3 failed: web-1 unhealthy' },
      { environment: 'staging', release: R2, why: 'rolled back by deployment 5' },
    ]);
    expect(badReleasesOfCommit({ ...again, sha: first.sha }, [first, staging, production, again], marks)).toEqual([]);
  });
});

describe('timeSpent', () => {
  const at = (seconds: number) => new Date(Date.parse('2026-12-03T10:00:00.000Z') + seconds * 1_000).toISOString();

  it('tells the tests, the wait for approval, the rollout and the bake apart', () => {
    const d = deployment('1', R1, 'succeeded', [], {
      createdAt: at(0),
      finishedAt: at(100),
      steps: [
        { name: 'unit', state: 'succeeded', startedAt: at(1), finishedAt: at(4) },
        { name: 'lint', state: 'succeeded', startedAt: at(4), finishedAt: at(6) },
        { name: 'deploy', state: 'succeeded', startedAt: at(91), finishedAt: at(99) },
        { name: 'verify', state: 'succeeded', startedAt: at(99), finishedAt: at(100) },
      ],
      transitions: [
        { state: 'testing', at: at(0) },
        { state: 'awaiting-approval', at: at(7) },
        { state: 'deploying', at: at(91) },
        { state: 'baking', at: at(93) },
        { state: 'deploying', at: at(96) },
        { state: 'verifying', at: at(99) },
        { state: 'succeeded', at: at(100) },
      ],
    });
    expect(timeSpent(d)).toEqual({
      tests: { start: at(1), end: at(6) },
      approval: { start: at(7), end: at(91) },
      rollout: { start: at(91), end: at(100) },
      bake: { start: at(93), end: at(96) },
    });
  });

  it('leaves the end open while a stretch lasts, and counts no tests that ran in a test run elsewhere', () => {
    const waiting = deployment('1', R1, 'awaiting-approval', [], {
      finishedAt: null,
      testedIn: { source: 'test run 3', sha: 'a', settings: 'x', steps: [] } as unknown as Deployment['testedIn'],
      steps: [{ name: 'unit', state: 'succeeded', startedAt: at(-50), finishedAt: at(-40) }],
      transitions: [{ state: 'testing', at: at(0) }, { state: 'awaiting-approval', at: at(1) }],
    });
    expect(timeSpent(waiting)).toEqual({ tests: null, approval: { start: at(1), end: null }, rollout: null, bake: null });
  });

  it('knows the rollout of a deployment of an older igor from its deploy step, and nothing of a wait it did not record', () => {
    const old = deployment('1', R1, 'succeeded', [], { finishedAt: at(30), steps: [{ name: 'deploy', state: 'succeeded', startedAt: at(20), finishedAt: at(29) }] });
    expect(timeSpent(old)).toEqual({ tests: null, approval: null, rollout: { start: at(20), end: at(30) }, bake: null });
  });
});
