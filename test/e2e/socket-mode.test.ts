import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf } from '../support/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET, startHarness, type Harness, type HarnessOptions } from '../support/igor-harness.js';
import { appHomeOpenedEvent, sendSlashCommand } from '../support/slack-requests.js';
import { slackDriver } from './slack-driver.js';

const APP_TOKEN = 'xapp-1-A0IGOR-1-socket-mode-test';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: HarnessOptions = {}) {
  const h = (harness = await startHarness({ ...options, appToken: APP_TOKEN }));
  return { h, socket: h.socket!, slack: slackDriver(h) };
}

describe('Slack in Socket Mode (SLACK_APP_TOKEN)', () => {
  it('deploys from a slash command and an Approve press that come over the WebSocket, and closes it cleanly on stop', async () => {
    const { h, socket, slack } = await start({ staging: { approval: { mode: 'required', approvers: ['U0BOB'] } } });
    const connection = await socket.connection(1);
    expect(h.slack.callsOf('apps.connections.open').map((call) => call.token)).toEqual([APP_TOKEN]);
    expect(h.slack.callsOf('auth.test').map((call) => call.token)).toContain(BOT_TOKEN);
    expect(h.logs.find((line) => line.msg === 'igor is listening')).toMatchObject({ mode: 'slack-socket' });
    // Nothing comes in over HTTP: Slack has no request URL for an app in Socket Mode.
    const overHttp = await sendSlashCommand(h.eventsUrl, SIGNING_SECRET, { text: 'main', responseUrl: h.slack.responseUrl() });
    expect(overHttp.status).toBe(404);

    const responseUrl = h.slack.responseUrl();
    const command = await socket.slashCommand({ text: 'main to staging', userId: 'U0ALICE', responseUrl });
    // Acked at once with nothing to show: the answer follows through the response_url.
    expect(command.ack?.payload).toEqual({});
    const answer = await h.slack.waitFor(() => h.slack.responsesTo(responseUrl.split('/').pop()!)[0], { what: 'the response_url answer' });
    expect(textOf(answer.body)).toContain('Deployment 1');

    const request = await slack.approvalRequest('1');
    const approve = buttonsOf(request).find((button) => button.text === 'Approve')!;
    const press = await socket.pressButton({
      actionId: approve.action_id!,
      value: approve.value!,
      userId: 'U0BOB',
      channelId: request.channel,
      messageTs: request.ts,
      ...(request.thread_ts ? { threadTs: request.thread_ts } : {}),
      responseUrl: h.slack.responseUrl(),
      text: 'Approve',
    });
    expect(press.ack?.payload).toEqual({});

    const done = await slack.state('1', 'succeeded');
    expect(done.approvedBy).toBe('U0BOB');
    expect(done.sha).toBe(h.sha);
    const root = await h.slack.waitFor(() => slack.root('1'), { what: 'the root message' });
    await h.slack.waitFor(() => textOf(h.slack.message(root.channel, root.ts)).includes('succeeded'), { what: 'the root message to show succeeded' });
    const thread = await h.slack.waitFor(
      () => {
        const text = slack.thread('1').map(textOf).join('\n');
        return text.includes('is live on 2 host(s) of staging') ? text : undefined;
      },
      { what: 'the closing reply' },
    );
    expect(thread).toContain('approved by <@U0BOB>');
    expect(connection.pongs).toBeGreaterThan(0);
    expect(h.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);
    expect(JSON.stringify(h.logs)).not.toContain(APP_TOKEN);

    await h.igor.stop();
    expect(connection.closed).toMatchObject({ code: 1000, by: 'app' });
    expect(socket.connections).toHaveLength(1);
  });

  it('reconnects through a new apps.connections.open when Slack asks it to, riding out a few failed calls', async () => {
    const { h, socket } = await start({ hosts: 1 });
    const first = await socket.connection(1);

    h.slack.failNext('apps.connections.open', { status: 500, times: 3 });
    socket.requestReconnect();
    await socket.closedConnection(first);
    expect(first.closed).toMatchObject({ code: 1000, by: 'app' });
    const second = await socket.connection(2);
    expect(h.slack.callsOf('apps.connections.open').map((call) => call.status)).toEqual([200, 500, 500, 500, 200]);

    // The ack of a slash command carries its immediate answer, which Slack shows to the user.
    const help = await socket.slashCommand({ text: 'help', responseUrl: h.slack.responseUrl() });
    expect(help.connection).toBe(second.id);
    expect(help.ack?.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(textOf(help.ack?.payload)).toContain('/deploy status [env]');

    await h.igor.stop();
    expect(second.closed).toMatchObject({ code: 1000, by: 'app' });
  });

  it('publishes the Home tab for an app_home_opened event over the WebSocket, and ignores one without its user', async () => {
    const { h, socket } = await start();
    await socket.connection(1);
    const bad = appHomeOpenedEvent('U0BOB');
    delete (bad.event as Record<string, unknown>).user;
    expect((await socket.send('events_api', bad)).ack).toBeTruthy();
    await socket.send('events_api', appHomeOpenedEvent('U0BOB'));
    const home = await h.slack.waitFor(() => h.slack.homeViews('U0BOB')[0], { what: 'the Home tab of Bob' });
    expect(textOf({ blocks: home.view.blocks })).toContain('staging');
    expect(h.slack.homeViews()).toHaveLength(1);
    expect(h.logs.some((line) => line.msg === 'ignored an app_home_opened event igor cannot read')).toBe(true);
  });
});
