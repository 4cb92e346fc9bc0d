import type { AppsConfig } from '../../config/apps.js';
import type { Directory } from '../../shared/directory.js';
import { isGroupEntry } from '../../shared/user-groups.js';

/** Who the console can act as: the config's people, plus someone who is none of them. */
export interface ConsoleUser {
  id: string;
  /** The name they go by (the config's `people`), else their id. */
  name: string;
  /** What the config lets them do: `deploys staging`, `approves production` (`shop/production` with several apps). */
  roles: string[];
}

export interface ConsoleChannel {
  id: string;
  name: string;
}

/** Not in any list of the config: deploys where anyone may, and is refused elsewhere. */
export const GUEST = 'U0GUEST';

/** Each environment of every app, as people name it: `production`, or `shop/production` with several apps. */
function environmentsOf(apps: AppsConfig) {
  const several = apps.apps.size > 1;
  return [...apps.apps.values()].flatMap((config) =>
    Object.entries(config.environments).map(([name, environment]) => ({ config, label: several ? `${config.app}/${name}` : name, environment })),
  );
}

/**
 * The deployers and approvers of every app's environments, in config order, then the guest; a user
 * group of the rules (`@sre`) stands for its members in the config's `groups` (the console is local
 * mode), whose role says the group. Each by the name the directory knows.
 */
export function consoleUsers(apps: AppsConfig, directory?: Directory): ConsoleUser[] {
  const users = new Map<string, string[]>();
  const add = (id: string, role: string) => {
    if (!users.has(id)) users.set(id, []);
    users.get(id)!.push(role);
  };
  const groups = [...apps.apps.values()][0]?.groups;
  const membersOf = (entry: string) => {
    const handle = entry.replace(/^@/, '');
    return groups && Object.hasOwn(groups, handle) ? groups[handle]! : [];
  };
  const addEntries = (entries: readonly string[], role: string) => {
    for (const entry of entries) {
      if (isGroupEntry(entry)) for (const id of membersOf(entry)) add(id, `${role} (as ${entry})`);
      else add(entry, role);
    }
  };
  const environments = environmentsOf(apps);
  for (const { label, environment } of environments) {
    addEntries(environment.deployers ?? [], `deploys ${label}`);
    addEntries(environment.approval.approvers, `approves ${label}`);
  }
  const open = environments.filter(({ environment }) => !environment.deployers).map(({ label }) => label);
  users.delete(GUEST);
  const nameOf = (id: string) => directory?.nameOf(id) ?? id;
  return [...[...users].map(([id, roles]) => ({ id, name: nameOf(id), roles })), { id: GUEST, name: nameOf(GUEST), roles: open.length ? [`deploys ${open.join(', ')} (open to anyone)`] : [] }];
}

/**
 * The channels igor posts to: each app's deploys channel (`deploys`, or `shop deploys` when apps
 * have channels of their own), each environment's own, then the alerts channels.
 */
export function consoleChannels(apps: AppsConfig): ConsoleChannel[] {
  const channels = new Map<string, string>();
  const add = (id: string | undefined, name: string) => {
    if (id && !channels.has(id)) channels.set(id, name);
  };
  const configs = [...apps.apps.values()];
  const sharedDeploys = new Set(configs.map((config) => config.channels.deploys)).size === 1;
  for (const config of configs) add(config.channels.deploys, sharedDeploys ? 'deploys' : `${config.app} deploys`);
  for (const { label, environment } of environmentsOf(apps)) add(environment.channel, label);
  const sharedAlerts = new Set(configs.map((config) => config.channels.alerts)).size === 1;
  for (const config of configs) add(config.channels.alerts, sharedAlerts ? 'alerts' : `${config.app} alerts`);
  return [...channels].map(([id, name]) => ({ id, name }));
}
