import { describe, expect, it } from 'vitest';
import { isReleaseName, releaseName, releasesToPrune } from '../../src/fleet/releases.js';

const SHA = 'abcdef0123456789abcdef0123456789abcdef01';

/** Release names one day apart, oldest first: `202611DDT120000Z-abcdef0`. */
function days(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `202611${String(index + 1).padStart(2, '0')}T120000Z-abcdef0`);
}

describe('releaseName', () => {
  it('is the start time in UTC followed by the first 7 hex digits of the sha', () => {
    expect(releaseName(new Date('2026-11-26T10:20:30Z'), SHA)).toBe('20261126T102030Z-abcdef0');
  });

  it('uses UTC whatever offset the time was given in', () => {
    expect(releaseName(new Date('2026-11-26T23:30:05-02:00'), SHA)).toBe('20261127T013005Z-abcdef0');
  });

  it('drops milliseconds', () => {
    expect(releaseName(new Date('2026-01-02T03:04:05.678Z'), SHA)).toBe('20260102T030405Z-abcdef0');
  });

  it('gives every host of one deployment the same name', () => {
    const startedAt = new Date('2026-11-26T10:20:30Z');
    expect(releaseName(startedAt, SHA)).toBe(releaseName(new Date(startedAt), SHA));
  });

  it('makes names that sort by time', () => {
    const earlier = releaseName(new Date('2026-09-30T23:59:59Z'), 'ffffffff');
    const later = releaseName(new Date('2026-10-01T00:00:00Z'), '00000000');
    expect([later, earlier].sort()).toEqual([earlier, later]);
  });

  it('is recognised as a release name', () => {
    expect(isReleaseName(releaseName(new Date(), SHA))).toBe(true);
  });
});

describe('isReleaseName', () => {
  it.each(['20261126T102030Z-abcdef0', '19991231T235959Z-0000000'])('accepts %s', (name) => {
    expect(isReleaseName(name)).toBe(true);
  });

  it.each([
    'current',
    'shared',
    '.tmp-current',
    '20261126T102030Z',
    '20261126T102030Z-abcdef',
    '20261126T102030Z-abcdef01',
    '20261126T102030Z-ABCDEF0',
    '20261126102030Z-abcdef0',
    '20261126T102030-abcdef0',
    ' 20261126T102030Z-abcdef0',
    '20261126T102030Z-abcdef0.old',
  ])('refuses %j', (name) => {
    expect(isReleaseName(name)).toBe(false);
  });
});

describe('releasesToPrune', () => {
  it('returns nothing when there are no more releases than keep', () => {
    const releases = days(5);
    expect(releasesToPrune(releases, 5, releases[4]!, releases[3]!)).toEqual([]);
    expect(releasesToPrune(releases.slice(0, 3), 5, releases[2]!, releases[1]!)).toEqual([]);
  });

  it('keeps the newest releases and prunes the older ones', () => {
    const releases = days(8);
    const pruned = releasesToPrune(releases, 5, releases[7]!, releases[6]!);
    expect(pruned.sort()).toEqual(releases.slice(0, 3));
  });

  it('sorts by name, not by the order the folders were listed in', () => {
    const releases = days(6);
    const shuffled = [releases[3]!, releases[0]!, releases[5]!, releases[1]!, releases[4]!, releases[2]!];
    expect(releasesToPrune(shuffled, 4, releases[5]!, releases[4]!).sort()).toEqual(releases.slice(0, 2));
  });

  it('never prunes the live release even when it is the oldest', () => {
    const releases = days(8);
    const live = releases[0]!;
    const pruned = releasesToPrune(releases, 3, live, releases[7]!);
    expect(pruned).not.toContain(live);
    expect(8 - pruned.length).toBe(3);
  });

  it('never prunes the previous release even when it is old, so a rollback has somewhere to go', () => {
    const releases = days(8);
    const live = releases[7]!;
    const previous = releases[1]!;
    const pruned = releasesToPrune(releases, 3, live, previous);
    expect(pruned).not.toContain(live);
    expect(pruned).not.toContain(previous);
    expect(pruned.sort()).toEqual([releases[0]!, ...releases.slice(2, 6)]);
  });

  it('keeps the live and previous releases plus the newest others up to keep', () => {
    const releases = days(10);
    const pruned = releasesToPrune(releases, 4, releases[2]!, releases[0]!);
    const kept = releases.filter((name) => !pruned.includes(name));
    expect(kept).toEqual([releases[0]!, releases[2]!, releases[8]!, releases[9]!]);
  });

  it('keeps the live and previous releases even when keep is smaller', () => {
    const releases = days(4);
    const pruned = releasesToPrune(releases, 1, releases[0]!, releases[1]!);
    expect(pruned.sort()).toEqual(releases.slice(2));
  });

  it('never touches folders that are not igor releases', () => {
    const releases = days(6);
    const pruned = releasesToPrune([...releases, 'notes', '.tmp-upload', 'backup-2020'], 3, releases[5]!, releases[4]!);
    expect(pruned.sort()).toEqual(releases.slice(0, 3));
  });

  it('does not count foreign folders towards keep', () => {
    const releases = days(3);
    expect(releasesToPrune([...releases, 'a', 'b', 'c'], 3, releases[2]!, releases[1]!)).toEqual([]);
  });

  it('keeps the newest releases when there is no live or previous release yet', () => {
    const releases = days(4);
    expect(releasesToPrune(releases, 2, null, null).sort()).toEqual(releases.slice(0, 2));
  });
});
