import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { retryDecision } from '../../../src/chat/outbox/model.js';
import { createSlackChat } from '../../../src/chat/slack/adapter.js';
import { createDeliveryClient } from '../../../src/chat/slack/bolt.js';
import { startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

const chat = () => createSlackChat(createDeliveryClient({ botToken: 'xoxb-test', apiUrl: slack.url }, pino({ level: 'silent' })));

async function failure(work: Promise<unknown>) {
  const error = await work.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).not.toBeNull();
  return retryDecision(error, 1);
}

describe('Slack errors as the outbox sees them', () => {
  it('answers a 429 at once with its Retry-After, without the client waiting or retrying by itself', async () => {
    slack.reset();
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const started = Date.now();
    expect(await failure(chat().post('C1', { text: 'hi' }))).toEqual({ retry: true, delayMs: 7_000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('retries a 500 and an unknown platform error, and gives up on a channel that does not exist', async () => {
    slack.reset();
    slack.failNext('chat.postMessage', { status: 500 });
    expect(await failure(chat().post('C1', { text: 'hi' }))).toMatchObject({ retry: true });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    slack.failNext('chat.update', { error: 'fatal_error' });
    expect(await failure(chat().update({ channel: 'C1', ts: '1.1' }, { text: 'hi' }))).toMatchObject({ retry: true });
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect(await failure(chat().post('C0GONE', { text: 'hi' }))).toEqual({ retry: false, reason: '[slack] chat.postMessage: channel_not_found' });
  });

  it('retries when Slack cannot be reached at all', async () => {
    const unreachable = createSlackChat(createDeliveryClient({ botToken: 'xoxb-test', apiUrl: 'http://127.0.0.1:9/api/' }, pino({ level: 'silent' })));
    expect(await failure(unreachable.post('C1', { text: 'hi' }))).toMatchObject({ retry: true, delayMs: 1_000 });
  });
});
