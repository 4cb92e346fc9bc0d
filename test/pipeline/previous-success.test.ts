import { describe, expect, it } from 'vitest';
import { previousSuccess, touchedHosts } from '../../src/pipeline/queries.js';
import { R1, R2, R3, deployment, done, everywhere, untouched } from './history-fixtures.js';

describe('the deployment a success replaced (previousSuccess)', () => {
  it('is the last success of the same app and environment before it, past failures and other environments and apps', () => {
    const first = everywhere('1', R1, null);
    const failed = deployment('2', R2, 'rolled-back', [untouched('web-1')]);
    const elsewhere = deployment('3', R2, 'succeeded', [], { environment: 'production' });
    const otherApp = deployment('4', R2, 'succeeded', [], { app: 'billing' });
    const latest = everywhere('5', R3, R1);
    const history = [first, failed, elsewhere, otherApp, latest];
    expect(previousSuccess(history, latest)).toBe(first);
    expect(previousSuccess(history, elsewhere)).toBeUndefined();
    expect(previousSuccess(history, first)).toBeUndefined();
  });

  it('never is a deployment that came after it', () => {
    const history = [everywhere('1', R1, null), everywhere('2', R2, R1), everywhere('3', R3, R2)];
    expect(previousSuccess(history, history[1]!)).toBe(history[0]);
  });
});

describe('whether a rollout touched a host (touchedHosts)', () => {
  it('is true once any host left pending, and false when none was reached', () => {
    expect(touchedHosts(deployment('1', R1, 'cancelled', [untouched('web-1'), { ...untouched('web-2'), state: 'pending' }]))).toBe(false);
    expect(touchedHosts(deployment('1', R1, 'cancelled', [untouched('web-1'), { ...done('web-2', R1, null), state: 'rolled-back' }]))).toBe(true);
    expect(touchedHosts(deployment('1', R1, 'failed', []))).toBe(false);
  });
});
