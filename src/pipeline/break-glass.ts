import type { EnvironmentConfig } from '../config/schema.js';
import { viaOf, type Actor } from '../shared/actor.js';
import { joinPhrases, phrase, user as person, type Phrase } from '../shared/phrase.js';
import { RefusedError } from '../shared/refusal.js';
import { recordAudit } from './audit.js';
import type { EnvironmentMembers } from './members.js';
import { approversOf } from './policy.js';
import type { Deployment } from './types.js';

/** How long a break-glass reason may be: a sentence or two, shown in the alerts channel. */
export const BREAK_GLASS_REASON_MAX = 500;

/**
 * Null when `user` may break a freeze of this environment (Deploy anyway, `--break-glass`): its
 * approvers (`approval.approvers`, else its deployers, else anyone); else the refusal naming who may.
 */
export function breakGlassRefusal(name: string, environment: EnvironmentConfig, members: EnvironmentMembers, user: string): Phrase | null {
  const approvers = approversOf(environment, members);
  if (!approvers || approvers.includes(user)) return null;
  const setting = environment.approval.approvers.length ? 'approval.approvers' : 'deployers';
  return phrase`only the approvers of ${name} may deploy during its freeze (environments.${name}.${setting}): ${joinPhrases(
    approvers.map((id) => phrase`${person(id)}`),
    ', ',
  )}`;
}

/** The reason as kept: trimmed; refused when empty or too long. */
export function breakGlassReason(reason: string | undefined): string {
  const text = reason?.trim() ?? '';
  if (!text) throw new RefusedError('bad-input', 'a reason is required to deploy during a freeze: say why it cannot wait');
  if (text.length > BREAK_GLASS_REASON_MAX) throw new RefusedError('bad-input', `the reason is longer than ${BREAK_GLASS_REASON_MAX} characters`);
  return text;
}

/**
 * Marks a queued deployment to start despite the freeze, with who and why, in its audit. Refusals
 * are audited too (as for every button), then thrown.
 */
export function breakFreeze(deployment: Deployment, environment: EnvironmentConfig, members: EnvironmentMembers, actor: Actor, rawReason: string | undefined, now: string): void {
  const refuse = (error: RefusedError): never => {
    recordAudit(deployment.audit, { action: 'deploy-anyway', user: actor.user, ...viaOf(actor), at: now, outcome: 'refused', detail: error.message });
    throw error;
  };
  const waiting = deployment.waiting;
  if (deployment.state !== 'queued' || !waiting?.frozenUntil) {
    refuse(new RefusedError('conflict', `deployment ${deployment.id} is ${deployment.state}${deployment.state === 'queued' ? ', but not for a freeze' : ''}: there is no freeze to deploy through`));
  }
  const refusal = breakGlassRefusal(deployment.environment, environment, members, actor.user);
  if (refusal) refuse(new RefusedError('forbidden', refusal));
  let reason: string;
  try {
    reason = breakGlassReason(rawReason);
  } catch (error) {
    return refuse(error as RefusedError);
  }
  recordAudit(deployment.audit, { action: 'deploy-anyway', user: actor.user, ...viaOf(actor), at: now, outcome: 'done', detail: reason });
  waiting!.breakGlass = { user: actor.user, reason, at: now };
}
