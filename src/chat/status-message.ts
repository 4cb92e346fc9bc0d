import { formatDuration } from '../config/duration.js';
import type { Freeze } from '../pipeline/freeze.js';
import type { Live, ReleaseGroup } from '../pipeline/queries.js';
import type { EnvironmentLock, ManualLock } from '../pipeline/store-data.js';
import type { Deployment } from '../pipeline/types.js';
import { plain, rolledBackText } from './messages.js';
import { codeMrkdwn, dateMrkdwn, escapeMrkdwn as esc, mention } from './mrkdwn.js';
import type { ChatMessage } from './port.js';

/** What `/deploy status` shows of one environment. */
export interface EnvironmentStatus {
  name: string;
  lock: EnvironmentLock | null;
  manualLock: ManualLock | null;
  last: Deployment | undefined;
  /** What its hosts run (see `liveOn`). */
  live: Live;
  /** Flags changed since the live release, as mrkdwn. */
  flags?: string | null;
  /** The deployment the live release's rollback took off, and that rollback (see `rolledBackBy`). */
  rolledBack?: { deployment: Deployment; by: Deployment } | null;
  /** The freeze window in force now, else the next one (`environments.<env>.freeze`). */
  freeze?: { now: Freeze | null; next: Freeze | null };
  /** How many deployments wait in its queue. */
  queued?: number;
}

/** Host names shown per line at most: a fleet of hundreds still fits in one Slack section. */
const NAMES_SHOWN = 20;

/** The environments of one app that `/deploy status` shows. */
export interface AppStatus {
  app: string;
  environments: EnvironmentStatus[];
}

/**
 * `/deploy status`: per environment the live release, its commit and age; when the hosts
 * disagree (a rollout that stopped half-way, a host switched by hand), which hosts run what;
 * and each host that did not answer, `unreachable`. With `named`, each app's environments come
 * under its name (an igor of several apps).
 */
export function statusMessage(apps: AppStatus[], named: boolean): ChatMessage {
  return plain(apps.map(({ app, environments }) => [...(named ? [`:package: *${esc(app)}*`] : []), ...environments.map(environmentLines)].join('\n')).join('\n'));
}

function environmentLines({ name, lock, manualLock, last, live, flags, rolledBack, freeze, queued }: EnvironmentStatus): string {
  const agreed = live.release !== null;
  const head = agreed ? `live: ${esc(live.release!)} (${origin(live.deployment)})` : live.groups.length ? ':warning: hosts disagree' : 'live: nothing deployed by igor yet';
  const busy = lock ? ` · busy: ${mention(lock.user)} deploying ${codeMrkdwn(lock.ref)} since ${dateMrkdwn(lock.since)}` : '';
  const locked = manualLock ? ` · :lock: locked by ${mention(manualLock.user)} since ${dateMrkdwn(manualLock.since)}${manualLock.reason ? `: ${esc(manualLock.reason)}` : ''}` : '';
  const lastText = last && last !== live.deployment ? ` · last: ${esc(last.id)} ${last.state}` : '';
  const everyHostAgrees = agreed && live.groups.length === 1 && live.groups[0]!.hosts.length === live.hosts.length;
  const lines = [`*${esc(name)}*: ${head}${busy}${locked}${lastText}${everyHostAgrees && !live.unasked ? ` · ${live.hosts.length} host(s) agree` : ''}`];
  if (rolledBack) lines.push(`    :rewind: deployment ${esc(rolledBack.deployment.id)} (${codeMrkdwn(rolledBack.deployment.ref)} ${short(rolledBack.deployment.sha)}) ${rolledBackText(rolledBack.by)}`);
  if (live.unasked) lines.push(`    :warning: could not ask the hosts (${esc(live.unasked)}); by igor's records:`);
  if (!everyHostAgrees || live.unasked) lines.push(...hostLines(live));
  if (flags) lines.push(`    ${flags}`);
  const window = freezeLine(freeze);
  if (window) lines.push(`    ${window}`);
  if (queued) lines.push(`    :hourglass: ${queued} deployment(s) queued`);
  return lines.join('\n');
}

/** `:snowflake: frozen until … (weekend)`, or when the next freeze begins and ends. */
function freezeLine(freeze: EnvironmentStatus['freeze']): string | null {
  const reason = (window: Freeze) => (window.reason ? ` (${esc(window.reason)})` : '');
  if (freeze?.now) return `:snowflake: frozen until ${dateMrkdwn(freeze.now.end.toISOString())}${reason(freeze.now)}: deploys are queued`;
  if (freeze?.next) return `next freeze: ${dateMrkdwn(freeze.next.start.toISOString())} until ${dateMrkdwn(freeze.next.end.toISOString())}${reason(freeze.next)}`;
  return null;
}

/** One line per release the hosts run, then the hosts nobody knows about, then those that did not answer. */
function hostLines(live: Live): string[] {
  const lines = live.groups.map((group) => `    ${names(group.hosts)} on ${group.release ? `${esc(group.release)} (${origin(group.deployment)})` : 'no release'}`);
  const unknown = live.hosts.filter((host) => host.source === 'unknown' && !host.unreachable).map((host) => host.host);
  if (unknown.length) lines.push(`    ${names(unknown)}: not known (igor stopped while switching it, or its rollback failed)`);
  for (const host of live.hosts.filter((entry) => entry.unreachable)) {
    lines.push(`    ${esc(host.host)} unreachable (${esc(host.unreachable!)})${host.release ? `: igor last put ${esc(host.release)} there` : ''}`);
  }
  return lines;
}

/** Where a release came from: its ref, commit and age, or the deployment that stopped half-way through it. */
function origin(deployment: ReleaseGroup['deployment']): string {
  if (!deployment) return 'not deployed by igor';
  const what = `${codeMrkdwn(deployment.ref)} ${deployment.sha ? deployment.sha.slice(0, 7) : '?'}`;
  if (deployment.state === 'succeeded') return `${what}, ${deployment.finishedAt ? formatDuration(Date.now() - Date.parse(deployment.finishedAt)) : '?'} ago`;
  return `${what}, deployment ${esc(deployment.id)} ${deployment.state}`;
}

const short = (sha: string | null) => (sha ? sha.slice(0, 7) : '?');

function names(hosts: readonly string[]): string {
  const shown = hosts.slice(0, NAMES_SHOWN).map(esc).join(', ');
  return hosts.length > NAMES_SHOWN ? `${shown} and ${hosts.length - NAMES_SHOWN} more` : shown;
}
