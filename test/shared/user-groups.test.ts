import { describe, expect, it } from 'vitest';
import { createCachedUserGroups, createLocalUserGroups, UserGroupsError, type UserGroupsSource } from '../../src/shared/user-groups.js';
import { manualClock } from '../support/manual-clock.js';

/** A source that answers from tables the test changes, counting what it is asked. */
function countingSource(initial: Record<string, { id: string; users: string[] }>) {
  const groups = new Map(Object.entries(initial));
  const asked = { handles: 0, members: 0 };
  let down = false;
  const source: UserGroupsSource = {
    name: 'test',
    async handles() {
      asked.handles++;
      if (down) throw new Error('unreachable');
      return new Map([...groups].map(([handle, group]) => [handle, group.id]));
    },
    async members(id) {
      asked.members++;
      if (down) throw new Error('unreachable');
      return [...groups.values()].find((group) => group.id === id)?.users ?? null;
    },
  };
  return { source, groups, asked, setDown: (value: boolean) => void (down = value) };
}

const TIMING = { ttlMs: 5 * 60_000, minRefreshMs: 10_000 };

describe('cached user groups', () => {
  it('asks for a group by handle or id once, and again once the cache has expired', async () => {
    const clock = manualClock();
    const { source, asked, groups } = countingSource({ sre: { id: 'S0SRE', users: ['U0ALICE'] } });
    const cached = createCachedUserGroups(source, clock, TIMING);
    expect(await cached.members('@sre')).toEqual(['U0ALICE']);
    expect(await cached.members('S0SRE')).toEqual(['U0ALICE']);
    expect(asked).toEqual({ handles: 1, members: 1 });
    groups.set('sre', { id: 'S0SRE', users: ['U0ALICE', 'U0BOB'] });
    await clock.advance(4 * 60_000);
    expect(await cached.members('@sre')).toEqual(['U0ALICE']);
    await clock.advance(60_000);
    expect(await cached.members('@sre')).toEqual(['U0ALICE', 'U0BOB']);
    expect(asked).toEqual({ handles: 2, members: 2 });
  });

  it('asks again at once when an expected member is missing (refreshed on a miss), at most once per minRefreshMs', async () => {
    const clock = manualClock();
    const { source, asked, groups } = countingSource({ sre: { id: 'S0SRE', users: ['U0ALICE'] } });
    const cached = createCachedUserGroups(source, clock, TIMING);
    await cached.members('@sre', 'U0ALICE');
    groups.set('sre', { id: 'S0SRE', users: ['U0ALICE', 'U0BOB'] });
    await clock.advance(10_000);
    expect(await cached.members('@sre', 'U0BOB')).toEqual(['U0ALICE', 'U0BOB']);
    expect(asked.members).toBe(2);
    // A stranger pressing again and again is answered from the cache until minRefreshMs has passed.
    expect(await cached.members('@sre', 'U0MALLORY')).toEqual(['U0ALICE', 'U0BOB']);
    expect(await cached.members('@sre', 'U0MALLORY')).toEqual(['U0ALICE', 'U0BOB']);
    expect(asked.members).toBe(2);
    await clock.advance(10_000);
    await cached.members('@sre', 'U0MALLORY');
    expect(asked.members).toBe(3);
  });

  it('knows a group created since it last asked for the handles, and says null for a handle that names none', async () => {
    const clock = manualClock();
    const { source, groups } = countingSource({ sre: { id: 'S0SRE', users: ['U0ALICE'] } });
    const cached = createCachedUserGroups(source, clock, TIMING);
    expect(await cached.members('@dba')).toBeNull();
    groups.set('dba', { id: 'S0DBA', users: ['U0CAROL'] });
    await clock.advance(10_000);
    expect(await cached.members('@dba')).toEqual(['U0CAROL']);
  });

  it('keeps what the source said last when it fails, and throws UserGroupsError when it never answered', async () => {
    const clock = manualClock();
    const { source, setDown } = countingSource({ sre: { id: 'S0SRE', users: ['U0ALICE'] } });
    const cached = createCachedUserGroups(source, clock, TIMING);
    await cached.members('@sre');
    setDown(true);
    await clock.advance(TIMING.ttlMs);
    expect(await cached.members('@sre')).toEqual(['U0ALICE']);
    const fresh = createCachedUserGroups(source, clock, TIMING);
    await expect(fresh.members('@sre')).rejects.toThrow(UserGroupsError);
  });
});

describe('the id a group is mentioned by', () => {
  it('is the id of a handle (from the cached handles), an id as given, and null for no group or a source that never answered', async () => {
    const clock = manualClock();
    const { source, asked, setDown } = countingSource({ sre: { id: 'S0SRE', users: ['U0ALICE'] } });
    const cached = createCachedUserGroups(source, clock, TIMING);
    expect(await cached.idOf('@sre')).toBe('S0SRE');
    expect(await cached.idOf('S0DBA')).toBe('S0DBA');
    expect(await cached.members('@sre')).toEqual(['U0ALICE']);
    expect(asked.handles).toBe(1);
    expect(await cached.idOf('U0ALICE')).toBeNull();
    setDown(true);
    expect(await createCachedUserGroups(source, clock, TIMING).idOf('@sre')).toBeNull();
    // Local groups have handles only: nothing to mention them by but an id written as one.
    expect(await createLocalUserGroups({ sre: ['U0ALICE'] }).idOf('@sre')).toBeNull();
    expect(await createLocalUserGroups({ sre: ['U0ALICE'] }).idOf('S0SRE')).toBe('S0SRE');
  });
});

describe('local user groups', () => {
  it("answers from the config's groups by handle, and null for any other name (never Object.prototype's)", async () => {
    const local = createLocalUserGroups(Object.assign(Object.create(null) as Record<string, string[]>, { sre: ['U0ALICE'] }));
    expect(await local.members('@sre')).toEqual(['U0ALICE']);
    expect(await local.members('@constructor')).toBeNull();
    expect(await local.members('@__proto__')).toBeNull();
  });
});
