import type { Clock } from './clock.js';

/** A user group as `deployers` and `approvers` name it: by handle (`@sre`) or id (`S0SRE`). */
export const isGroupEntry = (entry: string): boolean => /^(@[a-z0-9][a-z0-9._-]*|S[A-Z0-9]{2,})$/.test(entry);

/**
 * Who is in a user group, chat-neutral: Slack's user groups behind its adapter, the config's
 * `groups` in local mode. The pipeline asks through this port and never knows which.
 */
export interface UserGroups {
  readonly name: string;
  /**
   * The members of `group` (`@sre` or `S0SRE`); null when there is no such group. With `expecting`,
   * a cached list without that user is asked for again first (the team may have just added them).
   * Throws {@link UserGroupsError} when the members cannot be had.
   */
  members(group: string, expecting?: string): Promise<readonly string[] | null>;
  /**
   * The id chat mentions `group` by (`S0SRE` as given; `@sre` looked up), so a mention notifies its
   * members; null when there is none, it cannot be had, or groups here have no ids (local mode).
   */
  idOf(group: string): Promise<string | null>;
}

const GROUP_ID = /^S[A-Z0-9]{2,}$/;

/** The members of a group could not be had (Slack unreachable, a scope missing). */
export class UserGroupsError extends Error {
  override name = 'UserGroupsError';
}

/** The local port: the config's `groups`, by handle (`sre` answers `@sre`). */
export function createLocalUserGroups(groups: Readonly<Record<string, readonly string[]>> | undefined): UserGroups {
  return {
    name: 'local',
    members(group) {
      const handle = group.startsWith('@') ? group.slice(1) : group;
      return Promise.resolve(groups && Object.hasOwn(groups, handle) ? groups[handle]! : null);
    },
    // The config's groups have handles only: nothing to mention them by.
    idOf: (group) => Promise.resolve(GROUP_ID.test(group) ? group : null),
  };
}

/** What a cached port asks its source: a handle's group id, and a group's members. */
export interface UserGroupsSource {
  readonly name: string;
  /** Every group's handle (without `@`) and id. */
  handles(): Promise<ReadonlyMap<string, string>>;
  /** The members of the group with this id; null when there is none. */
  members(id: string): Promise<readonly string[] | null>;
}

/**
 * A {@link UserGroups} that asks its source at most once per `ttlMs` for each group (and for the
 * handles), and again at once on a miss: a handle it does not know, or a member it expected and
 * does not see (at most once per `minRefreshMs`, so a stranger's presses cannot flood the source).
 * When the source fails, what it said last stands; with nothing said yet, the error goes on.
 */
export function createCachedUserGroups(source: UserGroupsSource, clock: Clock, timing: { ttlMs: number; minRefreshMs: number } = { ttlMs: 5 * 60_000, minRefreshMs: 10_000 }): UserGroups {
  let handles: { at: number; ids: ReadonlyMap<string, string> } | null = null;
  const members = new Map<string, { at: number; users: readonly string[] | null }>();
  const now = () => clock.now().getTime();
  const fresh = (at: number) => now() - at < timing.ttlMs;
  const mayRefresh = (at: number) => now() - at >= timing.minRefreshMs;

  async function idOf(handle: string): Promise<string | null> {
    if (!handles || !fresh(handles.at) || (!handles.ids.has(handle) && mayRefresh(handles.at))) {
      try {
        handles = { at: now(), ids: await source.handles() };
      } catch (error) {
        if (!handles) throw asGroupsError(error, source.name);
      }
    }
    return handles.ids.get(handle) ?? null;
  }

  async function membersOf(id: string, expecting: string | undefined): Promise<readonly string[] | null> {
    const cached = members.get(id);
    const missed = cached && expecting !== undefined && !cached.users?.includes(expecting) && mayRefresh(cached.at);
    if (cached && fresh(cached.at) && !missed) return cached.users;
    try {
      const users = await source.members(id);
      members.set(id, { at: now(), users });
      return users;
    } catch (error) {
      if (cached) return cached.users;
      throw asGroupsError(error, source.name);
    }
  }

  return {
    name: source.name,
    async members(group, expecting) {
      const id = group.startsWith('@') ? await idOf(group.slice(1)) : group;
      return id === null ? null : membersOf(id, expecting);
    },
    async idOf(group) {
      if (!group.startsWith('@')) return GROUP_ID.test(group) ? group : null;
      return idOf(group.slice(1)).catch(() => null);
    },
  };
}

function asGroupsError(error: unknown, source: string): UserGroupsError {
  if (error instanceof UserGroupsError) return error;
  return new UserGroupsError(`[${source}] user groups: ${(error as Error).message ?? String(error)}`, { cause: error });
}
