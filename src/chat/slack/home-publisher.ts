import type { HomeView } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../shared/clock.js';

/** How long changes are gathered before the Home tabs are published again. */
const DEBOUNCE_MS = 2_000;
/** How many people's Home tabs are kept current; the longest unseen drops out (their next visit publishes it again). */
const MAX_VIEWERS = 500;

export interface HomePublisher {
  /** Someone opened the Home tab: it is published for them now, and kept current from then on. */
  opened(user: string): Promise<void>;
  /** A press on the Home tab was refused: its tab is published again with why on top (there is no channel to answer in). */
  refused(user: string, text: string): Promise<void>;
  /** Something the Home tab shows changed: it is published again for everyone who opened it, once the changes settle. */
  changed(): void;
  /** Publishes what waits, and stops. */
  stop(): Promise<void>;
}

/**
 * Publishes igor's Home tab with `views.publish`: at once for who opens it (`app_home_opened`), and
 * for everyone who has, debounced, when what it shows changes. The tab is the same for everyone;
 * each publish is its own call, with the client's timeout. A failed publish is logged: the next
 * change or visit publishes it again, so no outbox is needed for a view that is always redrawn whole.
 */
export function createHomePublisher(options: { client: WebClient; render: () => Promise<HomeView>; clock: Clock; log: Logger; debounceMs?: number }): HomePublisher {
  const { client, clock, log } = options;
  const viewers = new Set<string>();
  let timer: Timer | null = null;
  let publishing: Promise<void> = Promise.resolve();

  async function publish(users: readonly string[], notice?: string): Promise<void> {
    if (!users.length) return;
    let view: HomeView;
    try {
      view = await options.render();
    } catch (error) {
      log.error({ err: error }, 'could not draw the Home tab');
      return;
    }
    for (const user of users) {
      try {
        const shown: HomeView = notice ? { ...view, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: notice } }, ...view.blocks] } : view;
        await client.views.publish({ user_id: user, view: shown });
      } catch (error) {
        log.warn({ err: error, user }, '[slack] views.publish failed: the Home tab is published again on the next change or visit');
      }
    }
  }

  /** One publish at a time, in order, so an older view never lands after a newer one. */
  const queue = (users: () => readonly string[], notice?: string) => (publishing = publishing.then(() => publish(users(), notice)));

  function flush(): Promise<void> {
    timer?.cancel();
    timer = null;
    return queue(() => [...viewers]);
  }

  return {
    opened(user) {
      viewers.delete(user);
      viewers.add(user);
      if (viewers.size > MAX_VIEWERS) viewers.delete(viewers.values().next().value!);
      return queue(() => [user]);
    },
    refused(user, text) {
      return queue(() => [user], text);
    },
    changed() {
      if (timer || !viewers.size) return;
      timer = clock.schedule(() => void flush(), options.debounceMs ?? DEBOUNCE_MS);
    },
    async stop() {
      if (timer) await flush();
      await publishing;
    },
  };
}
