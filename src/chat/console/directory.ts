import type { AppsConfig } from '../../config/apps.js';

/** Who the console can act as: the config's people, plus someone who is none of them. */
export interface ConsoleUser {
  id: string;
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

/** The deployers and approvers of every app's environments, in config order, then the guest. */
export function consoleUsers(apps: AppsConfig): ConsoleUser[] {
  const users = new Map<string, string[]>();
  const add = (id: string, role: string) => {
    if (!users.has(id)) users.set(id, []);
    users.get(id)!.push(role);
  };
  const environments = environmentsOf(apps);
  for (const { label, environment } of environments) {
    for (const id of environment.deployers ?? []) add(id, `deploys ${label}`);
    for (const id of environment.approval.approvers) add(id, `approves ${label}`);
  }
  const open = environments.filter(({ environment }) => !environment.deployers).map(({ label }) => label);
  users.delete(GUEST);
  return [...[...users].map(([id, roles]) => ({ id, roles })), { id: GUEST, roles: open.length ? [`deploys ${open.join(', ')} (open to anyone)`] : [] }];
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
