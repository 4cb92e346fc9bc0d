import type { EnvironmentConfig } from '../config/schema.js';
import { isGroupEntry, UserGroupsError, type UserGroups } from '../shared/user-groups.js';

/**
 * The people an environment's rules name, user groups expanded: what the policy rules
 * (policy.ts) decide with. `unresolved` names the groups whose members could not be had, so a
 * refusal can say why a member was not recognised.
 */
export interface EnvironmentMembers {
  /** `deployers`, expanded; null when the environment names none (anyone may deploy). */
  deployers: readonly string[] | null;
  /** `approval.approvers`, expanded; empty when none are named. */
  approvers: readonly string[];
  /** Groups that name no group, or whose members could not be asked for. */
  unresolved: readonly string[];
}

/**
 * Expands the environment's `deployers` and `approval.approvers` through the user-groups port.
 * `expecting` is the person acting: a group whose cached members lack them is asked again.
 */
export async function membersOf(groups: UserGroups, environment: EnvironmentConfig, expecting?: string): Promise<EnvironmentMembers> {
  const unresolved: string[] = [];
  const expand = async (entries: readonly string[]) => {
    const lists = await Promise.all(
      entries.map(async (entry) => {
        if (!isGroupEntry(entry)) return [entry];
        try {
          const users = await groups.members(entry, expecting);
          if (users === null) unresolved.push(entry);
          return users ?? [];
        } catch (error) {
          if (!(error instanceof UserGroupsError)) throw error;
          unresolved.push(entry);
          return [];
        }
      }),
    );
    return [...new Set(lists.flat())];
  };
  const deployers = environment.deployers ? await expand(environment.deployers) : null;
  const approvers = await expand(environment.approval.approvers);
  return { deployers, approvers, unresolved: [...new Set(unresolved)] };
}
