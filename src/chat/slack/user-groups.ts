import type { WebClient } from '@slack/web-api';
import type { Clock } from '../../shared/clock.js';
import { createCachedUserGroups, type UserGroups } from '../../shared/user-groups.js';

/**
 * The UserGroups port on Slack (scope `usergroups:read`): `usergroups.list` for handle → id,
 * `usergroups.users.list` for a group's members, cached a few minutes and asked again on a miss
 * (see createCachedUserGroups). Give it a client with a timeout (see `createLookupClient`).
 */
export function createSlackUserGroups(client: WebClient, clock: Clock): UserGroups {
  return createCachedUserGroups(
    {
      name: 'slack',
      async handles() {
        const answer = await client.usergroups.list({});
        return new Map((answer.usergroups ?? []).filter((group) => group.handle && group.id && !group.date_delete).map((group) => [group.handle!, group.id!]));
      },
      async members(id) {
        try {
          return (await client.usergroups.users.list({ usergroup: id })).users ?? [];
        } catch (error) {
          if ((error as { data?: { error?: string } }).data?.error === 'no_such_subteam') return null;
          throw error;
        }
      },
    },
    clock,
  );
}
