import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { formatDuration, formatElapsed } from '../config/duration.js';
import type { CommitSummary } from '../integration/mirror.js';
import type { StepEvent } from '../integration/runner.js';
import { deploymentPageUrl } from '../pipeline/links.js';
import type { ApproverRule } from '../pipeline/policy.js';
import { canRollBack, cancelledBy, isRetryable, timeSpent, type Span } from '../pipeline/queries.js';
import type { Deployment } from '../pipeline/types.js';
import { rolledBackBefore } from '../pipeline/warnings.js';
import { analysisText } from './analysis-message.js';
import { codeMrkdwn, dateMrkdwn, escapeMrkdwn as esc, linkMrkdwn, mention, mrkdwn, preformatted } from './mrkdwn.js';
import type { ChatMessage } from './port.js';

export { canRollBack, isRetryable } from '../pipeline/queries.js';
export { mention } from './mrkdwn.js';

const STATE_ICON: Record<Deployment['state'], string> = {
  queued: ':hourglass:',
  testing: ':test_tube:',
  'awaiting-approval': ':raised_hand:',
  deploying: ':rocket:',
  baking: ':bread:',
  verifying: ':mag:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  'rolled-back': ':rewind:',
  rejected: ':no_entry:',
  expired: ':alarm_clock:',
  cancelled: ':no_entry_sign:',
  interrupted: ':warning:',
};

const short = (sha: string | null) => (sha ? sha.slice(0, 7) : '?');

/** What a deployment's messages say beyond the deployment itself, from the rules and the deployments after it. */
export interface DeploymentContext {
  /** Who may approve it, while it waits (see `whoMayApprove`). */
  approvers?: ApproverRule | null;
  /** The rollback that took its release off the hosts later (see `rolledBackBy`). */
  rolledBackBy?: Deployment | null;
  /** Its place in its environment's queue while it waits there (1 is next). */
  queuePosition?: number | null;
}

/**
 * The root message of a deployment, kept current with `chat.update`: while it waits for approval,
 * who may give it and the `Approve` / `Reject` buttons beside `Cancel` (the same buttons as the
 * thread's); once a later rollback undid it, who did, and no `Rollback` button.
 */
export function deploymentRoot(deployment: Deployment, publicUrl: string, context: DeploymentContext = {}): ChatMessage {
  const undone = context.rolledBackBy ?? null;
  const title = `${STATE_ICON[deployment.state]} ${esc(deployment.app)}: ${deployment.kind} ${codeMrkdwn(deployment.ref)} (${short(deployment.sha)}) to ${esc(deployment.environment)}: *${deployment.state}*${undone ? ', then *rolled back*' : ''}`;
  const waiting = deployment.state === 'awaiting-approval';
  const notes = [
    waiting && context.approvers ? `:raised_hand: ${approversText(context.approvers)}` : null,
    undone ? `:rewind: ${rolledBackText(undone)}` : null,
    deployment.state === 'queued' && deployment.waiting ? waitingText(deployment, context.queuePosition ?? null) : null,
  ].filter(Boolean);
  const running = deployment.steps.find((step) => step.state === 'running');
  const done = deployment.hosts.filter((host) => host.state === 'succeeded').length;
  const failed = deployment.hosts.filter((host) => host.state === 'failed');
  const fields = [
    `*Requested by*\n${mention(deployment.requestedBy)}`,
    `*Approved by*\n${deployment.approvedBy === null ? '—' : deployment.approvedBy === 'policy' ? 'policy' : `${mention(deployment.approvedBy)}`}`,
    // The bake runs inside the deploy step: people are told it bakes.
    `*Step*\n${deployment.state === 'baking' ? 'bake' : running ? esc(running.name) : deployment.state}`,
    `*Hosts*\n${deployment.hosts.length ? `${done}/${deployment.hosts.length} done${waveProgress(deployment)}${failed.length ? `, failed: ${esc(failed.map((h) => h.host).join(', '))}` : ''}` : '—'}`,
  ];
  const reason = reasonText(deployment);
  const facts = [`deployment ${esc(deployment.id)}`, deployment.release ? `release ${esc(deployment.release)}` : null, reason ? `reason: ${reason}` : null]
    .filter(Boolean)
    .join(' · ');
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: [title, ...notes].join('\n') } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${facts} · ${linkMrkdwn(deploymentPageUrl(publicUrl, deployment.id), 'details')}` }] },
  ];
  const actions = rootButtons(deployment, undone);
  if (actions.length) blocks.push(buttons(`deployment-${deployment.id}`, actions));
  return { text: `${deployment.app}: ${deployment.kind} ${deployment.ref} to ${deployment.environment}: ${deployment.state}${undone ? `, rolled back by deployment ${undone.id}` : ''}`, blocks };
}

/** `approval needed from <@U0ALICE> or <@U0BOB>`: who may approve, by the environment's rule. */
export function approversText(approvers: ApproverRule): string {
  if (approvers.rule === 'anyone') return `approval needed from anyone${approvers.requester ? ` but ${mention(approvers.requester)}, who asked` : ''}`;
  if (!approvers.users.length) return `approval needed from an approver other than ${mention(approvers.requester)}, who asked, and there is none`;
  const people = orList(approvers.users.map(mention));
  return approvers.rule === 'deployers' ? `approval needed from any deployer: ${people}` : `approval needed from ${people}`;
}

/** Why a queued deployment waits: a freeze and when it ends, or its place in line. */
export function waitingText(deployment: Deployment, position: number | null): string {
  const waiting = deployment.waiting!;
  if (waiting.frozenUntil) {
    return `:snowflake: ${esc(deployment.environment)} is frozen until ${dateMrkdwn(waiting.frozenUntil)}${waiting.freezeReason ? ` (${esc(waiting.freezeReason)})` : ''}: it starts by itself then`;
  }
  return `:hourglass: queued: number ${position ?? '?'} in line for ${esc(deployment.environment)}`;
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** `rolled back by <@U0BOB> at <date> by deployment 4`. */
export function rolledBackText(rollback: Deployment): string {
  return `rolled back by ${mention(rollback.requestedBy)} ${dateMrkdwn(rollback.finishedAt ?? rollback.updatedAt)} by deployment ${esc(rollback.id)}`;
}

/** ` (canary 1/1, wave 1 1/3)`: progress per wave, when there is more than one. */
function waveProgress(deployment: Deployment): string {
  const waves = [...new Set(deployment.hosts.map((host) => host.wave).filter((wave): wave is string => Boolean(wave)))];
  if (waves.length < 2) return '';
  const parts = waves.map((wave) => {
    const hosts = deployment.hosts.filter((host) => host.wave === wave);
    return `${esc(wave)} ${hosts.filter((host) => host.state === 'succeeded').length}/${hosts.length}`;
  });
  return ` (${parts.join(', ')})`;
}

/** A thread reply for a finished integration step: duration, a link to its log, and the log tail when it failed. */
export function stepReply(step: StepEvent, logUrl: string | null): ChatMessage | null {
  const link = logUrl ? ` · ${linkMrkdwn(logUrl, 'log')}` : '';
  if (step.type === 'succeeded') {
    return plain(`:white_check_mark: ${codeMrkdwn(step.step)} passed in ${formatDuration(step.durationMs)}${link}`);
  }
  if (step.type === 'failed') {
    const text = `:x: ${codeMrkdwn(step.step)} failed after ${formatDuration(step.durationMs)}: ${esc(step.reason)}${link}`;
    const tail = step.logTail ? `\n${preformatted(step.logTail.slice(-2500))}` : '';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text + tail } }] };
  }
  return null;
}

/**
 * The thread reply that closes the story: where the time went (the wait for approval apart from the
 * rollout); its `Rollback` button goes once a later rollback undid the deployment.
 */
export function finishedReply(deployment: Deployment, context: DeploymentContext = {}): ChatMessage {
  if (deployment.state === 'succeeded') {
    const times = timesText(deployment);
    return plain(`:white_check_mark: ${esc(deployment.release ?? '?')} is live on ${deployment.hosts.length} host(s) of ${esc(deployment.environment)}${times ? `: ${times}` : ''}.`);
  }
  const reason = reasonText(deployment);
  if (deployment.state === 'rolled-back' || deployment.state === 'cancelled') {
    const hosts = esc(deployment.hosts.map((host) => `${host.host} ${host.state}`).join('; '));
    return plain(`${STATE_ICON[deployment.state]} Deployment ${esc(deployment.id)} ${deployment.state}${reason ? `: ${reason}` : ''}.${hosts ? `\nHosts: ${hosts}` : ''}`);
  }
  const hosts = deployment.hosts.length
    ? `\nHosts: ${esc(deployment.hosts.map((host) => `${host.host} ${host.state}${host.error ? ` (${host.error.split('\n')[0]})` : ''}`).join('; '))}`
    : '';
  const text = `${STATE_ICON[deployment.state]} Deployment ${esc(deployment.id)} ${deployment.state}${reason ? `: ${reason}` : ''}.${hosts}`;
  const message = plain(`${text}${context.rolledBackBy ? `\n:rewind: ${rolledBackText(context.rolledBackBy)}.` : ''}`);
  const actions = rootButtons(deployment, context.rolledBackBy ?? null);
  if (actions.length) message.blocks!.push(buttons(`finished-${deployment.id}`, actions));
  return message;
}

/** `tested in 3.1s, waited 1m 24s for approval, rolled out in 7.6s (baked 1m)`: what took how long; null when nothing is known. */
export function timesText(deployment: Deployment): string | null {
  const spent = timeSpent(deployment);
  const took = (span: Span | null) => (span?.end ? formatElapsed(Date.parse(span.end) - Date.parse(span.start)) : null);
  const tests = took(spent.tests);
  const approval = took(spent.approval);
  const rollout = took(spent.rollout);
  const bake = took(spent.bake);
  const parts = [tests ? `tested in ${tests}` : null, approval ? `waited ${approval} for approval` : null, rollout ? `rolled out in ${rollout}${bake ? ` (baked ${bake})` : ''}` : null].filter(Boolean);
  return parts.length ? parts.join(', ') : null;
}

/**
 * The buttons of a root message: `Cancel` while running (with `Approve` / `Reject` while it waits
 * for approval), `Rollback` too once hosts are changing, `Retry` when it failed in its tests or was
 * interrupted, `Rollback` when it left hosts switched and no later rollback undid it.
 */
export function rootButtons(deployment: Deployment, rolledBack: Deployment | null): Button[] {
  if (deployment.state === 'awaiting-approval') return [...approvalButtons(deployment), button('Cancel', 'cancel', deployment.id)];
  if (deployment.state === 'queued' && deployment.waiting?.frozenUntil) return [button('Deploy anyway', 'deploy-anyway', deployment.id, 'danger'), button('Cancel', 'cancel', deployment.id)];
  if (['queued', 'testing'].includes(deployment.state)) return [button('Cancel', 'cancel', deployment.id)];
  if (['deploying', 'baking'].includes(deployment.state)) return [button('Cancel', 'cancel', deployment.id), button('Rollback', 'rollback', deployment.id, 'danger')];
  const found: Button[] = [];
  if (isRetryable(deployment)) found.push(button('Retry', 'retry', deployment.id, 'primary'));
  if (canRollBack(deployment) && !rolledBack) found.push(button('Rollback', 'rollback', deployment.id, 'danger'));
  return found;
}

/** `Approve` and `Reject`: the same buttons on the root message and the approval request, acting on the one approval asked now. */
function approvalButtons(deployment: Deployment): Button[] {
  return [button('Approve', 'approve', deployment.id, 'primary'), button('Reject', 'reject', deployment.id, 'danger')];
}

/** The canary has baked; with `promote: manual` a person decides. Afterwards the message says who did what. */
export function promotionMessage(deployment: Deployment): ChatMessage {
  const promotion = deployment.promotion!;
  const canary = esc(deployment.hosts.filter((host) => host.wave === 'canary').map((host) => host.host).join(', '));
  if (!promotion.decision && deployment.state === 'baking') {
    const text = `:bread: The canary (${canary}) of ${esc(deployment.release ?? '?')} baked and is healthy${deployment.analysis?.state === 'passed' ? ' and passed its analysis' : ''}. Promote it to the rest of ${esc(deployment.environment)}, or roll it back?`;
    return {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text } },
        ...(deployment.analysis ? [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: analysisText(deployment.analysis) } }] : []),
        buttons(`promotion-${deployment.id}`, [button('Promote', 'promote', deployment.id, 'primary'), button('Rollback', 'rollback', deployment.id, 'danger')]),
      ],
    };
  }
  const outcome = promotion.decision ? `${promotion.decision === 'promote' ? 'promoted' : 'rolled back'} by ${mention(promotion.decidedBy)}` : deployment.state;
  return plain(`:bread: The canary (${canary}) of ${esc(deployment.release ?? '?')}: ${outcome}.`);
}

/** A button igor understands: `action_id` `igor.<action>`, `value` the deployment or alarm id. */
export function button(label: string, action: string, value: string, style?: 'primary' | 'danger'): Button {
  return { type: 'button', text: { type: 'plain_text', text: label }, action_id: `igor.${action}`, value, ...(style ? { style } : {}) };
}

export function buttons(blockId: string, elements: Button[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements };
}

/**
 * The approval request in the thread: the plan (commit, hosts, strategy), the commits since the
 * live release, the test results, and `Approve` / `Reject` while it waits. Once decided, the same
 * message says who decided and when, and its buttons are gone.
 */
export function approvalMessage(deployment: Deployment, commits: CommitSummary[] | null, compareUrl: string | null): ChatMessage {
  const approval = deployment.approval!;
  const plan = approval.plan;
  const waiting = deployment.state === 'awaiting-approval';
  const blocks: KnownBlock[] = [];
  const headline = waiting
    ? `:raised_hand: *Approval needed* to deploy ${codeMrkdwn(deployment.ref)} (${short(plan.sha)}) to *${esc(plan.environment)}*, asked by ${mention(deployment.requestedBy)}`
    : `${STATE_ICON[deployment.state]} Approval for ${codeMrkdwn(deployment.ref)} (${short(plan.sha)}) to *${esc(plan.environment)}*: ${decisionText(deployment)}`;
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: headline } });
  const origin = promotedFromText(deployment);
  if (origin) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:arrow_double_up: ${origin}` } });
  const warning = rolledBackBefore(approval.badReleases);
  if (warning && waiting) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${mrkdwn(warning)}` } });
  if (approval.reaskedBecause && waiting) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:warning: Asked again: ${esc(approval.reaskedBecause)}` }] });
  blocks.push({
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Commit*\n${codeMrkdwn(plan.sha)}` },
      { type: 'mrkdwn', text: `*Hosts (${plan.hosts.length})*\n${esc(plan.hosts.join(', '))}` },
      { type: 'mrkdwn', text: `*Strategy*\n${esc(plan.strategy)}` },
      { type: 'mrkdwn', text: `*Tests*\n${testSummary(deployment)}` },
    ],
  });
  if (waiting && commits) {
    const list = commits.length ? commits.map((c) => `\`${short(c.sha)}\` ${esc(c.subject)} (${esc(c.author)})`).join('\n') : 'no new commits since the live release';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Changes*${compareUrl ? ` (${linkMrkdwn(compareUrl, 'compare')})` : ''}\n${list}` } });
  }
  if (waiting) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Expires ${dateMrkdwn(approval.expiresAt)}` }] });
    blocks.push(buttons(`approval-${deployment.id}`, approvalButtons(deployment)));
  }
  return { text: waiting ? `Approval needed: ${esc(deployment.ref)} to ${esc(plan.environment)}${warning ? ' (this commit was rolled back before)' : ''}` : `Approval for ${esc(deployment.ref)} to ${esc(plan.environment)}: ${decisionText(deployment)}`, blocks };
}

function decisionText(deployment: Deployment): string {
  const by = deployment.audit.findLast((entry) => entry.outcome === 'done' && ['approve', 'reject', 'cancel'].includes(entry.action));
  if (deployment.approvedBy && deployment.approvedBy !== 'policy') return `approved by ${mention(deployment.approvedBy)}${by ? ` ${dateMrkdwn(by.at)}` : ''}`;
  if (deployment.rejectedBy) return `rejected by ${mention(deployment.rejectedBy)}${by ? ` ${dateMrkdwn(by.at)}` : ''}`;
  const reason = reasonText(deployment);
  if (deployment.state === 'expired') return `expired (${reason})`;
  return `${deployment.state}${reason ? ` (${reason})` : ''}`;
}

/** Why it ended the way it did, for people: who cancelled or rejected it, mentioned; any other reason as its words. */
function reasonText(deployment: Deployment): string | null {
  const who = deployment.state === 'cancelled' ? cancelledBy(deployment) : deployment.state === 'rejected' ? deployment.rejectedBy : null;
  if (who && deployment.reason === `${deployment.state} by ${who}`) return `${deployment.state} by ${mention(who)}`;
  return deployment.reason ? esc(deployment.reason) : null;
}

/**
 * Where a promotion comes from, for its approvers: the environment, the deployment, when the
 * release went live there and how long it had been healthy there when the promotion was asked.
 */
export function promotedFromText(deployment: Deployment): string | null {
  const from = deployment.promotedFrom;
  if (!from) return null;
  const healthy = formatDuration(Math.max(Date.parse(deployment.createdAt) - Date.parse(from.liveSince), 0));
  return `Promoted from *${esc(from.environment)}*: release ${codeMrkdwn(from.release)} of deployment ${esc(from.deployment)}, live there since ${dateMrkdwn(from.liveSince)}, healthy for ${healthy}. The same artifact ships; its tests are not run again.`;
}

function testSummary(deployment: Deployment): string {
  if (deployment.promotedFrom) return `passed before it went to ${esc(deployment.promotedFrom.environment)}: not run again`;
  const tests = deployment.steps.filter((step) => !['deploy', 'verify'].includes(step.name));
  if (!tests.length) return 'none configured';
  return tests.map((step) => `${step.state === 'succeeded' ? ':white_check_mark:' : ':x:'} ${esc(step.name)}${step.startedAt && step.finishedAt ? ` ${formatDuration(Date.parse(step.finishedAt) - Date.parse(step.startedAt))}` : ''}`).join(' · ');
}

/** A message of one section; `text` is mrkdwn igor wrote, every untrusted part of it escaped already. */
export function plain(text: string): ChatMessage {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** `/deploy history`: the latest deployments, newest first; those a later rollback undid say so (`rolledBackBy`: see the pipeline's query). */
export function historyMessage(deployments: Deployment[], withApp = false, rolledBackBy: (deployment: Deployment) => Deployment | undefined = () => undefined): ChatMessage {
  if (deployments.length === 0) return plain('No deployments yet.');
  const lines = deployments.map((d) => {
    const undone = rolledBackBy(d);
    return `${STATE_ICON[d.state]} ${esc(d.id)} · ${esc(withApp ? `${d.app}/${d.environment}` : d.environment)} · ${codeMrkdwn(d.ref)} ${short(d.sha)} · ${d.state} · by ${mention(d.requestedBy)}${d.approvedBy ? `, approved by ${d.approvedBy === 'policy' ? 'policy' : `${mention(d.approvedBy)}`}` : ''}${d.rejectedBy ? `, rejected by ${mention(d.rejectedBy)}` : ''} · ${dateMrkdwn(d.createdAt)}${undone ? ` · :rewind: ${rolledBackText(undone)}` : ''}`;
  });
  return plain(lines.join('\n'));
}
