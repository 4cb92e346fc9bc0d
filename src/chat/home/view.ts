import type { Button, HomeView, KnownBlock } from '@slack/types';
import type { Alarm } from '../../alarms/model.js';
import { formatElapsed } from '../../config/duration.js';
import type { Deployment } from '../../pipeline/types.js';
import type { Directory } from '../../shared/directory.js';
import { alarmButtons } from '../alarm-messages.js';
import { buttons, rootButtons } from '../messages.js';
import { codeMrkdwn, escapeMrkdwn as esc } from '../mrkdwn.js';

/** Slack's limit of blocks in a view; one is kept for the note that the rest is left out. */
const MAX_BLOCKS = 100;

/** What the Home tab shows of one environment of one app. */
export interface HomeEnvironment {
  /** `production`, or `shop/production` with several apps. */
  label: string;
  /** The deployment whose release is live, if igor put one there. */
  live: Deployment | undefined;
  /** The release every host runs (null when they disagree or run none). */
  release: string | null;
  /** A person's lock, with who and why. */
  lock: { user: string; reason: string | null; since: string } | null;
  /** Deployments running or waiting here, oldest first. */
  active: Deployment[];
  /** Alarms firing (or acknowledged, not yet resolved) here. */
  alarms: Alarm[];
}

export interface HomeContext {
  directory: Directory;
  now: Date;
  /** When an alarm's key is silenced until, if it is. */
  silencedUntil: (alarm: Alarm) => string | null;
}

/**
 * The Home tab of igor's app: per app and environment, what is live (release, commit, age, who
 * deployed it), what runs or waits, a person's lock and the alarms that fire, with the same
 * buttons as the channels' messages (the one interaction table answers them). People by name
 * (plain text, escaped), never a mention: the tab is a dashboard, not a conversation.
 */
export function homeView(environments: readonly HomeEnvironment[], context: HomeContext): HomeView {
  const name = (id: string | null) => (id ? esc(context.directory.nameOf(id)) : '?');
  const ago = (iso: string) => `${formatElapsed(context.now.getTime() - Date.parse(iso))} ago`;
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'igor: what runs where' } }];
  if (!environments.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No environments are configured.' } });
  const sections = environments.map((environment) => environmentBlocks(environment, name, ago, context));
  let left = 0;
  for (const [index, section] of sections.entries()) {
    if (blocks.length + section.length > MAX_BLOCKS - 1) {
      left = sections.length - index;
      break;
    }
    blocks.push(...section);
  }
  if (left) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${left} more environment(s) do not fit here: \`/deploy status\` shows every one.` }] });
  return { type: 'home', blocks };
}

function environmentBlocks(environment: HomeEnvironment, name: (id: string | null) => string, ago: (iso: string) => string, context: HomeContext): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'divider' }, { type: 'header', text: { type: 'plain_text', text: environment.label.slice(0, 150) } }];
  const live = environment.live;
  const liveText = environment.release
    ? `:white_check_mark: *Live:* ${esc(environment.release)}${live?.sha ? ` · ${codeMrkdwn(live.sha.slice(0, 7))}` : ''}${live ? ` · ${codeMrkdwn(live.ref)} · ${ago(live.finishedAt ?? live.updatedAt)} · deployed by ${name(live.requestedBy)}` : ''}`
    : ':information_source: *Live:* nothing igor knows of';
  const lock = environment.lock ? `\n:lock: *Locked* by ${name(environment.lock.user)} ${ago(environment.lock.since)}${environment.lock.reason ? `: ${esc(environment.lock.reason)}` : ''}` : '';
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${liveText}${lock}` } });
  for (const deployment of environment.active.slice(0, 5)) {
    const running = deployment.steps.find((step) => step.state === 'running');
    const step = deployment.state === 'baking' ? 'bake' : running ? esc(running.name) : null;
    const text = `:arrow_right: ${deployment.kind} ${esc(deployment.id)} of ${codeMrkdwn(deployment.ref)}: *${deployment.state}*${step ? ` (${step})` : ''} · asked by ${name(deployment.requestedBy)} ${ago(deployment.createdAt)}`;
    blocks.push(...withButtons(text, `home-deployment-${deployment.id}`, rootButtons(deployment, null)));
  }
  for (const alarm of environment.alarms.slice(0, 5)) {
    const who = alarm.acknowledgedBy ? ` · acknowledged by ${name(alarm.acknowledgedBy)}` : '';
    const text = `:rotating_light: *${esc(alarm.summary.slice(0, 500))}* (${alarm.severity}) · since ${ago(alarm.since)}${who}`;
    blocks.push(...withButtons(text, `home-alarm-${alarm.id}`, alarmButtons(alarm, context.silencedUntil(alarm))));
  }
  return blocks;
}

/** The people a Home tab names, to look their names up before it is drawn. */
export function peopleOf(environments: readonly HomeEnvironment[]): string[] {
  return environments.flatMap((environment) => [
    environment.live?.requestedBy,
    environment.lock?.user,
    ...environment.active.map((deployment) => deployment.requestedBy),
    ...environment.alarms.map((alarm) => alarm.acknowledgedBy),
  ]).filter((id): id is string => Boolean(id));
}

function withButtons(text: string, blockId: string, actions: Button[]): KnownBlock[] {
  const section: KnownBlock = { type: 'section', text: { type: 'mrkdwn', text } };
  return actions.length ? [section, buttons(blockId, actions)] : [section];
}
