import { describe, expect, it } from 'vitest';
import { releasesWorthKeeping } from '../../src/pipeline/artifact-retention.js';
import { R1, R2, R3, deployment, done, everywhere, untouched } from './history-fixtures.js';

const R4 = '20261204T100000Z-4444444';
const R5 = '20261205T100000Z-5555555';

describe('which releases keep their artifacts (releasesWorthKeeping)', () => {
  it('keeps the newest keepReleases releases an environment ran, the live one among them, and drops older ones', () => {
    const history = [everywhere('1', R1, null), everywhere('2', R2, R1), everywhere('3', R3, R2)];
    expect([...releasesWorthKeeping(history, { staging: { keepReleases: 2 } })].sort()).toEqual([R2, R3]);
  });

  it('keeps a release still live on some hosts after a rollout stopped half-way, even beyond keepReleases', () => {
    const half = deployment('4', R4, 'failed', [done('web-1', R4, R1), untouched('web-2'), untouched('web-3'), untouched('web-4')]);
    const history = [everywhere('1', R1, null), half];
    // web-2..4 still run R1 and web-1 runs R4: both may be promoted or rolled back to.
    expect([...releasesWorthKeeping(history, { staging: { keepReleases: 2 } })].sort()).toEqual([R1, R4]);
  });

  it('drops a release that failed before reaching any host', () => {
    const never = deployment('2', R2, 'failed', [untouched('web-1'), untouched('web-2'), untouched('web-3'), untouched('web-4')]);
    expect([...releasesWorthKeeping([everywhere('1', R1, null), never], { staging: { keepReleases: 5 } })]).toEqual([R1]);
  });

  it('keeps the release of a deployment under way, whatever its environment', () => {
    const running = deployment('5', R5, 'awaiting-approval', [], { environment: 'production' });
    expect([...releasesWorthKeeping([everywhere('1', R1, null), running], { staging: { keepReleases: 2 }, production: { keepReleases: 2 } })].sort()).toEqual([R1, R5]);
  });

  it('keeps what each environment needs: staging moved on, production still runs the release promoted to it', () => {
    const promoted = { ...everywhere('2', R1, null), environment: 'production' };
    const history = [everywhere('1', R1, null), promoted, everywhere('3', R2, R1), everywhere('4', R3, R2)];
    // staging keeps R3 and R2 (keepReleases 2); production runs R1.
    expect([...releasesWorthKeeping(history, { staging: { keepReleases: 2 }, production: { keepReleases: 2 } })].sort()).toEqual([R1, R2, R3]);
  });
});
