import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buttonsOf, startFakeSlack, textOf, type FakeSlack } from './fake-slack.js';
import { pressButton, sendSlashCommand, signSlackRequest } from './slack-requests.js';

const blocks = [
  { type: 'header', text: { type: 'plain_text', text: 'Deploy main to production' } },
  {
    type: 'section',
    text: { type: 'mrkdwn', text: '*State:* awaiting-approval' },
    fields: [
      { type: 'mrkdwn', text: '*Ref:* main' },
      { type: 'mrkdwn', text: '*Hosts:* 0/3' },
    ],
  },
  { type: 'context', elements: [{ type: 'mrkdwn', text: 'requested by <@U0ALICE>' }] },
  {
    type: 'actions',
    block_id: 'approval',
    elements: [
      { type: 'button', action_id: 'igor.approve', value: 'd1', style: 'primary', text: { type: 'plain_text', text: 'Approve' } },
      { type: 'button', action_id: 'igor.reject', value: 'd1', style: 'danger', text: { type: 'plain_text', text: 'Reject' } },
    ],
  },
];

describe('fake Slack Web API with the real WebClient', () => {
  let slack: FakeSlack;
  let client: WebClient;

  beforeAll(async () => {
    slack = await startFakeSlack();
    client = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
  });
  afterEach(() => slack?.reset());
  afterAll(async () => {
    await slack?.close();
  });

  it('answers auth.test as igor', async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: 'U0IGOR', bot_id: 'B0IGOR', team_id: 'T0TEAM' });
    expect(slack.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(slack.calls[0]).toMatchObject({ method: 'auth.test', token: 'xoxb-test', status: 200 });
  });

  it('stores messages, updates and thread replies, and answers queries', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0PROD', text: 'Deploy main', blocks });
    expect(posted.ok).toBe(true);
    expect(posted.channel).toBe('C0PROD');
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    const ts = posted.ts as string;

    // the call is recorded with blocks parsed back to objects
    const call = slack.callsOf('chat.postMessage')[0];
    expect(call?.body.blocks).toEqual(blocks);
    expect(call?.token).toBe('xoxb-test');

    const reply1 = await client.chat.postMessage({ channel: 'C0PROD', thread_ts: ts, text: 'unit tests passed' });
    const reply2 = await client.chat.postMessage({ channel: 'C0PROD', thread_ts: ts, text: 'integration tests passed' });
    await client.chat.postMessage({ channel: 'C0OTHER', text: 'elsewhere' });
    expect(Number(reply1.ts)).toBeGreaterThan(Number(ts));
    expect(Number(reply2.ts)).toBeGreaterThan(Number(reply1.ts));

    expect(slack.messages('C0PROD').map((m) => m.ts)).toEqual([ts]);
    expect(slack.messages().map((m) => m.channel)).toEqual(['C0PROD', 'C0OTHER']);
    expect(slack.replies('C0PROD', ts).map((m) => m.text)).toEqual(['unit tests passed', 'integration tests passed']);

    const root = slack.messages('C0PROD')[0];
    const text = textOf(root);
    for (const part of ['Deploy main', 'Deploy main to production', '*State:* awaiting-approval', '*Ref:* main', '*Hosts:* 0/3', 'requested by <@U0ALICE>', 'Approve', 'Reject']) {
      expect(text).toContain(part);
    }
    expect(text).not.toContain('igor.approve');
    expect(buttonsOf(root)).toEqual([
      { text: 'Approve', action_id: 'igor.approve', value: 'd1', style: 'primary', block_id: 'approval', url: undefined },
      { text: 'Reject', action_id: 'igor.reject', value: 'd1', style: 'danger', block_id: 'approval', url: undefined },
    ]);

    // chat.update replaces the content; the history is kept
    await client.chat.update({ channel: 'C0PROD', ts, text: 'Deploying main', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*State:* deploying' } }] });
    await client.chat.update({ channel: 'C0PROD', ts, text: 'Deployed main', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*State:* succeeded' } }] });
    const current = slack.messages('C0PROD')[0];
    expect(current?.text).toBe('Deployed main');
    expect(textOf(current)).toContain('succeeded');
    expect(textOf(current)).not.toContain('Approve');
    expect(current?.edited).toBeDefined();
    expect(slack.updates('C0PROD', ts).map((u) => u.text)).toEqual(['Deploying main', 'Deployed main']);
    expect(slack.updates('C0PROD', ts)[0]?.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*State:* deploying' } }]);

    // an update that leaves out blocks keeps them, as Slack does
    await client.chat.update({ channel: 'C0PROD', ts, text: 'Deployed main (3/3)' });
    expect(textOf(slack.message('C0PROD', ts))).toContain('*State:* succeeded');

    // updating an unknown message fails as Slack does
    await expect(client.chat.update({ channel: 'C0PROD', ts: '1.000000', text: 'x' })).rejects.toMatchObject({
      data: { ok: false, error: 'message_not_found' },
    });
  });

  it('records ephemerals', async () => {
    const result = await client.chat.postEphemeral({ channel: 'C0PROD', user: 'U0BOB', text: 'You may not approve your own deployment' });
    expect(result).toMatchObject({ ok: true });
    expect(result.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    await client.chat.postEphemeral({ channel: 'C0PROD', user: 'U0CAROL', text: 'other', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'in a block' } }] });
    expect(slack.ephemerals('U0BOB')).toEqual([
      expect.objectContaining({ channel: 'C0PROD', user: 'U0BOB', text: 'You may not approve your own deployment', blocks: [] }),
    ]);
    expect(slack.ephemerals()).toHaveLength(2);
    expect(textOf(slack.ephemerals('U0CAROL')[0])).toBe('other\nin a block');
    expect(slack.messages()).toEqual([]);
  });

  it('answers other methods ok and records them', async () => {
    const result = await client.reactions.add({ channel: 'C0PROD', timestamp: '1700000000.000100', name: 'rocket' });
    expect(result.ok).toBe(true);
    expect(slack.callsOf('reactions.add')[0]?.body).toMatchObject({ channel: 'C0PROD', name: 'rocket' });
  });

  it('answers users.info, usergroups.list, usergroups.users.list and views.publish as Slack does', async () => {
    slack.setUser({ id: 'U0ALICE', name: 'alice', real_name: 'Alice Liddell', display_name: 'Alice' });
    const alice = await client.users.info({ user: 'U0ALICE' });
    expect(alice.user).toMatchObject({ id: 'U0ALICE', name: 'alice', real_name: 'Alice Liddell', profile: { display_name: 'Alice', real_name: 'Alice Liddell' } });
    await expect(client.users.info({ user: 'U0NOBODY' })).rejects.toMatchObject({ data: { ok: false, error: 'user_not_found' } });

    slack.setUserGroup({ id: 'S0SRE', handle: 'sre', name: 'Site reliability', users: ['U0ALICE', 'U0BOB'] });
    const groups = await client.usergroups.list({});
    expect(groups.usergroups).toEqual([expect.objectContaining({ id: 'S0SRE', handle: 'sre', name: 'Site reliability', user_count: 2, date_delete: 0 })]);
    expect(groups.usergroups![0]).not.toHaveProperty('users');
    expect((await client.usergroups.users.list({ usergroup: 'S0SRE' })).users).toEqual(['U0ALICE', 'U0BOB']);
    await expect(client.usergroups.users.list({ usergroup: 'S0NONE' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });

    const published = await client.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] } });
    expect(published.view).toMatchObject({ type: 'home', team_id: 'T0TEAM' });
    expect(slack.homeViews('U0ALICE').map((home) => home.view.type)).toEqual(['home']);
    const tooMany = Array.from({ length: 101 }, () => ({ type: 'divider' as const }));
    await expect(client.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: tooMany } })).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
  });

  it('parses JSON bodies too', async () => {
    const response = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: 'Bearer xoxb-json' },
      body: JSON.stringify({ channel: 'C0JSON', text: 'hi', blocks: [{ type: 'section', text: { type: 'plain_text', text: 'from json' } }] }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: 'C0JSON' });
    expect(slack.calls[0]).toMatchObject({ token: 'xoxb-json' });
    expect(textOf(slack.messages('C0JSON')[0])).toBe('hi\nfrom json');
  });

  it('injects failures: HTTP 500 once, then success', async () => {
    slack.failNext('chat.postMessage', { status: 500, times: 1 });
    await expect(client.chat.postMessage({ channel: 'C0PROD', text: 'first' })).rejects.toThrow(/500/);
    const second = await client.chat.postMessage({ channel: 'C0PROD', text: 'second' });
    expect(second.ok).toBe(true);
    expect(slack.messages('C0PROD').map((m) => m.text)).toEqual(['second']);
    expect(slack.callsOf('chat.postMessage').map((c) => c.status)).toEqual([500, 200]);
  });

  it('injects failures: ok:false errors and 429 with Retry-After (which the client honours)', async () => {
    slack.failNext('chat.update', { error: 'ratelimited' });
    await expect(client.chat.update({ channel: 'C0PROD', ts: '1', text: 'x' })).rejects.toMatchObject({ data: { error: 'ratelimited' } });

    const retrying = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 }, logLevel: LogLevel.ERROR });
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
    const posted = await retrying.chat.postMessage({ channel: 'C0PROD', text: 'after rate limit' });
    expect(posted.ok).toBe(true);
    expect(slack.callsOf('chat.postMessage').map((c) => c.status)).toEqual([429, 200]);

    const rejecting = new WebClient('xoxb-test', { slackApiUrl: slack.url, rejectRateLimitedCalls: true, logLevel: LogLevel.ERROR });
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    await expect(rejecting.chat.postMessage({ channel: 'C0PROD', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
  });

  it('waitFor returns the value, and on timeout names what and dumps the calls', async () => {
    setTimeout(() => void client.chat.postMessage({ channel: 'C0LATE', text: 'late message' }), 50);
    const late = await slack.waitFor(() => slack.messages('C0LATE')[0], { what: 'the late message' });
    expect(late.text).toBe('late message');

    const error = await slack.waitFor(() => slack.messages('C0NEVER')[0], { timeoutMs: 100, what: 'a message in C0NEVER' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('a message in C0NEVER');
    expect(message).toContain('chat.postMessage C0LATE');
    expect(message).toContain('"late message"');
  });

  it('serves response URLs', async () => {
    const url = slack.responseUrl('cmd-1');
    expect(url).toBe(`${slack.origin}/response/cmd-1`);
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'queued' }) });
    expect(r.status).toBe(200);
    expect(slack.responses).toEqual([expect.objectContaining({ id: 'cmd-1', body: { text: 'queued' } })]);
    expect(slack.responseUrl()).not.toBe(slack.responseUrl());

    slack.failNext('response', { status: 404, error: 'expired_url' });
    const failed = await fetch(slack.responseUrl('cmd-2'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"x"}' });
    expect(failed.status).toBe(404);
    expect(slack.responsesTo('cmd-2')).toEqual([]);
  });
});

describe('a real Bolt App against the fake', () => {
  const signingSecret = 'test-signing-secret';
  let slack: FakeSlack | undefined;
  let app: App | undefined;
  let server: Server | undefined;
  let eventsUrl = '';
  const pressed: Array<{ user: string; value: string }> = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
    const receiver = new ExpressReceiver({ signingSecret, logLevel: LogLevel.ERROR });
    app = new App({
      token: 'xoxb-test',
      receiver,
      clientOptions: { slackApiUrl: slack.url },
      logLevel: LogLevel.ERROR,
    });
    app.command('/deploy', async ({ command, ack, respond }) => {
      if (command.text === 'later') {
        await ack();
        await respond({ response_type: 'ephemeral', text: 'Deploying later' });
        return;
      }
      await ack({ response_type: 'ephemeral', text: `Deploying ${command.text} for <@${command.user_id}>` });
    });
    app.action('igor.approve', async ({ ack, body, action, client }) => {
      await ack();
      const value = action.type === 'button' ? action.value ?? '' : '';
      pressed.push({ user: body.user.id, value });
      await client.chat.postEphemeral({ channel: body.channel?.id ?? '', user: body.user.id, text: `approved ${value}` });
    });
    // ExpressReceiver.start resolves with its http.Server: port 0 works, the real port is on the server.
    server = (await app.start(0)) as Server;
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(async () => {
    // receiver.stop() only calls server.close(), which waits for idle keep-alive sockets: drop them.
    server?.closeAllConnections();
    await app?.stop().catch(() => undefined);
    await slack?.close();
  });

  it('calls auth.test from the constructor, without app.start() waiting for it', async () => {
    // Bolt kicks auth.test off in the App constructor and only awaits it on the first event.
    const call = await slack!.waitFor(() => slack!.callsOf('auth.test')[0], { what: 'auth.test from the App' });
    expect(call.token).toBe('xoxb-test');
  });

  it('acks a signed slash command with the text', async () => {
    const r = await sendSlashCommand(eventsUrl, signingSecret, { command: '/deploy', text: 'main', userId: 'U0ALICE', responseUrl: slack!.responseUrl() });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ response_type: 'ephemeral', text: 'Deploying main for <@U0ALICE>' });
    expect(textOf(r.json() as { text: string })).toContain('Deploying main');
  });

  it('lets respond() post to the response URL', async () => {
    const responseUrl = slack!.responseUrl('later-1');
    const r = await sendSlashCommand(eventsUrl, signingSecret, { text: 'later', responseUrl });
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    const response = await slack!.waitFor(() => slack!.responsesTo('later-1')[0], { what: 'respond() to later-1' });
    expect(response.body).toEqual({ response_type: 'ephemeral', text: 'Deploying later' });
  });

  it('refuses a wrong signature with 401', async () => {
    const r = await sendSlashCommand(eventsUrl, signingSecret, { text: 'main', responseUrl: slack!.responseUrl(), signature: 'v0=0123456789abcdef' });
    expect(r.status).toBe(401);
    const other = await sendSlashCommand(eventsUrl, 'another-secret', { text: 'main', responseUrl: slack!.responseUrl() });
    expect(other.status).toBe(401);
  });

  it('parses a form body as JSON when the content type carries a charset (so: 400)', async () => {
    const r = await sendSlashCommand(eventsUrl, signingSecret, {
      text: 'main',
      responseUrl: slack!.responseUrl(),
      contentType: 'application/x-www-form-urlencoded; charset=utf-8',
    });
    expect(r.status).toBe(400);
  });

  it('refuses a timestamp 10 minutes old with 401', async () => {
    const r = await sendSlashCommand(eventsUrl, signingSecret, {
      text: 'main',
      responseUrl: slack!.responseUrl(),
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    expect(r.status).toBe(401);
  });

  it('signs as Slack documents', () => {
    // Example from https://api.slack.com/authentication/verifying-requests-from-slack
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'X-Slack-Request-Timestamp': '1531420618',
      'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    });
  });

  it('delivers a button press to app.action', async () => {
    const r = await pressButton(eventsUrl, signingSecret, {
      actionId: 'igor.approve',
      value: 'd42',
      userId: 'U0BOB',
      channelId: 'C0PROD',
      messageTs: '1700000000.000100',
      threadTs: '1700000000.000100',
      responseUrl: slack!.responseUrl(),
    });
    expect(r.status).toBe(200);
    expect(pressed).toEqual([{ user: 'U0BOB', value: 'd42' }]);
    const ephemeral = await slack!.waitFor(() => slack!.ephemerals('U0BOB')[0], { what: 'the ephemeral to U0BOB' });
    expect(ephemeral).toMatchObject({ channel: 'C0PROD', text: 'approved d42' });
    expect(slack!.callsOf('chat.postEphemeral')[0]?.token).toBe('xoxb-test');
  });
});
