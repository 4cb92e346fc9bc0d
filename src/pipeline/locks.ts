import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Actor } from '../shared/actor.js';
import type { Clock } from '../shared/clock.js';
import { code, phrase, time, user as person } from '../shared/phrase.js';
import { RefusedError } from '../shared/refusal.js';
import { scopeKey } from '../shared/scope.js';
import type { Store } from '../store/db.js';
import { EnvironmentBusyError } from './errors.js';
import { createLockEvents } from './events.js';
import { requireDeployerOf } from './policy.js';
import type { UserGroups } from '../shared/user-groups.js';
import type { EnvironmentLock, PipelineData } from './store-data.js';

/**
 * The two kinds of lock on an environment: the one a deployment holds while it runs (one at a
 * time per environment), and the one a person puts on it (`/deploy lock`) with a reason.
 */
export function createLocks(options: { config: Config; store: Store<PipelineData>; clock: Clock; log: Logger; userGroups: UserGroups }) {
  const { config, store, clock, log } = options;
  /** Environments whose lock is being taken while the ref is resolved: in memory, so two requests cannot race. */
  const reserving = new Map<string, EnvironmentLock>();
  const events = createLockEvents();

  const permitted = (environment: string, user: string, action: string) => requireDeployerOf(options.userGroups, environment, config.environments[environment]!, user, action);
  /** This app's environment, as the store keys it. */
  const key = (environment: string) => scopeKey(config.app, environment);

  function lockOf(environment: string): EnvironmentLock | null {
    return reserving.get(key(environment)) ?? store.data.locks[key(environment)] ?? null;
  }

  return {
    /** Hears each lock a person puts on or lifts, once it is saved; returns the function that stops listening. */
    on: events.on,
    /** The deployment that holds the environment (or is starting in it), if any. */
    lockOf,
    manualLockOf: (environment: string) => store.data.manualLocks[key(environment)] ?? null,
    /** Refuses, saying who and why, when a person locked the environment or a deployment holds it. */
    checkFree(environment: string): void {
      const manual = store.data.manualLocks[key(environment)];
      if (manual) {
        throw new RefusedError('conflict', phrase`${environment} is locked by ${person(manual.user)} since ${time(manual.since)}${manual.reason ? phrase`: ${manual.reason}` : ''} (${code(`/deploy unlock ${environment}`)} lifts it)`);
      }
      const held = lockOf(environment);
      if (held) throw new EnvironmentBusyError(held);
    },
    /** Holds the environment for `lock` while `work` makes a request into a deployment (resolving a ref, asking the hosts). */
    async whileReserved<T>(lock: EnvironmentLock, work: () => Promise<T>): Promise<T> {
      reserving.set(key(lock.environment), lock);
      try {
        return await work();
      } finally {
        reserving.delete(key(lock.environment));
      }
    },
    /** The deployment holds the environment until it finishes (saved with the deployment). */
    hold(lock: EnvironmentLock): void {
      store.data.locks[key(lock.environment)] = lock;
    },
    /** After a restart: locks of deployments that no longer run are let go (saved by the caller). */
    dropStale(running: (deploymentId: string) => boolean): void {
      // Only this app's: another app's pipeline judges its own.
      for (const [scope, lock] of Object.entries(store.data.locks)) if (scope === key(lock.environment) && !running(lock.deploymentId)) delete store.data.locks[scope];
    },
    /** `/deploy lock`: a person's lock with a reason; deployers only. */
    async lock(name: string, actor: Actor, reason: string | null): Promise<void> {
      const { user } = actor;
      await permitted(name, user, 'lock');
      const held = store.data.manualLocks[key(name)];
      if (held) throw new RefusedError('conflict', phrase`${name} is locked already by ${person(held.user)} since ${time(held.since)}${held.reason ? phrase`: ${held.reason}` : ''}`);
      const lock = { environment: name, user, reason, since: clock.now().toISOString() };
      store.data.manualLocks[key(name)] = lock;
      await store.write();
      log.info({ environment: name, user, via: actor.via, token: actor.token, reason }, 'environment locked');
      events.emit({ type: 'locked', app: config.app, lock });
    },
    async unlock(name: string, actor: Actor): Promise<void> {
      const { user } = actor;
      await permitted(name, user, 'unlock');
      const lock = store.data.manualLocks[key(name)];
      if (!lock) throw new RefusedError('conflict', `${name} is not locked`);
      delete store.data.manualLocks[key(name)];
      await store.write();
      log.info({ environment: name, user, via: actor.via, token: actor.token }, 'environment unlocked');
      events.emit({ type: 'unlocked', app: config.app, lock, by: user });
    },
  };
}
export type Locks = ReturnType<typeof createLocks>;
