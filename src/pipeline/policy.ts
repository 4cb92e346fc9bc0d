import type { EnvironmentConfig } from '../config/schema.js';
import type { Deployment } from './types.js';

const mentions = (users: readonly string[]) => users.map((user) => `<@${user}>`).join(', ');

/** Null when `user` may deploy, roll back and cancel in this environment; else the refusal, naming the rule and who may. */
export function deployRefusal(name: string, environment: EnvironmentConfig, user: string, action = 'deploy to'): string | null {
  if (!environment.deployers || environment.deployers.includes(user)) return null;
  return `only the deployers of ${name} may ${action} it (environments.${name}.deployers): ${mentions(environment.deployers)}`;
}

/** Who may approve: `approval.approvers`, else the deployers, else anyone. */
export function approversOf(environment: EnvironmentConfig): readonly string[] | null {
  if (environment.approval.approvers.length) return environment.approval.approvers;
  return environment.deployers ?? null;
}

/** Whether this deployment needs a person's approval, and if not, which rule grants it. */
export function approvalPolicy(name: string, environment: EnvironmentConfig, ref: string): { required: true } | { required: false; because: string } {
  if (environment.approval.mode === 'auto') return { required: false, because: `environments.${name}.approval.mode is auto` };
  if (environment.approval.autoApprove?.refs.includes(ref)) return { required: false, because: `\`${ref}\` is in environments.${name}.approval.autoApprove.refs` };
  return { required: true };
}

/** Null when `user` may approve or reject `deployment`; else why not, and who could instead. */
export function approvalRefusal(name: string, environment: EnvironmentConfig, deployment: Deployment, user: string, action: 'approve' | 'reject'): string | null {
  const approvers = approversOf(environment);
  if (approvers && !approvers.includes(user)) {
    return `only the approvers of ${name} may ${action} (environments.${name}.approval.approvers): ${mentions(approvers)}`;
  }
  if (action === 'approve' && user === deployment.requestedBy && !environment.approval.allowSelfApproval) {
    const others = (approvers ?? []).filter((approver) => approver !== user);
    return `you asked for this deployment, and environments.${name}.approval.allowSelfApproval is false: ${others.length ? `ask ${mentions(others)}` : 'ask another approver'}`;
  }
  return null;
}
