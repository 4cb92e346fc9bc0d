import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../shared/clock.js';
import { createRetryGate, logKeptForRetry } from '../../shared/retry-gate.js';
import type { Store } from '../../store/db.js';
import type { Chat, ChatMessage, MessageRef } from '../port.js';
import { addItem, foldUpdates, knows, nextItems, prunePosted, resolveTarget, retryDecision, type MessageTarget, type NewItem, type OutboxData, type OutboxItem } from './model.js';

export interface OutboxOptions {
  store: Store<OutboxData>;
  readonly chat: Chat;
  log: Logger;
  /** Time and timers; tests hold it still. Default: the system's. */
  clock?: Clock;
  /** How many lanes send at once; default 4. */
  concurrency?: number;
}

/**
 * The one way igor's messages reach the chat: posts, replies and updates are written to the store
 * first, then sent in order per lane (a deployment's thread, an alarm's), updates coalesced to the
 * latest state, retried for as long as the chat fails, resumed after a restart. While the chat
 * rate-limits or fails, every lane waits (it is the same Slack): as long as it asks, or backing off.
 * A message the chat refuses for good is dropped with a log line, with every reply and update that
 * needed it. Delivery is at least once: a crash between the chat's answer and the store's write
 * sends that one message again.
 *
 * Ephemeral answers do not come here: they answer one person now, through a response that expires.
 *
 * @example
 *   const outbox = createOutbox({ store, chat, log });
 *   outbox.onPosted((key, ref) => { if (key === 'deployment:1') deployment.thread = ref; });
 *   await outbox.post('C0DEPLOYS', { text: 'deploying' }, { key: 'deployment:1' });
 *   await outbox.reply('deployment:1', { text: 'tests passed' }, { lane: 'deployment:1' });
 *   outbox.start();
 */
export function createOutbox(options: OutboxOptions) {
  const { store, log } = options;
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const concurrency = options.concurrency ?? 4;
  const state = () => store.data.outbox;
  const sending = new Set<number>();
  const busyLanes = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const listeners = new Set<(key: string, ref: MessageRef) => void>();
  const gate = createRetryGate(clock, pump);
  let running = false;
  /** Failed calls since the last one the chat took: what the back-off grows with. */
  let failuresInARow = 0;

  async function enqueue(item: NewItem): Promise<void> {
    addItem(state(), item, sending, now());
    await store.write();
    pump();
  }

  function pump(): void {
    if (state().items.length === 0 && sending.size === 0) gate.idle();
    if (!running || gate.held()) return;
    for (const item of nextItems(state(), busyLanes, concurrency - sending.size)) begin(item);
  }

  function begin(item: OutboxItem): void {
    sending.add(item.id);
    busyLanes.add(item.lane);
    const delivery = deliver(item)
      .catch((error: unknown) => log.error({ err: error, lane: item.lane }, 'the outbox could not record a delivery'))
      .finally(() => {
        sending.delete(item.id);
        busyLanes.delete(item.lane);
        inFlight.delete(delivery);
        pump();
      });
    inFlight.add(delivery);
  }

  function remove(item: OutboxItem): void {
    const items = state().items;
    const index = items.indexOf(item);
    if (index >= 0) items.splice(index, 1);
  }

  async function send(item: OutboxItem, target: MessageRef | null): Promise<MessageRef | null> {
    const chat = options.chat;
    if (item.op === 'post') return chat.post(item.channel!, item.message);
    if (item.op === 'reply') return chat.reply(target!, item.message);
    await chat.update(target!, item.message);
    return null;
  }

  async function deliver(item: OutboxItem): Promise<void> {
    const target = item.target === null ? null : resolveTarget(state(), item.target);
    if (target === 'wait') return;
    const context = { lane: item.lane, op: item.op, key: item.key ?? undefined, chat: options.chat.name };
    if (target === 'gone') {
      log.warn(context, 'dropped a chat message: the message it belongs to was never posted');
      remove(item);
      await store.write();
      return;
    }
    let ref: MessageRef | null;
    try {
      ref = await send(item, target);
    } catch (error) {
      item.attempts += 1;
      item.lastError = (error as Error).message ?? String(error);
      // The back-off follows the outage this process sees (every lane waits on the same chat), not
      // the item's lifetime: an item that waited through an earlier outage, or an earlier igor,
      // is tried again soon once the chat answers.
      failuresInARow += 1;
      const decision = retryDecision(error, failuresInARow);
      if (!decision.retry) {
        log.warn({ ...context, err: error }, `gave up on a chat message: ${decision.reason}`);
        remove(item);
      } else {
        foldUpdates(state(), item);
        gate.pause(decision.delayMs);
        logKeptForRetry(log, item.attempts, { ...context, attempts: item.attempts, retryInMs: decision.delayMs, error: item.lastError }, 'the chat did not take a message; the outbox will retry');
      }
      await store.write();
      return;
    }
    failuresInARow = 0;
    remove(item);
    if (item.key && ref) state().posted[item.key] = { ref, at: now().toISOString() };
    await store.write();
    if (item.key && ref) {
      for (const listener of listeners) {
        try {
          listener(item.key, ref);
        } catch (error) {
          log.error({ err: error, key: item.key }, 'a listener of posted messages failed');
        }
      }
    }
  }

  return {
    /** Posts a new message in `channel`; `key` names it for later replies and updates (and {@link onPosted}). */
    post(channel: string, message: ChatMessage, options: { key?: string; lane?: string } = {}): Promise<void> {
      return enqueue({ op: 'post', channel, target: null, key: options.key ?? null, lane: options.lane ?? options.key ?? `channel:${channel}`, message });
    },
    /** Replies in the thread of `thread` once that message is posted. */
    reply(thread: MessageTarget, message: ChatMessage, options: { key?: string; lane: string }): Promise<void> {
      return enqueue({ op: 'reply', channel: null, target: thread, key: options.key ?? null, lane: options.lane, message });
    },
    /** Sets the content of `target`; a waiting update of it (or its waiting post) takes this content instead. */
    update(target: MessageTarget, message: ChatMessage, options: { lane: string }): Promise<void> {
      return enqueue({ op: 'update', channel: null, target, key: null, lane: options.lane, message });
    },
    /** Whether a message named `key` was posted or is queued, so replies and updates to it will land. */
    knows: (key: string) => knows(state(), key),
    /** Hears every named message once it is posted, also those sent after a restart. */
    onPosted(listener: (key: string, ref: MessageRef) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** How many calls wait. */
    pending: () => state().items.length,
    /** Starts sending, with what an earlier run left in the store first. */
    start(): void {
      prunePosted(state(), now());
      if (state().items.length) log.info({ pending: state().items.length }, 'the outbox resumes the chat messages it had not sent');
      running = true;
      pump();
    },
    /** Resolves when nothing waits, or after `timeoutMs`, whichever is first. */
    async drain(timeoutMs: number): Promise<void> {
      if (state().items.length === 0 && sending.size === 0) return;
      await gate.drain(timeoutMs);
    },
    /** Stops sending; what waits stays in the store for the next start. */
    async stop(): Promise<void> {
      running = false;
      gate.stop();
      await Promise.all(inFlight);
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
