import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf, type FakeButton } from '../support/fake-slack.js';
import { SIGNING_SECRET, startHarness, type Harness, type HarnessOptions } from '../support/igor-harness.js';
import { pressButton } from '../support/slack-requests.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Every deployment waits for U0CAROL's approval, so the first one holds staging while others queue. */
const HELD: HarnessOptions = { staging: { approval: { mode: 'required', approvers: ['U0CAROL'] } } };

async function start(options: HarnessOptions = HELD) {
  const h = (harness = await startHarness(options));
  return { h, slack: slackDriver(h) };
}

describe('the queue, through Slack', () => {
  it('offers Queue on a busy refusal; two queued deploys run in order, and Cancel takes one out of line', async () => {
    const { h, slack } = await start();
    await slack.slash('main', 'U0ALICE');
    await slack.approvalRequest('1');

    // The refusal names who holds staging, and carries the Queue button; nothing was created.
    const refused = await slack.slash('main', 'U0BOB');
    expect(await refused.answer()).toMatch(/staging is busy: <@U0ALICE> is deploying `main` \(deployment 1\)/);
    const answer = h.slack.responses.at(-1)!.body as { blocks: Array<{ type: string; elements?: FakeButton[] }> };
    const queue = answer.blocks.flatMap((block) => block.elements ?? []).find((element) => (element as unknown as { text: { text: string } }).text.text === 'Queue') as unknown as { action_id: string; value: string };
    expect(queue.action_id).toBe('igor.queue');
    expect(h.igor.pipeline.list()).toHaveLength(1);

    const pressQueue = (userId: string) =>
      pressButton(h.eventsUrl, SIGNING_SECRET, { actionId: queue.action_id, value: queue.value, userId, channelId: 'C0DEPLOYS', messageTs: '1.000001', responseUrl: h.slack.responseUrl(), text: 'Queue' });
    await pressQueue('U0BOB');
    expect(textOf(await slack.ephemeralFor('U0BOB'))).toMatch(/Deployment 2 of `main` to staging is queued, number 1 in line/);
    await pressQueue('U0DAVE');
    expect(textOf(await slack.ephemeralFor('U0DAVE'))).toMatch(/Deployment 3 of `main` to staging is queued, number 2 in line/);
    expect(h.igor.pipeline.get('2')).toMatchObject({ state: 'queued', requestedBy: 'U0BOB', sha: null });

    // Each queued deployment's thread says where it is in line; its root message offers Cancel.
    await h.slack.waitFor(() => slack.thread('3').find((message) => textOf(message).includes('number 2 in line')), { what: 'the position of 3 in its thread' });
    const second = await h.slack.waitFor(() => slack.root('2'), { what: 'the root message of 2' });
    expect(textOf(second)).toContain('number 1 in line');
    await slack.press(second, 'Cancel', 'U0BOB');
    await slack.state('2', 'cancelled');
    await h.slack.waitFor(() => (textOf(slack.root('3')).includes('number 1 in line') ? true : undefined), { what: 'deployment 3 to move up' });

    await slack.press(await slack.approvalRequest('1'), 'Approve', 'U0CAROL');
    const first = await slack.state('1', 'succeeded');
    await slack.press(await slack.approvalRequest('3'), 'Approve', 'U0CAROL');
    const third = await slack.state('3', 'succeeded');
    expect(Date.parse(third.startedAt!)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt!));
    expect(third.sha).toBe(h.sha);
    // The cancelled one ran nothing.
    expect(h.igor.pipeline.get('2')!.steps.map((step) => step.state)).toEqual(['skipped', 'skipped', 'skipped']);
    await h.slack.waitFor(() => (buttonsOf(slack.root('3')).some((button) => button.text === 'Rollback') ? true : undefined), { what: 'the root of 3 to show it finished' });
    expect(textOf(slack.root('3'))).toContain(`(${h.sha.slice(0, 7)})`);
  });

  it('queues through the control API with queue: true', async () => {
    const { h, slack } = await start();
    await slack.slash('main', 'U0ALICE');
    await slack.approvalRequest('1');
    const post = async (body: unknown) => {
      const response = await fetch(`${h.igor.url}/api/deployments`, { method: 'POST', headers: { authorization: 'Bearer test-api-token', 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await post({ ref: 'main', user: 'U0BOB' })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/staging is busy/) } });
    expect(await post({ ref: 'main', user: 'U0BOB', queue: 'yes' })).toMatchObject({ status: 400, body: { error: 'queue must be true or false' } });
    expect(await post({ ref: 'main', user: 'U0BOB', queue: true })).toMatchObject({ status: 202, body: { id: '2', deployment: { state: 'queued', frozenUntil: null, waiting: { frozenUntil: null } } } });
  });
});

describe('a freeze window, through Slack', () => {
  it('queues a deploy during a short window, says so, and starts it when the window closes', async () => {
    const to = new Date(Date.now() + 12_000).toISOString();
    const { h, slack } = await start({ staging: { freeze: [{ from: new Date(Date.now() - 60_000).toISOString(), to, reason: 'demo on staging' }] } });
    const answer = await (await slack.slash('main', 'U0ALICE')).answer();
    expect(answer).toMatch(/Deployment 1 of `main` to staging is queued: staging is frozen until <!date\^\d+\^.*\(demo on staging\)/);
    const queued = h.igor.pipeline.get('1')!;
    expect(queued).toMatchObject({ state: 'queued', waiting: { frozenUntil: new Date(to).toISOString(), freezeReason: 'demo on staging' } });
    expect(textOf(await h.slack.waitFor(() => slack.thread('1').find((message) => textOf(message).includes('is frozen until')), { what: 'the freeze in the thread' }))).toContain('demo on staging');
    expect(await (await slack.slash('status staging', 'U0BOB')).answer()).toMatch(/frozen until .*\(demo on staging\): deploys are queued/);

    const done = await slack.state('1', 'succeeded');
    expect(Date.parse(done.startedAt!)).toBeGreaterThanOrEqual(Date.parse(to));
    expect(done.steps.find((step) => step.name === 'unit')!.startedAt! >= new Date(to).toISOString()).toBe(true);
  });
});
