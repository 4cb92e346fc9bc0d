import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { addItem, emptyOutboxData, nextItems, retryDecision, MAX_BACKOFF_MS } from '../../../src/chat/outbox/model.js';
import { createOutbox } from '../../../src/chat/outbox/outbox.js';
import { ChatCallError, type Chat, type ChatMessage, type MessageRef } from '../../../src/chat/port.js';
import { manualClock } from '../../support/manual-clock.js';

const log = pino({ level: 'silent' });
const text = (t: string): ChatMessage => ({ text: t });

/** A chat that records what reached it and fails while `failure` is set. */
function fakeChat() {
  let seq = 0;
  const calls: string[] = [];
  const chat = {
    name: 'fake',
    failure: null as Error | null,
    calls,
    async post(channel: string, message: ChatMessage): Promise<MessageRef> {
      if (chat.failure) throw chat.failure;
      calls.push(`post ${channel} ${message.text}`);
      return { channel, ts: `t${++seq}` };
    },
    async reply(thread: MessageRef, message: ChatMessage): Promise<MessageRef> {
      if (chat.failure) throw chat.failure;
      calls.push(`reply ${thread.ts} ${message.text}`);
      return { channel: thread.channel, ts: `t${++seq}` };
    },
    async update(ref: MessageRef, message: ChatMessage): Promise<void> {
      if (chat.failure) throw chat.failure;
      calls.push(`update ${ref.ts} ${message.text}`);
    },
    async ephemeral(): Promise<void> {},
  } satisfies Chat & Record<string, unknown>;
  return chat;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function setup() {
  const chat = fakeChat();
  const time = manualClock();
  const store = { data: emptyOutboxData(), writes: 0, async write() { store.writes++; }, writeSoon() { store.writes++; } };
  const outbox = createOutbox({ store, chat, log, clock: time });
  return { chat, time, store, outbox };
}

describe('the outbox', () => {
  it('posts a thread root first and its replies in order, replies waiting for the root to have a ts', async () => {
    const { chat, outbox } = setup();
    await outbox.post('C1', text('root'), { key: 'd:1' });
    await outbox.reply('d:1', text('one'), { lane: 'd:1' });
    await outbox.reply('d:1', text('two'), { lane: 'd:1' });
    outbox.start();
    await outbox.drain(1_000);
    expect(chat.calls).toEqual(['post C1 root', 'reply t1 one', 'reply t1 two']);
  });

  it('coalesces updates of one message to the latest, and folds updates into a post still waiting', async () => {
    const { chat, outbox, store } = setup();
    await outbox.post('C1', text('v1'), { key: 'd:1' });
    await outbox.update('d:1', text('v2'), { lane: 'd:1' });
    await outbox.update('d:1', text('v3'), { lane: 'd:1' });
    await outbox.update({ channel: 'C1', ts: 'old' }, text('a'), { lane: 'x' });
    await outbox.update({ channel: 'C1', ts: 'old' }, text('b'), { lane: 'x' });
    expect(store.data.outbox.items).toHaveLength(2);
    outbox.start();
    await outbox.drain(1_000);
    expect(chat.calls.sort()).toEqual(['post C1 v3', 'update old b']);
  });

  it('folds the updates queued while a post was in flight into it when it fails, so it goes out once with the latest state', async () => {
    const { chat, outbox, store, time } = setup();
    let release = () => {};
    chat.post = (channel) =>
      new Promise((_resolve, reject) => {
        release = () => reject(new Error(`HTTP 500 for ${channel}`));
      });
    await outbox.post('C1', text('deploying'), { key: 'd:1' });
    outbox.start();
    await settle();
    await outbox.update('d:1', text('testing'), { lane: 'd:1' });
    await outbox.update('d:1', text('rolled-back'), { lane: 'd:1' });
    expect(store.data.outbox.items.map((item) => [item.op, item.message.text])).toEqual([
      ['post', 'deploying'],
      ['update', 'rolled-back'],
    ]);
    release();
    await settle();
    expect(store.data.outbox.items.map((item) => [item.op, item.message.text])).toEqual([['post', 'rolled-back']]);
    chat.post = fakeChat().post;
    await time.advance(1_000);
    await outbox.drain(1_000);
    expect(store.data.outbox.items).toEqual([]);
  });

  it('keeps a reply whose root is in another lane waiting until the root is posted', () => {
    const state = emptyOutboxData().outbox;
    const now = new Date();
    addItem(state, { op: 'post', channel: 'C1', target: null, key: 'alarm:A1', lane: 'alarm:A1', message: text('root') }, new Set(), now);
    addItem(state, { op: 'reply', channel: null, target: 'alarm:A1', key: null, lane: 'other', message: text('reply') }, new Set(), now);
    expect(nextItems(state, new Set(), 4).map((item) => item.message.text)).toEqual(['root']);
    expect(nextItems(state, new Set(['alarm:A1']), 4)).toEqual([]);
  });

  it('never changes an item in flight: the update queues behind it', () => {
    const state = emptyOutboxData().outbox;
    const now = new Date();
    const post = addItem(state, { op: 'post', channel: 'C1', target: null, key: 'd:1', lane: 'd:1', message: text('v1') }, new Set(), now);
    addItem(state, { op: 'update', channel: null, target: 'd:1', key: null, lane: 'd:1', message: text('v2') }, new Set([post.id]), now);
    expect(state.items.map((item) => [item.op, item.message.text])).toEqual([
      ['post', 'v1'],
      ['update', 'v2'],
    ]);
  });

  it('honours Retry-After, backs off on other failures, and sends everything once the chat answers again', async () => {
    const { chat, outbox, time } = setup();
    chat.failure = new ChatCallError('ratelimited', { permanent: false, retryAfterMs: 3_000 });
    await outbox.post('C1', text('root'), { key: 'd:1' });
    await outbox.reply('d:1', text('one'), { lane: 'd:1' });
    outbox.start();
    await settle();
    expect(chat.calls).toEqual([]);
    chat.failure = null;
    await time.advance(2_999);
    expect(chat.calls).toEqual([]);
    await time.advance(1);
    await outbox.drain(1_000);
    expect(chat.calls).toEqual(['post C1 root', 'reply t1 one']);

    chat.failure = new Error('socket hang up');
    await outbox.reply('d:1', text('two'), { lane: 'd:1' });
    await settle();
    await time.advance(1_000);
    await time.advance(2_000);
    chat.failure = null;
    await time.advance(3_999);
    expect(chat.calls).toHaveLength(2);
    await time.advance(1);
    await outbox.drain(1_000);
    expect(chat.calls.at(-1)).toBe('reply t1 two');
  });

  it('drops a message the chat refuses for good, with the replies and updates that needed it, and goes on', async () => {
    const { chat, outbox, store } = setup();
    const refused = new ChatCallError('channel_not_found', { permanent: true });
    const post = chat.post.bind(chat);
    chat.post = async (channel, message) => {
      if (channel === 'C0GONE') throw refused;
      return post(channel, message);
    };
    await outbox.post('C0GONE', text('lost'), { key: 'd:1' });
    await outbox.reply('d:1', text('lost reply'), { lane: 'd:1' });
    await outbox.update('d:1', text('never'), { lane: 'other' });
    await outbox.post('C1', text('fine'), { key: 'd:2' });
    outbox.start();
    await outbox.drain(1_000);
    expect(chat.calls).toEqual(['post C1 fine']);
    expect(store.data.outbox.items).toEqual([]);
  });

  it('resumes what a stopped outbox left in the store, and tells who listens where named messages went', async () => {
    const first = setup();
    first.chat.failure = new Error('503');
    await first.outbox.post('C1', text('root'), { key: 'd:1' });
    await first.outbox.reply('d:1', text('one'), { lane: 'd:1' });
    first.outbox.start();
    await settle();
    await first.outbox.stop();

    const chat = fakeChat();
    const store = { data: structuredClone(first.store.data), async write() {}, writeSoon() {} };
    const outbox = createOutbox({ store, chat, log });
    const heard: Array<[string, MessageRef]> = [];
    outbox.onPosted((key, ref) => heard.push([key, ref]));
    outbox.start();
    await outbox.drain(1_000);
    expect(chat.calls).toEqual(['post C1 root', 'reply t1 one']);
    expect(heard).toEqual([['d:1', { channel: 'C1', ts: 't1' }]]);
    expect(store.data.outbox.posted['d:1']?.ref).toEqual({ channel: 'C1', ts: 't1' });
    await outbox.stop();
  });
});

describe('retry decisions', () => {
  it('gives up only on permanent errors, waits as asked on a rate limit, and backs off up to a ceiling otherwise', () => {
    expect(retryDecision(new ChatCallError('not_in_channel', { permanent: true }), 1)).toEqual({ retry: false, reason: 'not_in_channel' });
    expect(retryDecision(new ChatCallError('ratelimited', { permanent: false, retryAfterMs: 1_000 }), 7)).toEqual({ retry: true, delayMs: 1_000 });
    expect(retryDecision(new Error('ECONNREFUSED'), 1)).toEqual({ retry: true, delayMs: 1_000 });
    expect(retryDecision(new ChatCallError('HTTP 500', { permanent: false }), 3)).toEqual({ retry: true, delayMs: 4_000 });
    expect(retryDecision(new Error('ECONNREFUSED'), 40)).toEqual({ retry: true, delayMs: MAX_BACKOFF_MS });
  });
});
