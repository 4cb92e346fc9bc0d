import { describe, expect, it } from 'vitest';
import { deploymentOnHost, liveOn, newestLive, ofApp } from '../../src/pipeline/queries.js';
import { R1, R2, deployment, done, everywhere, untouched } from './history-fixtures.js';

/** The deployment that igor was killed in: web-1 switched to R2 during the canary's bake, the others never reached. */
const interrupted = deployment('2', R2, 'interrupted', [done('web-1', R2, R1), untouched('web-2'), untouched('web-3'), untouched('web-4')]);

describe('what is live on an environment (liveOn)', () => {
  it('is the one release every host runs, and the deployment that put it there', () => {
    const first = everywhere('1', R1, null);
    const live = liveOn([first], 'staging');
    expect(live).toMatchObject({ release: R1, deployment: first, unasked: null });
    expect(live.groups).toEqual([{ release: R1, hosts: ['web-1', 'web-2', 'web-3', 'web-4'], deployment: first }]);
    expect(live.hosts.every((host) => host.source === 'records')).toBe(true);
  });

  it('after an interrupted rollout, by the records: the switched host on the new release, the others on the one before', () => {
    const first = everywhere('1', R1, null);
    const live = liveOn([first, interrupted], 'staging');
    expect(live.release).toBeNull();
    expect(live.groups).toEqual([
      { release: R2, hosts: ['web-1'], deployment: interrupted },
      { release: R1, hosts: ['web-2', 'web-3', 'web-4'], deployment: first },
    ]);
    expect(deploymentOnHost(live, 'web-1')).toBe(interrupted);
    expect(deploymentOnHost(live, 'web-3')).toBe(first);
  });

  it('counts from the newest release hosts run (newestLive): the agreed one, else the one put there last', () => {
    const first = everywhere('1', R1, null);
    expect(newestLive(liveOn([first], 'staging'))).toBe(first);
    expect(newestLive(liveOn([first, interrupted], 'staging'))).toBe(interrupted);
    expect(newestLive(liveOn([], 'staging'))).toBeUndefined();
  });

  it("never takes another app's deployment to an environment of the same name for this app's (ofApp)", () => {
    const ours = everywhere('1', R1, null);
    const theirs = { ...everywhere('2', R2, R1), app: 'billing' };
    expect(liveOn(ofApp([ours, theirs], 'shop'), 'staging')).toMatchObject({ release: R1, deployment: ours });
    expect(liveOn(ofApp([ours, theirs], 'billing'), 'staging')).toMatchObject({ release: R2, deployment: theirs });
  });

  it('takes what the hosts answer over the records, and the records for a host that does not answer', () => {
    const first = everywhere('1', R1, null);
    const live = liveOn([first, interrupted], 'staging', {
      answers: [
        { host: 'web-1', release: R1, error: null },
        { host: 'web-2', release: R1, error: null },
        { host: 'web-3', release: null, error: 'no answer within 3s' },
      ],
      error: null,
    });
    expect(live.release).toBe(R1);
    expect(live.groups).toEqual([{ release: R1, hosts: ['web-1', 'web-2'], deployment: first }]);
    expect(live.hosts.find((host) => host.host === 'web-3')).toEqual({ host: 'web-3', release: R1, source: 'records', unreachable: 'no answer within 3s' });
  });

  it('does not guess for a host igor stopped while switching it, nor one whose rollback failed', () => {
    const first = everywhere('1', R1, null);
    const stopped = deployment('2', R2, 'interrupted', [
      { host: 'web-1', state: 'deploying', release: null, previousRelease: R1, error: null, phase: 'switch', switched: false },
      { host: 'web-2', state: 'rollback-failed', release: null, previousRelease: R1, error: 'boom', phase: 'restart', switched: true },
      { host: 'web-3', state: 'deploying', release: null, previousRelease: R1, error: null, phase: 'steps', switched: false },
      untouched('web-4'),
    ]);
    const live = liveOn([first, stopped], 'staging');
    expect(live.hosts.map((host) => [host.host, host.source, host.release])).toEqual([
      ['web-1', 'unknown', null],
      ['web-2', 'unknown', null],
      ['web-3', 'records', R1],
      ['web-4', 'records', R1],
    ]);
    expect(live.release).toBe(R1);
  });

  it('puts hosts that were rolled back on the release they went back to', () => {
    const first = everywhere('1', R1, null);
    const rolledBack = deployment('2', R2, 'rolled-back', [
      { host: 'web-1', state: 'rolled-back', release: R1, previousRelease: R1, error: null, phase: 'health', switched: true },
      { host: 'web-2', state: 'failed', release: null, previousRelease: R1, error: 'health', phase: 'steps', switched: false },
      untouched('web-3'),
      untouched('web-4'),
    ]);
    expect(liveOn([first, rolledBack], 'staging')).toMatchObject({ release: R1, deployment: first });
  });

  it("is the last success when igor has no host records, and nothing in another environment's history", () => {
    const old = { ...everywhere('1', R1, null), hosts: [] };
    expect(liveOn([old], 'staging')).toMatchObject({ release: R1, deployment: old });
    expect(liveOn([everywhere('1', R1, null)], 'production')).toMatchObject({ release: null, deployment: undefined, groups: [] });
  });

  it('says why the hosts could not be asked, and answers from the records meanwhile', () => {
    const live = liveOn([everywhere('1', R1, null)], 'staging', { answers: null, error: 'discovery (ec2) did not answer within 3s' });
    expect(live).toMatchObject({ release: R1, unasked: 'discovery (ec2) did not answer within 3s' });
  });
});
