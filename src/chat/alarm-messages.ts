import type { Button, KnownBlock } from '@slack/types';
import type { Alarm } from '../alarms/model.js';
import { button, buttons } from './messages.js';
import { dateMrkdwn, escapeMrkdwn as esc, linkMrkdwn, mention } from './mrkdwn.js';
import type { ChatMessage } from './port.js';

const SEVERITY_ICON = { critical: ':rotating_light:', warning: ':warning:', info: ':information_source:' } as const;

/**
 * An alarm as people see it in the alerts channel: what is wrong, where, since when, how bad, what
 * to do first, who has it; and the buttons to act while it lasts.
 */
export function alarmMessage(alarm: Alarm, silencedUntil: string | null): ChatMessage {
  const resolved = alarm.state === 'resolved';
  const icon = resolved ? ':white_check_mark:' : SEVERITY_ICON[alarm.severity];
  const title = `${icon} ${resolved ? '[resolved] ' : ''}${esc(alarm.summary)}`;
  const where = esc([alarm.environment ? `${alarm.app ? `${alarm.app}/` : ''}${alarm.environment}` : alarm.app ?? 'no environment', alarm.hosts.length ? alarm.hosts.join(', ') : null].filter(Boolean).join(' · '));
  const since = `${dateMrkdwn(alarm.since)}${alarm.count > 1 ? ` · fired ${alarm.count} times, last ${dateMrkdwn(alarm.lastSeen)}` : ''}`;
  const who = alarm.acknowledgedBy ? `${mention(alarm.acknowledgedBy)} since ${alarm.acknowledgedAt ? dateMrkdwn(alarm.acknowledgedAt) : '?'}` : resolved ? '—' : 'nobody yet: press Acknowledge';
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${title}*${alarm.detail ? `\n${esc(alarm.detail.slice(0, 2500))}` : ''}` } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Where*\n${where}` },
        { type: 'mrkdwn', text: `*Since*\n${since}` },
        { type: 'mrkdwn', text: `*How bad*\n${alarm.severity}` },
        { type: 'mrkdwn', text: `*Who has it*\n${who}` },
        { type: 'mrkdwn', text: `*What to do first*\n${firstStep(alarm)}` },
        { type: 'mrkdwn', text: `*State*\n${resolved ? `resolved ${alarm.resolvedAt ? dateMrkdwn(alarm.resolvedAt) : '?'}` : alarm.state}${silencedUntil ? ` · :mute: silenced until ${dateMrkdwn(silencedUntil)}` : ''}` },
      ],
    },
  ];
  const context = [`alarm ${esc(alarm.id)}`, `source: ${alarm.source}`, alarm.link ? linkMrkdwn(alarm.link, 'source link') : null, labelsText(alarm)].filter(Boolean).join(' · ');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
  const actions = alarmButtons(alarm, silencedUntil);
  if (actions.length) blocks.push(buttons(`alarm-${alarm.id}`, actions));
  return { text: `${resolved ? '[resolved] ' : ''}${alarm.severity}: ${esc(alarm.summary)} (${where})`, blocks };
}

/** The buttons of an alarm while it lasts: `Acknowledge` while firing, `Silence 1h` unless silenced, `Rollback` when a deployment caused it. */
export function alarmButtons(alarm: Alarm, silencedUntil: string | null): Button[] {
  if (alarm.state === 'resolved') return [];
  const actions: Button[] = [];
  if (alarm.state === 'firing') actions.push(button('Acknowledge', 'acknowledge', alarm.id, 'primary'));
  if (!silencedUntil) actions.push(button('Silence 1h', 'silence', alarm.id));
  if (alarm.deploymentId) actions.push(button('Rollback', 'rollback', alarm.id, 'danger'));
  return actions;
}

function firstStep(alarm: Alarm): string {
  if (alarm.runbookUrl) return linkMrkdwn(alarm.runbookUrl, 'the runbook');
  if (alarm.deploymentId) return `Rollback puts back the release before deployment ${esc(alarm.deploymentId)}`;
  if (alarm.link) return linkMrkdwn(alarm.link, 'look at the source');
  return 'look at the hosts named above';
}

function labelsText(alarm: Alarm): string | null {
  const entries = Object.entries(alarm.labels).filter(([key]) => !['alertname'].includes(key));
  return entries.length ? esc(entries.map(([key, value]) => `${key}=${value}`).join(', ')) : null;
}
