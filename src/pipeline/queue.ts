import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { vouchesFor } from '../integration/evidence.js';
import type { Mirror } from '../integration/mirror.js';
import { integrationStepNames } from '../integration/runner.js';
import type { Clock, Timer } from '../shared/clock.js';
import { code, phrase, plainText, time } from '../shared/phrase.js';
import { RefusedError } from '../shared/refusal.js';
import type { Store } from '../store/db.js';
import type { EventHub } from './events.js';
import { activeFreeze, nextFreeze, type Freeze } from './freeze.js';
import type { Locks } from './locks.js';
import type { Recorder } from './records.js';
import type { PipelineData } from './store-data.js';
import type { Deployment } from './types.js';

export interface QueueOptions {
  config: Config;
  store: Store<PipelineData>;
  mirror: Mirror;
  locks: Locks;
  recorder: Recorder;
  events: EventHub;
  clock: Clock;
  log: Logger;
  /** Runs a deployment that holds its environment now (the pipeline's own start). */
  run: (deployment: Deployment) => void;
  /** Asked again when a queued deployment starts, with the commit it resolved to (its gates): throws a refusal. */
  admitOnStart: (deployment: Deployment, sha: string) => void;
}

/**
 * A freeze that ends later than this is looked at again after this long (and the timer armed
 * anew): a timer of more than about 24.8 days would fire at once (setTimeout's limit).
 */
const LOOK_AGAIN_AT_MOST_MS = 24 * 3_600_000;

/**
 * Each environment's queue: deployments in state `queued` with a `waiting` record, which hold no
 * lock. They start in order (by id) as the environment frees, or, while a freeze window is in
 * force, when it ends (an approver's break-glass one at once). The queue lives in the store, so a
 * restart loses none of it; {@link Queue.resume} recomputes every freeze from the config and starts
 * what may start.
 */
export function createQueue(options: QueueOptions) {
  const { config, store, clock, locks, recorder, events } = options;
  const log = options.log.child({ component: 'queue' });
  /** Per environment: the timer that looks again when its freeze ends. */
  const timers = new Map<string, { at: number; timer: Timer }>();
  /** Environments being looked at now, and whether to look once more when done. */
  const looking = new Map<string, boolean>();
  let stopped = false;

  /** The deployments waiting in `environment`, first in line first. */
  function waitingIn(environment: string): Deployment[] {
    return store.data.deployments
      .filter((deployment) => deployment.app === config.app && deployment.environment === environment && deployment.state === 'queued' && deployment.waiting)
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** 1 for the first in line; null when it does not wait. */
  function positionOf(deployment: Deployment): number | null {
    const index = waitingIn(deployment.environment).indexOf(deployment);
    return index < 0 ? null : index + 1;
  }

  const windowsOf = (environment: string) => config.environments[environment]?.freeze ?? [];
  const freezeOf = (environment: string, now = clock.now()): Freeze | null => activeFreeze(windowsOf(environment), now);
  const nextFreezeOf = (environment: string, now = clock.now()): Freeze | null => nextFreeze(windowsOf(environment), now);

  /** Looks again when the freeze ends (the clock's timer; recomputed from the config then). */
  function wakeAt(environment: string, end: Date): void {
    const at = end.getTime();
    const armed = timers.get(environment);
    if (armed?.at === at) return;
    armed?.timer.cancel();
    const timer = clock.schedule(() => {
      timers.delete(environment);
      void look(environment);
    }, Math.min(Math.max(0, at - clock.now().getTime()), LOOK_AGAIN_AT_MOST_MS));
    timers.set(environment, { at, timer });
  }

  /** Each waiting deployment's freeze as it is now: changed ones are saved and their messages updated. */
  async function markFrozen(queue: Deployment[], freeze: Freeze | null): Promise<void> {
    const until = freeze ? freeze.end.toISOString() : null;
    for (const deployment of queue) {
      const waiting = deployment.waiting!;
      const frozenUntil = waiting.breakGlass ? null : until;
      if (waiting.frozenUntil === frozenUntil) continue;
      waiting.frozenUntil = frozenUntil;
      waiting.freezeReason = frozenUntil ? (freeze?.reason ?? null) : null;
      await recorder.changed(deployment);
    }
  }

  /** Starts the next deployment of `environment` when it may start; safe to call at any time. */
  async function look(environment: string): Promise<void> {
    if (stopped) return;
    if (looking.has(environment)) {
      looking.set(environment, true);
      return;
    }
    looking.set(environment, false);
    try {
      do {
        looking.set(environment, false);
        await startNext(environment);
      } while (looking.get(environment) && !stopped);
    } catch (error) {
      log.error({ err: error, environment }, 'could not start the next queued deployment');
    } finally {
      looking.delete(environment);
    }
  }

  async function startNext(environment: string): Promise<void> {
    const queue = waitingIn(environment);
    if (queue.length === 0) return;
    const freeze = freezeOf(environment);
    await markFrozen(queue, freeze);
    if (freeze) wakeAt(environment, freeze.end);
    const next = freeze ? queue.find((deployment) => deployment.waiting!.breakGlass) : queue[0];
    if (next && !locks.lockOf(environment) && !locks.manualLockOf(environment)) await launch(next);
    // One started, or left the line (cancelled): the rest may have moved up, and their messages say so.
    for (const deployment of waitingIn(environment)) events.emit({ type: 'changed', deployment });
  }

  /** Takes the environment for `deployment`, resolves its ref to the commit it deploys, and runs it. */
  async function launch(deployment: Deployment): Promise<void> {
    const { environment, ref } = deployment;
    const waiting = deployment.waiting!;
    const since = clock.now().toISOString();
    const lock = { environment, deploymentId: deployment.id, ref, user: deployment.requestedBy, since };
    await locks.whileReserved(lock, async () => {
      let sha: string | null;
      try {
        await options.mirror.fetch();
        sha = await options.mirror.resolve(deployment.sha ?? ref);
      } catch (error) {
        log.warn({ err: error, deployment: deployment.id }, 'could not resolve the ref of a queued deployment');
        deployment.waiting = null;
        await recorder.transition(deployment, 'fail', { reason: `could not fetch the repository to resolve ${ref}: ${(error as Error).message}` });
        return;
      }
      if (!sha) {
        deployment.waiting = null;
        await recorder.transition(deployment, 'fail', { reason: `${ref} is no longer a branch, tag or commit of the repository` });
        return;
      }
      try {
        // What staging ran when this was queued may have been rolled back since.
        options.admitOnStart(deployment, sha);
      } catch (error) {
        if (!(error instanceof RefusedError)) throw error;
        deployment.waiting = null;
        await recorder.transition(deployment, 'fail', { reason: `when its turn came: ${plainText(error.words)}` });
        return;
      }
      const steps = integrationStepNames(config.integration);
      const tested = waiting.tested && vouchesFor(waiting.tested, sha, config.integration, steps) ? waiting.tested : null;
      Object.assign(deployment, { sha, startedAt: since, waiting: null, ...(tested ? { testedIn: tested } : {}) });
      locks.hold(lock);
      await recorder.changed(deployment);
      recorder.note(deployment, phrase`Its turn: ${environment} is free, and ${code(ref)} is ${code(sha.slice(0, 7))} now. Starting.`);
      log.info({ deployment: deployment.id, environment, ref, sha, waitedSince: waiting.since }, 'a queued deployment started');
      options.run(deployment);
    });
  }

  return {
    waitingIn,
    positionOf,
    /** The freeze in force on `environment` now, if any. */
    freezeOf,
    /** The next freeze of `environment` that has not begun. */
    nextFreezeOf,

    /**
     * A deployment just put in the queue: the thread says why it waits; an older autoDeploy
     * deployment of the same ref waiting in the same environment is superseded by it; and it
     * starts at once if it may.
     */
    async added(deployment: Deployment): Promise<void> {
      const waiting = deployment.waiting!;
      if (waiting.authorizedBy) {
        for (const older of waitingIn(deployment.environment)) {
          if (older === deployment || older.ref !== deployment.ref || !older.waiting?.authorizedBy) continue;
          older.waiting = null;
          await recorder.transition(older, 'cancel', { reason: `superseded by deployment ${deployment.id}, a newer commit of ${deployment.ref}` });
          log.info({ deployment: older.id, by: deployment.id }, 'a queued auto-deploy was superseded');
        }
      }
      if (waiting.frozenUntil) {
        recorder.note(deployment, phrase`${deployment.environment} is frozen until ${time(waiting.frozenUntil)}${waiting.freezeReason ? phrase` (${waiting.freezeReason})` : ''}: this deployment waits in the queue and starts by itself when the freeze ends, unless someone cancels it; an approver may Deploy anyway.`);
      } else {
        const holder = locks.lockOf(deployment.environment);
        recorder.note(deployment, phrase`Queued: ${deployment.environment} is busy${holder ? phrase` with deployment ${holder.deploymentId}` : ''}. This deployment is number ${positionOf(deployment) ?? 1} in line and starts by itself when its turn comes, unless someone cancels it.`);
      }
      await look(deployment.environment);
    },

    /** Looks at the queue of `environment` again: a deployment there finished, a lock was lifted. */
    look,

    /** After a start of igor: every environment's freeze recomputed, and what may start started. */
    async resume(): Promise<void> {
      const environments = new Set(store.data.deployments.filter((d) => d.app === config.app && d.state === 'queued' && d.waiting).map((d) => d.environment));
      for (const environment of environments) {
        if (!config.environments[environment]) {
          for (const deployment of waitingIn(environment)) {
            deployment.waiting = null;
            await recorder.transition(deployment, 'cancel', { reason: `${environment} is no longer configured` });
          }
          continue;
        }
        await look(environment);
      }
    },

    /** No more starts; the freeze timers are cancelled (the queue itself stays in the store). */
    stop(): void {
      stopped = true;
      for (const { timer } of timers.values()) timer.cancel();
      timers.clear();
    },
  };
}
export type Queue = ReturnType<typeof createQueue>;
