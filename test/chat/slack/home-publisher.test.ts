import type { HomeView } from '@slack/types';
import { WebClient } from '@slack/web-api';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHomePublisher } from '../../../src/chat/slack/home-publisher.js';
import { startFakeSlack, textOf, type FakeSlack } from '../../support/fake-slack.js';
import { manualClock } from '../../support/manual-clock.js';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});

describe('the Home tab publisher', () => {
  it('publishes at once for who opens the tab, and once per burst of changes for everyone who opened it', async () => {
    slack.reset();
    const clock = manualClock();
    let version = 0;
    const render = async (): Promise<HomeView> => ({ type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `version ${++version}` } }] });
    const home = createHomePublisher({ client: new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } }), render, clock, log: pino({ level: 'silent' }), debounceMs: 2_000 });
    home.changed();
    await clock.advance(5_000);
    expect(slack.homeViews()).toEqual([]);

    await home.opened('U0ALICE');
    await home.opened('U0BOB');
    expect(slack.homeViews().map((view) => view.user)).toEqual(['U0ALICE', 'U0BOB']);
    for (let i = 0; i < 5; i++) home.changed();
    await clock.advance(1_999);
    expect(slack.homeViews()).toHaveLength(2);
    await clock.advance(1);
    await slack.waitFor(() => slack.homeViews().length === 4, { what: 'one publish each after the burst' });
    expect(slack.homeViews().slice(2).map((view) => [view.user, textOf({ blocks: view.view.blocks })])).toEqual([
      ['U0ALICE', 'version 3'],
      ['U0BOB', 'version 3'],
    ]);

    await home.refused('U0CAROL', ':no_entry: only the approvers may approve');
    expect(textOf({ blocks: slack.homeViews('U0CAROL')[0]!.view.blocks })).toBe(':no_entry: only the approvers may approve\nversion 4');
    await home.stop();
  });

  it('logs a publish Slack refuses and goes on with the next person', async () => {
    slack.reset();
    const clock = manualClock();
    const render = async (): Promise<HomeView> => ({ type: 'home', blocks: [] });
    const home = createHomePublisher({ client: new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } }), render, clock, log: pino({ level: 'silent' }) });
    slack.failNext('views.publish', { error: 'not_enabled' });
    await home.opened('U0ALICE');
    await home.opened('U0BOB');
    expect(slack.callsOf('views.publish').map((call) => [call.body.user_id, call.error ?? 'ok'])).toEqual([
      ['U0ALICE', 'not_enabled'],
      ['U0BOB', 'ok'],
    ]);
    await home.stop();
  });
});
