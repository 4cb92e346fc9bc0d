import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import { isUserId, type Directory } from '../../shared/directory.js';

/** A name is asked for again after this long (people change their display name). */
const NAME_TTL_MS = 60 * 60_000;
/** A lookup that failed is not tried again for this long: the id stands meanwhile. */
const FAILED_TTL_MS = 5 * 60_000;

/**
 * The Directory on Slack's `users.info` (scope `users:read`): each person's display name, else
 * their real name, else their username; cached. Give it a client with a timeout and few retries
 * (see `createLookupClient`): a lookup that fails or times out leaves the id in place.
 */
export function createSlackDirectory(client: WebClient, clock: Clock, log: Logger): Directory {
  const names = new Map<string, { name: string; at: number; ttl: number }>();
  const asking = new Map<string, Promise<void>>();
  const now = () => clock.now().getTime();
  const known = (id: string) => {
    const entry = names.get(id);
    return entry !== undefined && now() - entry.at < entry.ttl;
  };

  function ask(id: string): Promise<void> {
    const running = asking.get(id);
    if (running) return running;
    const lookup = client.users
      .info({ user: id })
      .then((answer) => {
        const user = answer.user;
        const name = user?.profile?.display_name || user?.profile?.real_name || user?.real_name || user?.name || id;
        names.set(id, { name, at: now(), ttl: NAME_TTL_MS });
      })
      .catch((error: unknown) => {
        log.warn({ err: error, user: id }, '[slack] users.info failed: the user is shown by id (does the app have users:read?)');
        names.set(id, { name: names.get(id)?.name ?? id, at: now(), ttl: FAILED_TTL_MS });
      })
      .finally(() => asking.delete(id));
    asking.set(id, lookup);
    return lookup;
  }

  return {
    name: 'slack',
    nameOf(id) {
      if (!isUserId(id)) return id;
      if (!known(id)) void ask(id);
      return names.get(id)?.name ?? id;
    },
    async load(ids) {
      await Promise.all([...new Set(ids)].filter((id) => isUserId(id) && !known(id)).map(ask));
    },
  };
}
