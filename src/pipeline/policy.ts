import type { EnvironmentConfig } from '../config/schema.js';
import { code, joinPhrases, phrase, user as person, type Phrase } from '../shared/phrase.js';
import { sameCaller, type Actor } from '../shared/actor.js';
import { RefusedError } from '../shared/refusal.js';
import { isGroupEntry } from '../shared/user-groups.js';
import { membersOf, type EnvironmentMembers } from './members.js';
import type { UserGroups } from '../shared/user-groups.js';
import type { Deployment } from './types.js';

/** People and groups as the config names them: a person by id, a group by its handle (`@sre`), never its members. */
const named = (entries: readonly string[]) => joinPhrases(entries.map((entry) => (isGroupEntry(entry) ? phrase`${code(entry)}` : phrase`${person(entry)}`)), ', ');

/** ` (igor could not ask who is in @sre)`, when a group of the rule could not be resolved. */
function unresolvedNote(entries: readonly string[], members: EnvironmentMembers): Phrase | null {
  const missing = entries.filter((entry) => members.unresolved.includes(entry));
  return missing.length ? phrase` (no members known for ${joinPhrases(missing.map((entry) => phrase`${code(entry)}`), ', ')}: no such user group, or it could not be asked)` : null;
}

/**
 * Null when `user` may deploy, roll back and cancel in this environment; else the refusal, naming
 * the rule and who may (user groups by handle). `members`: the rule's groups expanded (see membersOf).
 */
export function deployRefusal(name: string, environment: EnvironmentConfig, members: EnvironmentMembers, user: string, action = 'deploy to'): Phrase | null {
  if (!environment.deployers || members.deployers?.includes(user)) return null;
  return phrase`only the deployers of ${name} may ${action} it (environments.${name}.deployers): ${named(environment.deployers)}${unresolvedNote(environment.deployers, members)}`;
}

/** Throws {@link deployRefusal}'s refusal, when there is one, as a `forbidden` RefusedError. */
export function requireDeployer(name: string, environment: EnvironmentConfig, members: EnvironmentMembers, user: string, action?: string): void {
  const refusal = deployRefusal(name, environment, members, user, action);
  if (refusal) throw new RefusedError('forbidden', refusal);
}

/** {@link requireDeployer}, with the user groups the environment's rules name asked for first. */
export async function requireDeployerOf(groups: UserGroups, name: string, environment: EnvironmentConfig, user: string, action?: string): Promise<void> {
  requireDeployer(name, environment, await membersOf(groups, environment, user), user, action);
}

/** Who may approve, as the config names them: `approval.approvers`, else the deployers, else anyone (null). */
function approverEntries(environment: EnvironmentConfig): readonly string[] | null {
  if (environment.approval.approvers.length) return environment.approval.approvers;
  return environment.deployers ?? null;
}

/** Who may approve, groups expanded: `approval.approvers`, else the deployers, else anyone (null). */
export function approversOf(environment: EnvironmentConfig, members: EnvironmentMembers): readonly string[] | null {
  if (environment.approval.approvers.length) return members.approvers;
  return members.deployers;
}

/**
 * Who may approve a deployment asked for by `requestedBy`, as people are told while it waits: the
 * approvers named by `approval.approvers`, else any deployer, else anyone; the requester left out
 * when `allowSelfApproval` is false. `users` are as the config names them: a user group stays its
 * handle (`@sre`), so people are told the group.
 */
export type ApproverRule = { rule: 'approvers' | 'deployers'; users: readonly string[]; requester: string | null } | { rule: 'anyone'; requester: string | null };

export function whoMayApprove(environment: EnvironmentConfig, requestedBy: string): ApproverRule {
  const requester = environment.approval.allowSelfApproval ? null : requestedBy;
  const listed = approverEntries(environment);
  if (!listed) return { rule: 'anyone', requester };
  return { rule: environment.approval.approvers.length ? 'approvers' : 'deployers', users: listed.filter((id) => id !== requester), requester };
}

/** Whether this deployment needs a person's approval, and if not, which rule grants it. */
export function approvalPolicy(name: string, environment: EnvironmentConfig, ref: string): { required: true } | { required: false; because: Phrase } {
  if (environment.approval.mode === 'auto') return { required: false, because: phrase`environments.${name}.approval.mode is auto` };
  if (environment.approval.autoApprove?.refs.includes(ref)) return { required: false, because: phrase`${{ kind: 'code', text: ref }} is in environments.${name}.approval.autoApprove.refs` };
  return { required: true };
}

/** Null when `user` may approve or reject `deployment`; else why not, and who could instead (groups by handle). */
export function approvalRefusal(name: string, environment: EnvironmentConfig, members: EnvironmentMembers, deployment: Deployment, actor: Actor, action: 'approve' | 'reject'): Phrase | null {
  const { user } = actor;
  const approvers = approversOf(environment, members);
  const entries = approverEntries(environment);
  if (approvers && entries && !approvers.includes(user)) {
    const key = environment.approval.approvers.length ? 'approval.approvers' : 'deployers';
    return phrase`only the approvers of ${name} may ${action} (environments.${name}.${key}): ${named(entries)}${unresolvedNote(entries, members)}`;
  }
  const requester: Actor = { user: deployment.requestedBy, via: 'slack', ...deployment.requestedVia };
  if (action === 'approve' && sameCaller(actor, requester) && !environment.approval.allowSelfApproval) {
    const others = (approvers ?? []).filter((approver) => approver !== user && approver !== deployment.requestedBy);
    const you = user === deployment.requestedBy ? 'you asked for this deployment' : `this deployment was asked for with the same API token (${actor.token ?? 'none'}), which may act as anyone`;
    return phrase`${you}, and environments.${name}.approval.allowSelfApproval is false: ${others.length ? phrase`ask ${named(others)}` : 'ask another approver'}`;
  }
  return null;
}
