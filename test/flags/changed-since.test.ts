import { describe, expect, it } from 'vitest';
import { flagsChangedSince, flagsChangedText } from '../../src/flags/changed-since.js';
import { emptyFlags, type FlagChange } from '../../src/flags/model.js';
import type { Store } from '../../src/store/db.js';
import { emptyIgorData, type IgorData } from '../../src/igor-data.js';

function storeWith(changes: Array<Partial<FlagChange> & Pick<FlagChange, 'key' | 'from' | 'to' | 'at'>>): Store<IgorData> {
  const data = { ...emptyIgorData(), flags: emptyFlags() };
  data.flags.history = changes.map((change, i) => ({ id: String(i + 1), app: 'shop', environment: 'production', action: 'set', user: 'U0ALICE', undoOf: null, undoneBy: null, message: null, push: null, ...change }));
  return { data, write: async () => {}, writeSoon: () => {} };
}

describe('flags changed since a release', () => {
  const store = storeWith([
    { key: 'old', from: null, to: 'on', at: '2025-01-01T09:00:00.000Z' },
    { key: 'checkout', from: 'off', to: '10%', at: '2025-01-01T11:00:00.000Z' },
    { key: 'checkout', from: '10%', to: '50%', at: '2025-01-01T12:00:00.000Z', user: 'U0BOB' },
    { key: 'banner', from: 'on', to: null, at: '2025-01-01T13:00:00.000Z', action: 'delete' },
    { key: 'elsewhere', from: null, to: 'on', at: '2025-01-01T14:00:00.000Z', environment: 'staging' },
    { key: 'billing-only', from: null, to: 'on', at: '2025-01-01T14:00:00.000Z', app: 'billing' },
  ]);

  it('sums up each flag changed after the time given, in its app and environment only, by key', () => {
    expect(flagsChangedSince(store, 'shop', 'production', '2025-01-01T10:00:00.000Z')).toEqual([
      { key: 'banner', from: 'on', to: null, changes: 1, lastBy: 'U0ALICE', lastAt: '2025-01-01T13:00:00.000Z' },
      { key: 'checkout', from: 'off', to: '50%', changes: 2, lastBy: 'U0BOB', lastAt: '2025-01-01T12:00:00.000Z' },
    ]);
    expect(flagsChangedSince(store, 'shop', 'production', null).map((drift) => drift.key)).toEqual(['banner', 'checkout', 'old']);
    expect(flagsChangedSince(store, 'shop', 'production', '2025-01-02T00:00:00.000Z')).toEqual([]);
  });

  it('reads as one line for /deploy status, or nothing when no flag changed', () => {
    expect(flagsChangedText(flagsChangedSince(store, 'shop', 'production', '2025-01-01T10:00:00.000Z'))).toBe(
      ':triangular_flag_on_post: flags changed since: `banner` on → deleted (<@U0ALICE>), `checkout` off → 50% (<@U0BOB>, 2 changes)',
    );
    expect(flagsChangedText([])).toBeNull();
  });
});
