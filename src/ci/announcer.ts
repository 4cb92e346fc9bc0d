import type { Logger } from 'pino';
import { mention, plain } from '../chat/messages.js';
import type { Chat } from '../chat/port.js';
import type { CiSlice } from './types.js';
import type { Store } from '../store/db.js';
import { ciFailedMessage, ciFixedMessage } from './messages.js';
import type { CiEvent, IntegrationServer } from './server.js';

/**
 * Tells the deploys channel about test runs only when it matters: every failure, and the first
 * success after a failure on that branch ("fixed"). A Retry is acknowledged in the failure's thread.
 * Chat calls go out one at a time, in order; a failing one is logged and never stops a run.
 * `options.chat` is read when a message goes out, so it may be a getter for a chat made later.
 */
export function createCiAnnouncer(options: { server: IntegrationServer; chat: Chat; channel: string; app: string; store: Store<CiSlice>; log: Logger }) {
  const { store, log } = options;
  let queue: Promise<void> = Promise.resolve();

  function enqueue(work: () => Promise<void>): void {
    queue = queue.then(work).catch((error: unknown) => log.error({ err: error, chat: options.chat.name }, 'could not tell the chat about a test run'));
  }

  function handle(event: CiEvent): void {
    if (event.type === 'retried') {
      // In the queue, so a failure message still on its way is posted (and known) first.
      enqueue(async () => {
        if (event.of.message) await options.chat.reply(event.of.message, plain(`:repeat: ${mention(event.run.requestedBy)} retries this: test run ${event.run.id}.`));
      });
      return;
    }
    if (event.type !== 'finished') return;
    const { run, previous } = event;
    const message =
      run.state === 'failed' ? ciFailedMessage(options.app, run) : run.state === 'passed' && previous?.state === 'failed' ? ciFixedMessage(options.app, run, previous) : null;
    if (!message) return;
    enqueue(async () => {
      run.message = await options.chat.post(options.channel, message);
      await store.write();
    });
  }

  const unsubscribe = options.server.on(handle);
  return {
    /** Waits for every queued chat call. */
    flush: () => queue,
    stop: unsubscribe,
  };
}
