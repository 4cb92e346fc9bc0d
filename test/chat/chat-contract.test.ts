import { WebClient } from '@slack/web-api';
import pino from 'pino';
import { createConsoleChat, type ConsoleChat } from '../../src/chat/console/chat.js';
import { createSlackChat } from '../../src/chat/slack/adapter.js';
import type { Chat } from '../../src/chat/port.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { describeChat } from './describe-chat.js';

describeChat('slack', () => {
  let slack: FakeSlack;
  let chat: Chat;
  return {
    async beforeAll() {
      slack = await startFakeSlack();
      chat = createSlackChat(new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } }));
    },
    async afterAll() {
      await slack?.close();
    },
    reset: () => slack.reset(),
    chat: () => chat,
    seen: () => slack.allMessages().map((message) => ({ channel: message.channel, ts: message.ts, threadTs: message.thread_ts ?? null, text: message.text, blocks: message.blocks })),
    ephemeralsTo: (user) => slack.ephemerals(user).map((message) => message.text),
    ephemeralThreadsOf: (user) => slack.ephemerals(user).map((message) => message.thread_ts ?? null),
  };
});

describeChat('console', () => {
  let chat: ConsoleChat;
  return {
    reset() {
      chat = createConsoleChat(pino({ level: 'silent' }));
    },
    chat: () => chat,
    seen: () => chat.messages.filter((message) => message.user === null).map((message) => ({ channel: message.channel, ts: message.ts, threadTs: message.threadTs, text: message.text, blocks: message.blocks ?? [] })),
    ephemeralsTo: (user) => chat.messages.filter((message) => message.user === user).map((message) => message.text),
    ephemeralThreadsOf: (user) => chat.messages.filter((message) => message.user === user).map((message) => message.threadTs),
  };
});
