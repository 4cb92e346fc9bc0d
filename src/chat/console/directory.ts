import type { Config } from '../../config/schema.js';

/** Who the console can act as: the config's people, plus someone who is none of them. */
export interface ConsoleUser {
  id: string;
  /** What the config lets them do: `deploys staging`, `approves production`. */
  roles: string[];
}

export interface ConsoleChannel {
  id: string;
  name: string;
}

/** Not in any list of the config: deploys where anyone may, and is refused elsewhere. */
export const GUEST = 'U0GUEST';

/** The deployers and approvers of every environment, in config order, then the guest. */
export function consoleUsers(config: Config): ConsoleUser[] {
  const users = new Map<string, string[]>();
  const add = (id: string, role: string) => {
    if (!users.has(id)) users.set(id, []);
    users.get(id)!.push(role);
  };
  for (const [name, environment] of Object.entries(config.environments)) {
    for (const id of environment.deployers ?? []) add(id, `deploys ${name}`);
    for (const id of environment.approval.approvers) add(id, `approves ${name}`);
  }
  const open = Object.entries(config.environments).filter(([, environment]) => !environment.deployers).map(([name]) => name);
  users.delete(GUEST);
  return [...[...users].map(([id, roles]) => ({ id, roles })), { id: GUEST, roles: open.length ? [`deploys ${open.join(', ')} (open to anyone)`] : [] }];
}

/** The channels igor posts to: the deploys channel, each environment's own, the alerts channel. */
export function consoleChannels(config: Config): ConsoleChannel[] {
  const channels = new Map<string, string>();
  const add = (id: string | undefined, name: string) => {
    if (id && !channels.has(id)) channels.set(id, name);
  };
  add(config.channels.deploys, 'deploys');
  for (const [name, environment] of Object.entries(config.environments)) add(environment.channel, name);
  add(config.channels.alerts, 'alerts');
  return [...channels].map(([id, name]) => ({ id, name }));
}
