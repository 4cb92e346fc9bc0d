import { dictionary } from '../../shared/names.js';
import type { ChatMessage, MessageRef } from '../port.js';
import { ChatCallError } from '../port.js';

/**
 * A message to send: by the name a feature gave it (`deployment:12`, `alarm:A3`), resolved to where
 * it was posted once it was, or by where it already is.
 */
export type MessageTarget = string | MessageRef;

/** One chat call waiting to go out. */
export interface OutboxItem {
  id: number;
  /** Items of one lane (a deployment's thread, an alarm's) go out one at a time, in order. */
  lane: string;
  op: 'post' | 'reply' | 'update';
  /** `post`: the channel. */
  channel: string | null;
  /** `reply`: the thread's root; `update`: the message to update. */
  target: MessageTarget | null;
  /** `post`/`reply`: the name its ref is remembered by, so later replies and updates can find it. */
  key: string | null;
  message: ChatMessage;
  queuedAt: string;
  attempts: number;
  lastError: string | null;
}

/** The outbox's part of the store: what is still to send, and where named messages went. */
export interface OutboxData {
  outbox: {
    nextId: number;
    items: OutboxItem[];
    posted: Record<string, { ref: MessageRef; at: string }>;
  };
}

export function emptyOutboxData(): OutboxData {
  return { outbox: { nextId: 1, items: [], posted: dictionary() } };
}

export type OutboxState = OutboxData['outbox'];
export type NewItem = Pick<OutboxItem, 'lane' | 'op' | 'channel' | 'target' | 'key' | 'message'>;

/** How long named refs are remembered: long enough for any thread that still gets replies. */
export const POSTED_KEPT_MS = 30 * 24 * 3_600_000;

function sameTarget(a: MessageTarget | null, b: MessageTarget | null): boolean {
  if (a === null || b === null) return false;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.channel === b.channel && a.ts === b.ts;
}

/**
 * Queues an item. An update is coalesced: it replaces the content of a waiting update of the same
 * message, or of the waiting post that will create it, so only the latest state goes out. Items in
 * flight (`sending`) are never changed: the update then queues behind them.
 */
export function addItem(state: OutboxState, item: NewItem, sending: ReadonlySet<number>, now: Date): OutboxItem {
  if (item.op === 'update') {
    const waiting = (candidate: OutboxItem) => !sending.has(candidate.id);
    const sameUpdate = state.items.find((candidate) => waiting(candidate) && candidate.op === 'update' && sameTarget(candidate.target, item.target));
    const creator =
      typeof item.target === 'string' ? state.items.find((candidate) => waiting(candidate) && candidate.op !== 'update' && candidate.key === item.target) : undefined;
    const into = sameUpdate ?? creator;
    if (into) {
      into.message = item.message;
      return into;
    }
  }
  const added: OutboxItem = { ...item, id: state.nextId++, queuedAt: now.toISOString(), attempts: 0, lastError: null };
  state.items.push(added);
  return added;
}

/**
 * A post or reply that failed takes the content of the updates of it queued while it was in
 * flight, and those updates go: it will be sent once, with the latest state.
 */
export function foldUpdates(state: OutboxState, item: OutboxItem): void {
  if (item.op === 'update' || item.key === null) return;
  const updates = state.items.filter((candidate) => candidate.op === 'update' && candidate.target === item.key);
  const latest = updates.at(-1);
  if (!latest) return;
  item.message = latest.message;
  state.items = state.items.filter((candidate) => !updates.includes(candidate));
}

/** Where a target is: its ref, `wait` while the post that creates it is still queued, `gone` when nothing will. */
export function resolveTarget(state: OutboxState, target: MessageTarget): MessageRef | 'wait' | 'gone' {
  if (typeof target !== 'string') return target;
  const posted = state.posted[target];
  if (posted) return posted.ref;
  return state.items.some((item) => item.op !== 'update' && item.key === target) ? 'wait' : 'gone';
}

/** Whether a post or reply named `key` is queued or went out: replies and updates to it will find it. */
export function knows(state: OutboxState, key: string): boolean {
  return resolveTarget(state, key) !== 'gone';
}

/**
 * What may go out now: the head of each lane that is not busy, in queue order, up to `limit`. A
 * head whose target is not posted yet (its root is in another lane, still queued) waits; one whose
 * target will never exist is returned too, for the caller to drop.
 */
export function nextItems(state: OutboxState, busyLanes: ReadonlySet<string>, limit: number): OutboxItem[] {
  const seen = new Set<string>();
  const chosen: OutboxItem[] = [];
  for (const item of state.items) {
    if (chosen.length >= limit) break;
    if (seen.has(item.lane)) continue;
    seen.add(item.lane);
    if (busyLanes.has(item.lane)) continue;
    if (item.target !== null && resolveTarget(state, item.target) === 'wait') continue;
    chosen.push(item);
  }
  return chosen;
}

/** Forgets refs older than {@link POSTED_KEPT_MS} that nothing queued still needs. */
export function prunePosted(state: OutboxState, now: Date): void {
  const needed = new Set(state.items.flatMap((item) => (typeof item.target === 'string' ? [item.target] : [])));
  for (const [key, entry] of Object.entries(state.posted)) {
    if (!needed.has(key) && now.getTime() - Date.parse(entry.at) > POSTED_KEPT_MS) delete state.posted[key];
  }
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/** Back-off after a failure the chat gave no time for: 1 s, 2 s, 4 s, … up to this. */
export const MAX_BACKOFF_MS = 30_000;

/**
 * What to do after a failed call (the `failures`-th in a row): give up only when the chat says trying again
 * cannot help (an unknown channel, blocks it refuses); wait as long as it asks (a rate limit's
 * `Retry-After`); otherwise (5xx, network, an error nobody classified) back off exponentially, for
 * as long as it takes.
 */
export function retryDecision(error: unknown, failures: number): RetryDecision {
  if (error instanceof ChatCallError) {
    if (error.permanent) return { retry: false, reason: error.message };
    if (error.retryAfterMs !== null) return { retry: true, delayMs: Math.max(error.retryAfterMs, 100) };
  }
  return { retry: true, delayMs: Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.max(0, failures - 1)) };
}
