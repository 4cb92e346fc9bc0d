import { describe, expect, it } from 'vitest';
import { gateReading, requireGates } from '../../src/pipeline/gates.js';
import { RefusedError } from '../../src/shared/refusal.js';
import { manualClock } from '../support/manual-clock.js';
import { R1, R2, deployment, done, everywhere } from './history-fixtures.js';

// everywhere('1', R1, …) finished 2026-12-01T10:00:00Z: the clock starts an hour later.
const start = '2026-12-01T11:00:00Z';
const shaOf = (d: { sha: string | null }) => d.sha!;
const SOAK = 2 * 60 * 60_000;

function refusal(run: () => void): RefusedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(RefusedError);
    return error as RefusedError;
  }
  throw new Error('it was admitted');
}

describe('gates: environments.<env>.requires', () => {
  it('admits a commit live and healthy on every required environment', () => {
    const clock = manualClock(start);
    const tested = everywhere('1', R1, null);
    expect(() => requireGates({ history: [tested], badReleases: () => ({}), target: 'production', requirement: { environments: ['staging'], soak: 0 }, sha: shaOf(tested), ref: 'main', now: clock.now() })).not.toThrow();
  });

  it('admits anything when the environment requires nothing', () => {
    expect(() => requireGates({ history: [], badReleases: () => ({}), target: 'staging', requirement: undefined, sha: 'a'.repeat(40), ref: 'main', now: new Date() })).not.toThrow();
  });

  it('refuses a commit not live there, naming what staging runs and the commands that would satisfy it', () => {
    const clock = manualClock(start);
    const live = everywhere('1', R1, null);
    const other = 'f'.repeat(40);
    const error = refusal(() => requireGates({ history: [live], badReleases: () => ({}), target: 'production', requirement: { environments: ['staging'], soak: 0 }, sha: other, ref: 'main', now: clock.now() }));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(
      `production takes only commits live and healthy on staging: \`main\` (fffffff) is not live on staging, which runs 1111111 (deployment 1). Deploy it there first: \`/deploy main to staging\`, then \`/deploy promote staging to production\`.`,
    );
  });

  it('refuses a commit that was live but was rolled back since', () => {
    const clock = manualClock(start);
    const first = everywhere('1', R1, null);
    const second = everywhere('2', R2, R1);
    const rollback = deployment('3', R1, 'succeeded', [done('web-1', R1, R2), done('web-2', R1, R2), done('web-3', R1, R2), done('web-4', R1, R2)], { kind: 'rollback', fromRelease: R2 });
    expect(gateReading([first, second, rollback], { [R2]: 'rolled back' }, 'staging', shaOf(second), 0, clock.now())).toMatchObject({ met: false, why: 'not-live' });
  });

  it('refuses a live release marked bad', () => {
    const live = everywhere('1', R1, null);
    const error = refusal(() => requireGates({ history: [live], badReleases: () => ({ [R1]: 'its canary failed' }), target: 'production', requirement: { environments: ['staging'], soak: 0 }, sha: shaOf(live), ref: 'main', now: new Date(start) }));
    expect(error.message).toContain(`release \`${R1}\` of \`main\` (1111111) on staging is marked bad (its canary failed)`);
  });

  it('waits out the soak, counted from when the release went live, on the injected clock', async () => {
    const clock = manualClock(start);
    const live = everywhere('1', R1, null);
    const gate = () => requireGates({ history: [live], badReleases: () => ({}), target: 'production', requirement: { environments: ['staging'], soak: SOAK }, sha: shaOf(live), ref: 'main', now: clock.now() });
    const error = refusal(gate);
    expect(error.message).toBe(
      'production takes only commits live and healthy on staging for at least 2h 0m: `main` (1111111) is live on staging since 2026-12-01T10:00:00.000Z: 1h 0m more to go. Once the soak is over: `/deploy promote staging to production`.',
    );
    await clock.advance(60 * 60_000 - 1);
    expect(refusal(gate).message).toContain('is live on staging since');
    await clock.advance(1);
    expect(gate).not.toThrow();
  });

  it('names every required environment that lacks the commit', () => {
    const live = everywhere('1', R1, null);
    const error = refusal(() => requireGates({ history: [live], badReleases: () => ({}), target: 'production', requirement: { environments: ['staging', 'qa'], soak: 0 }, sha: shaOf(live), ref: 'main', now: new Date(start) }));
    expect(error.message).toBe('production takes only commits live and healthy on staging and qa: `main` (1111111) is not live on qa. Deploy it there first: `/deploy main to qa`, then `/deploy promote qa to production`.');
  });
});

describe('gates of an app that is not the default one', () => {
  it('name the app in the commands they suggest', () => {
    const live = everywhere('1', R1, null);
    const error = refusal(() => requireGates({ history: [live], badReleases: () => ({}), target: 'production', requirement: { environments: ['staging'], soak: 0 }, sha: 'e'.repeat(40), ref: 'main', now: new Date(start), appPrefix: 'billing/' }));
    expect(error.message).toContain('Deploy it there first: `/deploy billing/main to staging`, then `/deploy promote billing/staging to production`.');
  });
});
