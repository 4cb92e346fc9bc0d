import type { EnvironmentConfig } from '../config/schema.js';
import { joinPhrases, phrase, user as person, type Phrase } from '../shared/phrase.js';
import { sameCaller, type Actor } from '../shared/actor.js';
import { RefusedError } from '../shared/refusal.js';
import type { Deployment } from './types.js';

const people = (users: readonly string[]) => joinPhrases(users.map((id) => phrase`${person(id)}`), ', ');

/** Null when `user` may deploy, roll back and cancel in this environment; else the refusal, naming the rule and who may. */
export function deployRefusal(name: string, environment: EnvironmentConfig, user: string, action = 'deploy to'): Phrase | null {
  if (!environment.deployers || environment.deployers.includes(user)) return null;
  return phrase`only the deployers of ${name} may ${action} it (environments.${name}.deployers): ${people(environment.deployers)}`;
}

/** Throws {@link deployRefusal}'s refusal, when there is one, as a `forbidden` RefusedError. */
export function requireDeployer(name: string, environment: EnvironmentConfig, user: string, action?: string): void {
  const refusal = deployRefusal(name, environment, user, action);
  if (refusal) throw new RefusedError('forbidden', refusal);
}

/** Who may approve: `approval.approvers`, else the deployers, else anyone. */
export function approversOf(environment: EnvironmentConfig): readonly string[] | null {
  if (environment.approval.approvers.length) return environment.approval.approvers;
  return environment.deployers ?? null;
}

/**
 * Who may approve a deployment asked for by `requestedBy`, as people are told while it waits: the
 * approvers named by `approval.approvers`, else any deployer, else anyone; the requester left out
 * when `allowSelfApproval` is false.
 */
export type ApproverRule = { rule: 'approvers' | 'deployers'; users: readonly string[]; requester: string | null } | { rule: 'anyone'; requester: string | null };

export function whoMayApprove(environment: EnvironmentConfig, requestedBy: string): ApproverRule {
  const requester = environment.approval.allowSelfApproval ? null : requestedBy;
  const listed = approversOf(environment);
  if (!listed) return { rule: 'anyone', requester };
  return { rule: environment.approval.approvers.length ? 'approvers' : 'deployers', users: listed.filter((id) => id !== requester), requester };
}

/** Whether this deployment needs a person's approval, and if not, which rule grants it. */
export function approvalPolicy(name: string, environment: EnvironmentConfig, ref: string): { required: true } | { required: false; because: Phrase } {
  if (environment.approval.mode === 'auto') return { required: false, because: phrase`environments.${name}.approval.mode is auto` };
  if (environment.approval.autoApprove?.refs.includes(ref)) return { required: false, because: phrase`${{ kind: 'code', text: ref }} is in environments.${name}.approval.autoApprove.refs` };
  return { required: true };
}

/** Null when `user` may approve or reject `deployment`; else why not, and who could instead. */
export function approvalRefusal(name: string, environment: EnvironmentConfig, deployment: Deployment, actor: Actor, action: 'approve' | 'reject'): Phrase | null {
  const { user } = actor;
  const approvers = approversOf(environment);
  if (approvers && !approvers.includes(user)) {
    return phrase`only the approvers of ${name} may ${action} (environments.${name}.approval.approvers): ${people(approvers)}`;
  }
  const requester: Actor = { user: deployment.requestedBy, via: 'slack', ...deployment.requestedVia };
  if (action === 'approve' && sameCaller(actor, requester) && !environment.approval.allowSelfApproval) {
    const others = (approvers ?? []).filter((approver) => approver !== user && approver !== deployment.requestedBy);
    const you = user === deployment.requestedBy ? 'you asked for this deployment' : `this deployment was asked for with the same API token (${actor.token ?? 'none'}), which may act as anyone`;
    return phrase`${you}, and environments.${name}.approval.allowSelfApproval is false: ${others.length ? phrase`ask ${people(others)}` : 'ask another approver'}`;
  }
  return null;
}
