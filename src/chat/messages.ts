import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../config/duration.js';
import type { StepEvent } from '../integration/runner.js';
import type { Deployment, StepRecord } from '../pipeline/types.js';
import type { EnvironmentLock } from '../store/schema.js';
import type { ChatMessage } from './port.js';

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

/** The root message of a deployment, kept current with `chat.update`. */
export function deploymentRoot(deployment: Deployment, publicUrl: string): ChatMessage {
  const title = `${STATE_ICON[deployment.state]} ${deployment.app}: ${deployment.kind} \`${deployment.ref}\` (${short(deployment.sha)}) to ${deployment.environment}: *${deployment.state}*`;
  const running = deployment.steps.find((step) => step.state === 'running');
  const done = deployment.hosts.filter((host) => host.state === 'succeeded').length;
  const failed = deployment.hosts.filter((host) => host.state === 'failed');
  const fields = [
    `*Requested by*\n<@${deployment.requestedBy}>`,
    `*Approved by*\n${deployment.approvedBy === null ? '—' : deployment.approvedBy === 'policy' ? 'policy' : `<@${deployment.approvedBy}>`}`,
    `*Step*\n${running ? running.name : deployment.state}`,
    `*Hosts*\n${deployment.hosts.length ? `${done}/${deployment.hosts.length} done${failed.length ? `, failed: ${failed.map((h) => h.host).join(', ')}` : ''}` : '—'}`,
  ];
  const context = [`deployment ${deployment.id}`, deployment.release ? `release ${deployment.release}` : null, deployment.reason ? `reason: ${deployment.reason}` : null]
    .filter(Boolean)
    .join(' · ');
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: title } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${context} · <${publicUrl}/api/deployments/${deployment.id}|details>` }] },
  ];
  return { text: `${deployment.app}: ${deployment.kind} ${deployment.ref} to ${deployment.environment}: ${deployment.state}`, blocks };
}

/** A thread reply for a finished integration step: duration, and the log tail when it failed. */
export function stepReply(step: StepEvent, record: StepRecord | undefined): ChatMessage | null {
  const link = record?.logUrl ? ` · <${record.logUrl}|log>` : '';
  if (step.type === 'succeeded') {
    return plain(`:white_check_mark: \`${step.step}\` passed in ${formatDuration(step.durationMs)}${link}`);
  }
  if (step.type === 'failed') {
    const text = `:x: \`${step.step}\` failed after ${formatDuration(step.durationMs)}: ${step.reason}${link}`;
    const tail = step.logTail ? `\n\`\`\`${step.logTail.slice(-2500)}\`\`\`` : '';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text + tail } }] };
  }
  return null;
}

/** The thread reply that closes the story. */
export function finishedReply(deployment: Deployment): ChatMessage {
  const took = formatDuration(Date.parse(deployment.finishedAt ?? deployment.updatedAt) - Date.parse(deployment.createdAt));
  if (deployment.state === 'succeeded') {
    return plain(`:white_check_mark: ${deployment.release} is live on ${deployment.hosts.length} host(s) of ${deployment.environment} (took ${took}).`);
  }
  const hosts = deployment.hosts.length
    ? `\nHosts: ${deployment.hosts.map((host) => `${host.host} ${host.state}${host.error ? ` (${host.error.split('\n')[0]})` : ''}`).join('; ')}`
    : '';
  return plain(`${STATE_ICON[deployment.state]} Deployment ${deployment.id} ${deployment.state}${deployment.reason ? `: ${deployment.reason}` : ''}.${hosts}`);
}

export function plain(text: string): ChatMessage {
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** `/deploy status`: what runs where now. */
export function statusMessage(environments: Array<{ name: string; lock: EnvironmentLock | null; last: Deployment | undefined; live: Deployment | undefined }>): ChatMessage {
  const lines = environments.map(({ name, lock, last, live }) => {
    const liveText = live ? `live: ${live.release} (\`${live.ref}\` ${short(live.sha)}, ${age(live.finishedAt)} ago)` : 'live: nothing deployed by igor yet';
    const busy = lock ? ` · busy: <@${lock.user}> deploying \`${lock.ref}\` since ${lock.since}` : '';
    const lastText = last && last !== live ? ` · last: ${last.id} ${last.state}` : '';
    return `*${name}*: ${liveText}${busy}${lastText}`;
  });
  return plain(lines.join('\n'));
}

/** `/deploy history`: the latest deployments, newest first. */
export function historyMessage(deployments: Deployment[]): ChatMessage {
  if (deployments.length === 0) return plain('No deployments yet.');
  const lines = deployments.map(
    (d) =>
      `${STATE_ICON[d.state]} ${d.id} · ${d.environment} · \`${d.ref}\` ${short(d.sha)} · ${d.state} · by <@${d.requestedBy}>${d.approvedBy ? `, approved by ${d.approvedBy === 'policy' ? 'policy' : `<@${d.approvedBy}>`}` : ''} · ${d.createdAt}`,
  );
  return plain(lines.join('\n'));
}

function age(iso: string | null): string {
  return iso ? formatDuration(Date.now() - Date.parse(iso)) : '?';
}
