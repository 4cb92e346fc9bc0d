import type { PipelineData } from './store-data.js';
import type { Store } from '../store/db.js';
import type { Clock } from '../shared/clock.js';
import type { EventHub } from './events.js';
import { nextState } from './machine.js';
import { FINISHED, type DeploymentEvent } from './states.js';
import type { Deployment } from './types.js';
import type { Phrase } from '../shared/phrase.js';
import { scopeKey } from '../shared/scope.js';

/**
 * Every change to a deployment goes through here: the change is written to the store first, then
 * announced, so a crash never leaves a side effect the store does not know about. Each save sets
 * `updatedAt`, which is also how the store knows that a finished deployment changed.
 *
 * Progress alone (a host's phase) is written within a moment rather than at once
 * ({@link Recorder.progressed}): what of it reaches chat is written first all the same, because the
 * outbox writes the store (this deployment included) before it sends anything.
 */
export function createRecorder(store: Store<PipelineData>, events: EventHub, clock: Clock) {
  const touch = (deployment: Deployment) => {
    deployment.updatedAt = clock.now().toISOString();
  };
  async function save(deployment: Deployment): Promise<void> {
    touch(deployment);
    await store.write();
  }
  return {
    save,
    /** Saves within a moment, not waiting: for a change that no irreversible step depends on (where its chat messages went). */
    saveSoon(deployment: Deployment): void {
      touch(deployment);
      store.writeSoon();
    },
    /** Saves and tells listeners that something other than the state changed (a host, a step). */
    async changed(deployment: Deployment): Promise<void> {
      await save(deployment);
      events.emit({ type: 'changed', deployment });
    },
    /** As {@link changed}, for progress a crash may lose: written within a moment, with the next write. */
    progressed(deployment: Deployment): void {
      touch(deployment);
      store.writeSoon();
      events.emit({ type: 'changed', deployment });
    },
    /** Moves the deployment through `event` (or throws), saves, then announces. */
    async transition(deployment: Deployment, event: DeploymentEvent, patch: Partial<Deployment> = {}): Promise<void> {
      const state = nextState(deployment.state, event);
      const at = clock.now().toISOString();
      Object.assign(deployment, patch, { state });
      (deployment.transitions ??= []).push({ state, at });
      if (FINISHED.has(state)) {
        deployment.finishedAt = at;
        // Steps it never reached did not wait to run: they will not.
        for (const step of deployment.steps) if (step.state === 'pending') step.state = 'skipped';
        const scope = scopeKey(deployment.app, deployment.environment);
        if (store.data.locks[scope]?.deploymentId === deployment.id) delete store.data.locks[scope];
      }
      await save(deployment);
      events.emit({ type: FINISHED.has(state) ? 'finished' : 'changed', deployment });
    },
    /** A reply in the deployment's thread. */
    note(deployment: Deployment, text: Phrase, tone: 'info' | 'warning' | 'error' = 'info'): void {
      events.emit({ type: 'note', deployment, text, tone });
    },
  };
}
export type Recorder = ReturnType<typeof createRecorder>;
