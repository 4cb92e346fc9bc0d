import { describe, expect, it } from 'vitest';
import { emptyIgorData, upgradeIgorData } from '../../src/igor-data.js';
import type { FlagRecord } from '../../src/flags/model.js';
import { dictionary } from '../../src/shared/names.js';

describe('a store of an igor that kept records per bare environment name', () => {
  it('keys its locks, manual locks and bad releases by app and environment, once', () => {
    const data = emptyIgorData();
    const lock = { environment: 'staging', deploymentId: '4', ref: 'main', user: 'U0ALICE', since: '2026-12-01T10:00:00.000Z' };
    const manual = { environment: 'production', user: 'U0BOB', reason: 'migration', since: '2026-12-01T10:00:00.000Z' };
    data.locks = dictionary([['staging', lock]]);
    data.manualLocks = dictionary([['production', manual]]);
    data.badReleases = dictionary([['production', dictionary([['20261201T100000Z-1111111', 'health check failed']])], ['__proto__', dictionary()]]);

    expect(upgradeIgorData(data, 'shop')).toBe(true);
    expect({ ...data.locks }).toEqual({ 'shop/staging': lock });
    expect({ ...data.manualLocks }).toEqual({ 'shop/production': manual });
    expect(Object.keys(data.badReleases).sort()).toEqual(['shop/__proto__', 'shop/production']);
    expect(data.badReleases['shop/production']).toEqual({ '20261201T100000Z-1111111': 'health check failed' });
    expect(Object.getPrototypeOf(data.locks)).toBeNull();

    expect(upgradeIgorData(data, 'shop')).toBe(false);
    expect({ ...data.locks }).toEqual({ 'shop/staging': lock });
  });

  it('keys its flags by app and environment too', () => {
    const data = emptyIgorData();
    const record: FlagRecord = { value: 'on', updatedBy: 'U0ALICE', updatedAt: '2026-12-01T10:00:00.000Z' };
    data.flags.environments = dictionary([['staging', dictionary([['new-checkout', record]])]]);
    expect(upgradeIgorData(data, 'shop')).toBe(true);
    expect(Object.keys(data.flags.environments)).toEqual(['shop/staging']);
    expect(data.flags.environments['shop/staging']).toEqual({ 'new-checkout': record });
  });

  it('keys the commit waiting to be auto-deployed by app and environment too', () => {
    const data = emptyIgorData();
    const waiting = { sha: 'a'.repeat(40), branch: 'main', user: 'github:ada', runId: '3' };
    data.ci.pendingDeploys = dictionary([['staging', waiting]]);
    expect(upgradeIgorData(data, 'shop')).toBe(true);
    expect({ ...data.ci.pendingDeploys }).toEqual({ 'shop/staging': waiting });
  });
});
