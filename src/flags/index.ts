import type { Router } from 'express';
import type { Logger } from 'pino';
import type { ActionOutcome } from '../chat/actions.js';
import { mrkdwn } from '../chat/mrkdwn.js';
import type { Outbox } from '../chat/outbox/outbox.js';
import type { Config } from '../config/schema.js';
import type { Connect, Discovery } from '../fleet/types.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { RefusedError } from '../shared/refusal.js';
import type { FlagsSlice } from './model.js';
import type { Store } from '../store/db.js';
import { flagApiRoutes } from './api-routes.js';
import { flagsChangedSince, type FlagDrift } from './changed-since.js';
import { createFlagDelivery } from './delivery.js';
import type { UserGroups } from '../shared/user-groups.js';
import { createEvaluator } from './evaluate.js';
import { flagPublicRoutes, type FlagsAccess } from './public-routes.js';
import { createFlagsService, type FlagsService } from './service.js';

export { flagsChangedSince, flagsChangedText, type FlagDrift } from './changed-since.js';
export { FLAG_UNDO_ACTION } from './messages.js';

export interface FlagsOptions {
  config: Config;
  store: Store<FlagsSlice>;
  /** Every announcement goes through it. */
  outbox: Outbox;
  discoveries: Record<string, Discovery>;
  connectors: Record<string, Connect>;
  /** `IGOR_FLAGS_TOKEN`: when set, every `/flags/*` request needs it as a bearer token. */
  flagsToken?: string | undefined;
  /**
   * Who may read the flags: `token` (IGOR_FLAGS_TOKEN), `open` (anyone who reaches igor), or
   * `loopback` (only this machine: igor listens off loopback with neither a token nor IGOR_FLAGS_PUBLIC).
   */
  flagsAccess: FlagsAccess;
  log: Logger;
  clock?: Clock;
  /** Name the app in announcements (an igor of several apps). */
  named?: boolean;
  /** Who is in the user groups `deployers` names; default: the config's `groups`. */
  userGroups?: UserGroups | undefined;
}

export interface Flags {
  /** Mount at `/api/flags`, behind the API token. */
  apiRoutes: Router;
  /** Mount at `/flags`: flagd.json and OFREP for the apps. */
  publicRoutes: Router;
  /** The `Undo` button (`igor.flag-undo`, value the change id); a refusal is an outcome, told to the presser. */
  undo(changeId: string, user: string): Promise<ActionOutcome>;
  /** For `/deploy status`: the flags of `environment` changed after `sinceIso` (all when null). */
  changedSince(environment: string, sinceIso: string | null): FlagDrift[];
  /** Resolves once every change so far is pushed and announced; call before the store's last write. */
  flush(): Promise<void>;
  readonly service: FlagsService;
}

export { createFlagsCommand } from './command.js';

/** Says once, at start-up, who may read the flag endpoints when no token guards them. */
export function logFlagsAccess(access: FlagsAccess, flagsToken: string | undefined, log: Logger): void {
  if (access === 'loopback') log.warn('IGOR_FLAGS_TOKEN is not set: the flag endpoints answer only this machine; set it (and give it to the apps), or IGOR_FLAGS_PUBLIC=true to serve the flags to anyone');
  else if (access === 'open' && !flagsToken) log.info('the flag endpoints need no token (IGOR_FLAGS_TOKEN is not set): anyone who reaches igor reads the flags');
}

/**
 * One app's feature flags, one per environment and key, set from Slack or the API and served to apps as
 * flagd.json and OFREP.
 * @example
 * const flags = createFlags({ config, store, outbox, discoveries, connectors, flagsToken, log, clock });
 * http.use('/flags', flags.publicRoutes);
 */
export function createFlags(options: FlagsOptions): Flags {
  const log = options.log.child({ subsystem: 'flags', app: options.config.app });
  const delivery = createFlagDelivery({
    config: options.config,
    store: options.store,
    outbox: options.outbox,
    discoveries: options.discoveries,
    connectors: options.connectors,
    log,
    named: options.named ?? false,
  });
  const service = createFlagsService({ config: options.config, userGroups: options.userGroups, store: options.store, clock: options.clock ?? systemClock, log, onChange: (change) => void delivery.deliver(change) });
  return {
    service,
    apiRoutes: flagApiRoutes(service),
    publicRoutes: flagPublicRoutes({ flags: service, evaluator: createEvaluator(log), token: options.flagsToken, access: options.flagsAccess, log }),
    async undo(changeId: string, user: string): Promise<ActionOutcome> {
      try {
        const change = await service.undo(changeId, user);
        return { ok: true, text: `Undid change ${changeId}: \`${change.key}\` in ${change.environment}: ${change.from ?? 'not set'} → ${change.to ?? 'not set'} (change ${change.id}).` };
      } catch (error) {
        if (error instanceof RefusedError) return { ok: false, text: mrkdwn(error.words) };
        throw error;
      }
    },
    changedSince: (environment, sinceIso) => flagsChangedSince(options.store, options.config.app, environment, sinceIso),
    flush: () => delivery.flush(),
  };
}
