import type { CommitState, CommitStatuses } from './commit-status.js';
import type { CiEvent, IntegrationServer } from './server.js';
import type { CiRun } from './types.js';

/**
 * Mirrors each run on its commit's GitHub status: `pending` once queued, then `success` or
 * `failure`; a run that will give no verdict (superseded, cancelled) ends `error` saying why, so
 * no commit stays pending for ever. Statuses of one commit go out in order.
 */
export function reportCommitStatuses(server: IntegrationServer, statuses: CommitStatuses) {
  const queues = new Map<string, Promise<void>>();

  function send(run: CiRun, state: CommitState, description: string): void {
    const repository = run.repository;
    if (!repository) return;
    const key = `${repository.owner}/${repository.name}@${run.sha}`;
    const next = (queues.get(key) ?? Promise.resolve()).then(() => statuses.set(repository, run.sha, state, description));
    queues.set(key, next);
    void next.finally(() => {
      if (queues.get(key) === next) queues.delete(key);
    });
  }

  function handle(event: CiEvent): void {
    const { run } = event;
    if (event.type === 'queued') return send(run, 'pending', `queued: test run ${run.id}`);
    if (event.type === 'started') return send(run, 'pending', `running the integration steps (test run ${run.id})`);
    if (event.type !== 'finished') return;
    if (run.state === 'passed') return send(run, 'success', 'every integration step passed');
    if (run.state === 'failed') return send(run, 'failure', `${run.failedStep ?? 'a step'} ${run.reason ?? 'failed'}`);
    if (run.state === 'superseded' || run.state === 'cancelled') return send(run, 'error', `not tested: ${run.reason ?? run.state}`);
    // interrupted: the run is queued again at the next start and will say more then.
  }

  const unsubscribe = server.on(handle);
  return {
    /** Waits for the statuses already on their way. */
    flush: async () => void (await Promise.all(queues.values())),
    stop: unsubscribe,
  };
}
