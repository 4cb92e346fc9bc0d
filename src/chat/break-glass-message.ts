import type { PipelineEvent } from '../pipeline/events.js';
import { deploymentPageUrl } from '../pipeline/links.js';
import type { Deployment } from '../pipeline/types.js';
import { codeMrkdwn, dateMrkdwn, escapeMrkdwn as esc, linkMrkdwn, mention } from './mrkdwn.js';

/** `:rotating_light: Freeze broken: <@U0ALICE> deploys `main` to production …`: who, what, which freeze, why. */
export function breakGlassText(deployment: Deployment, event: Extract<PipelineEvent, { type: 'break-glass' }>, publicUrl: string): string {
  const freeze = `the freeze until ${dateMrkdwn(event.frozenUntil)}${event.freezeReason ? ` (${esc(event.freezeReason)})` : ''}`;
  const link = linkMrkdwn(deploymentPageUrl(publicUrl, deployment.id), `deployment ${deployment.id}`);
  return `:rotating_light: *Freeze broken*: ${mention(event.user)} deploys ${codeMrkdwn(deployment.ref)} to ${esc(deployment.app)}/${esc(deployment.environment)} anyway, during ${freeze} (${link}). Reason: ${esc(event.reason)}`;
}
