import type { Logger } from 'pino';
import { mention, plain } from '../chat/messages.js';
import type { Outbox } from '../chat/outbox/outbox.js';
import type { MessageRef } from '../chat/port.js';
import type { CiSlice } from './types.js';
import type { Store } from '../store/db.js';
import { ciFailedMessage, ciFixedMessage } from './messages.js';
import type { CiEvent, IntegrationServer } from './server.js';

const runKey = (id: string) => `ci-run:${id}`;

/**
 * Tells the deploys channel about test runs only when it matters: every failure, and the first
 * success after a failure on that branch ("fixed"). A Retry is acknowledged in the failure's thread.
 * Messages go through the outbox, one lane per run, so they arrive (in order) even after Slack was down.
 */
export function createCiAnnouncer(options: { server: IntegrationServer; outbox: Outbox; channel: string; app: string; store: Store<CiSlice>; log: Logger }) {
  const { store, log, outbox } = options;
  const queued = (work: Promise<void>) => void work.catch((error: unknown) => log.error({ err: error }, 'could not queue a chat message about a test run'));

  function handle(event: CiEvent): void {
    if (event.type === 'retried') {
      const target = event.of.message ?? (outbox.knows(runKey(event.of.id)) ? runKey(event.of.id) : null);
      if (target) queued(outbox.reply(target, plain(`:repeat: ${mention(event.run.requestedBy)} retries this: test run ${event.run.id}.`), { lane: runKey(event.of.id) }));
      return;
    }
    if (event.type !== 'finished') return;
    const { run, previous } = event;
    const message =
      run.state === 'failed' ? ciFailedMessage(options.app, run) : run.state === 'passed' && previous?.state === 'failed' ? ciFixedMessage(options.app, run, previous) : null;
    if (message) queued(outbox.post(options.channel, message, { key: runKey(run.id) }));
  }

  function posted(key: string, ref: MessageRef): void {
    if (!key.startsWith('ci-run:')) return;
    const run = store.data.ci.runs.find((entry) => runKey(entry.id) === key);
    if (!run) return;
    run.message = ref;
    // The outbox wrote the ref itself before telling us: this copy can wait for the next write.
    store.writeSoon();
  }

  const unsubscribe = options.server.on(handle);
  const unlisten = outbox.onPosted(posted);
  return {
    /** Nothing waits here: the outbox holds what is to send. */
    flush: () => Promise.resolve(),
    stop: () => {
      unsubscribe();
      unlisten();
    },
  };
}
