import type { Logger } from 'pino';
import type { Outbox } from '../chat/outbox/outbox.js';
import type { MessageRef } from '../chat/port.js';
import { environmentChannel } from '../config/environments.js';
import type { Config } from '../config/schema.js';
import type { Connect, Discovery } from '../fleet/types.js';
import type { FlagsSlice } from './model.js';
import type { Store } from '../store/db.js';
import { flagdJson } from './flagd.js';
import { flagChangeMessage } from './messages.js';
import { flagsIn, type FlagChange } from './model.js';
import { scopeKey } from '../shared/scope.js';
import { pushFlagsFile } from './push.js';

export interface FlagDeliveryOptions {
  config: Config;
  store: Store<FlagsSlice>;
  /** Every announcement goes through it. */
  outbox: Outbox;
  discoveries: Record<string, Discovery>;
  connectors: Record<string, Connect>;
  log: Logger;
  /** Name the app in announcements (an igor of several apps). */
  named?: boolean;
}

/**
 * What follows a stored change, in the background and in order per environment: push the
 * environment's `flags.json` to its hosts when `flags.push` is on, then announce the change in the
 * environment's channel (with how the push went), and mark an undone change's message as undone.
 * A failure is logged and kept on the change; it never undoes the change itself.
 */
const changeKey = (id: string | number) => `flag-change:${id}`;

export function createFlagDelivery(options: FlagDeliveryOptions) {
  const { config, store, log } = options;
  const queues = new Map<string, Promise<void>>();

  async function push(change: FlagChange): Promise<void> {
    const environment = config.environments[change.environment]!;
    if (!environment.flags?.push) return;
    // The environment's flags as they are now: a later change queued behind this one pushes again.
    try {
      change.push = await pushFlagsFile({
        json: flagdJson(flagsIn(store.data.flags, config.app, change.environment) ?? {}),
        discovery: options.discoveries[change.environment]!,
        connect: options.connectors[change.environment]!,
        parallel: environment.strategy.parallel,
      });
    } catch (error) {
      log.error({ err: error, change: change.id }, 'could not push flags.json');
      change.push = { error: (error as Error).message, hosts: [] };
    }
    const failed = change.push.error ? [change.push.error] : change.push.hosts.filter((host) => !host.ok).map((host) => host.error);
    if (failed.length) log.warn({ change: change.id, environment: change.environment, failed }, 'flags.json did not reach every host');
    else log.info({ change: change.id, environment: change.environment, hosts: change.push.hosts.length }, 'flags.json pushed');
    await store.write();
  }

  async function announce(change: FlagChange): Promise<void> {
    const channel = environmentChannel(config, change.environment);
    const lane = `flags:${scopeKey(change.app, change.environment)}`;
    await options.outbox.post(channel, flagChangeMessage(change, options.named ?? false), { key: changeKey(change.id), lane });
    const original = change.undoOf ? store.data.flags.history.find((entry) => entry.id === change.undoOf) : undefined;
    const target = original && (original.message ?? (options.outbox.knows(changeKey(original.id)) ? changeKey(original.id) : null));
    if (original && target) await options.outbox.update(target, flagChangeMessage(original, options.named ?? false), { lane });
  }

  /** An announcement was posted: keep its ref on the change, for undoing. */
  options.outbox.onPosted((key: string, ref: MessageRef) => {
    const change = key.startsWith('flag-change:') ? store.data.flags.history.find((entry) => entry.app === config.app && changeKey(entry.id) === key) : undefined;
    if (!change) return;
    change.message = ref;
    // The outbox wrote the ref itself before telling us: this copy can wait for the next write.
    store.writeSoon();
  });

  function deliver(change: FlagChange): Promise<void> {
    const previous = queues.get(change.environment) ?? Promise.resolve();
    const next = previous.then(async () => {
      await push(change).catch((error: unknown) => log.error({ err: error, change: change.id }, 'could not record how flags.json was pushed'));
      await announce(change).catch((error: unknown) => log.error({ err: error, change: change.id }, 'could not announce a flag change'));
    });
    queues.set(change.environment, next);
    return next;
  }

  return {
    deliver,
    /** Resolves once every change stored so far is pushed and announced (for shutdown and tests). */
    async flush(): Promise<void> {
      while (queues.size) {
        const pending = [...queues.entries()];
        await Promise.all(pending.map(([, promise]) => promise));
        for (const [environment, promise] of pending) if (queues.get(environment) === promise) queues.delete(environment);
      }
    },
  };
}
export type FlagDelivery = ReturnType<typeof createFlagDelivery>;
