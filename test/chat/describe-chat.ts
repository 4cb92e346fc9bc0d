// The contract of the Chat port, written once and run against every chat: Slack (through the fake
// Slack Web API) and the console. A new chat is done when it passes. Each harness cleans up what
// it started in its hooks, which run even when a test fails.
import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Chat } from '../../src/chat/port.js';
import { SLACK_LIMITS } from '../../src/chat/slack-limits.js';

/** A message as the people in the channel see it. */
export interface SeenMessage {
  channel: string;
  ts: string;
  /** The root's ts for a reply; null for a root. */
  threadTs: string | null;
  text: string;
  blocks: unknown[];
}

export interface ChatHarness {
  beforeAll?(): Promise<void>;
  afterAll?(): Promise<void>;
  /** Forgets what was seen before the next test. */
  reset?(): void;
  chat(): Chat;
  /** Every message in the channels, roots and replies, current content, in posting order (no ephemerals). */
  seen(): SeenMessage[];
  /** The texts of the ephemeral messages to `user`, in order. */
  ephemeralsTo(user: string): string[];
  /** The thread (its root's ts) each ephemeral message to `user` is in, null for the channel, in order. */
  ephemeralThreadsOf(user: string): Array<string | null>;
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

export function describeChat(name: string, setup: () => ChatHarness): void {
  describe(`${name} chat (contract)`, () => {
    const harness = setup();
    if (harness.beforeAll) beforeAll(() => harness.beforeAll!());
    if (harness.afterAll) afterAll(() => harness.afterAll!());
    beforeEach(() => harness.reset?.());

    it('names itself', () => {
      expect(harness.chat().name).toBe(name);
    });

    it('posts a root message in the channel and returns where it is', async () => {
      const ref = await harness.chat().post('C0DEPLOYS', { text: 'deploying main', blocks: [section('*deploying* main')] });
      expect(ref.channel).toBe('C0DEPLOYS');
      expect(harness.seen()).toEqual([{ channel: 'C0DEPLOYS', ts: ref.ts, threadTs: null, text: 'deploying main', blocks: [section('*deploying* main')] }]);
    });

    it('replies in the thread of a message, each reply with a ts of its own, in order', async () => {
      const chat = harness.chat();
      const root = await chat.post('C0DEPLOYS', { text: 'root' });
      const first = await chat.reply(root, { text: 'unit passed' });
      const second = await chat.reply(root, { text: 'deploy passed' });
      expect(new Set([root.ts, first.ts, second.ts]).size).toBe(3);
      expect(first.channel).toBe('C0DEPLOYS');
      expect(harness.seen().map((message) => [message.text, message.threadTs])).toEqual([
        ['root', null],
        ['unit passed', root.ts],
        ['deploy passed', root.ts],
      ]);
    });

    it('updates a message in place: the same ts, the new content, no new message', async () => {
      const chat = harness.chat();
      const root = await chat.post('C0DEPLOYS', { text: 'deploying' });
      await chat.update(root, { text: 'succeeded', blocks: [section('*succeeded*')] });
      expect(harness.seen()).toEqual([{ channel: 'C0DEPLOYS', ts: root.ts, threadTs: null, text: 'succeeded', blocks: [section('*succeeded*')] }]);
    });

    it('answers one person privately, out of the channel', async () => {
      await harness.chat().ephemeral('C0DEPLOYS', 'U0BOB', { text: 'you may not deploy to production' });
      expect(harness.ephemeralsTo('U0BOB')).toEqual(['you may not deploy to production']);
      expect(harness.ephemeralsTo('U0ALICE')).toEqual([]);
      expect(harness.seen()).toEqual([]);
    });

    it('answers one person privately in a thread, where they pressed a button of a reply', async () => {
      const chat = harness.chat();
      const root = await chat.post('C0DEPLOYS', { text: 'deploying main' });
      await chat.reply(root, { text: 'Approval needed' });
      await chat.ephemeral('C0DEPLOYS', 'U0CAROL', { text: 'only the approvers may approve' }, root.ts);
      await chat.ephemeral('C0DEPLOYS', 'U0CAROL', { text: 'beside the root' }, null);
      expect(harness.ephemeralsTo('U0CAROL')).toEqual(['only the approvers may approve', 'beside the root']);
      expect(harness.ephemeralThreadsOf('U0CAROL')).toEqual([root.ts, null]);
      expect(harness.seen().map((message) => message.text)).toEqual(['deploying main', 'Approval needed']);
    });

    it("cuts a message to Slack's limits rather than losing it", async () => {
      const long = 'x'.repeat(SLACK_LIMITS.text + 5_000);
      const blocks = Array.from({ length: SLACK_LIMITS.blocks + 10 }, (_, index) => section(`block ${index}`));
      await harness.chat().post('C0DEPLOYS', { text: long, blocks });
      const [seen] = harness.seen();
      expect(seen!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
      expect(seen!.text.startsWith('xxxx')).toBe(true);
      expect(seen!.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    });
  });
}
