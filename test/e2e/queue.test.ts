import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf, type FakeButton } from '../support/fake-slack.js';
import { SIGNING_SECRET, startHarness, type Harness, type HarnessOptions } from '../support/igor-harness.js';
import { pressButton, submitView } from '../support/slack-requests.js';
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

describe('Deploy anyway', () => {
  /** Frozen for an hour; U0CAROL approves, though approval itself is by policy. */
  const frozen = (): HarnessOptions => ({
    staging: {
      approval: { mode: 'auto', approvers: ['U0CAROL'] },
      freeze: [{ from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString(), reason: 'launch week' }],
    },
  });

  it('asks an approver why in a modal, starts the deployment at once, audits it and tells the alerts channel; a non-approver is refused, naming who may', async () => {
    const { h, slack } = await start(frozen());
    await slack.slash('main', 'U0ALICE');
    const root = await h.slack.waitFor(() => (buttonsOf(slack.root('1')).some((button) => button.text === 'Deploy anyway') ? slack.root('1') : undefined), { what: 'Deploy anyway on the root' });
    expect(textOf(root)).toMatch(/staging is frozen until <!date.*\(launch week\)/);

    const modalFor = async (userId: string) => {
      const opened = h.slack.callsOf('views.open').length;
      await slack.press(root, 'Deploy anyway', userId);
      const call = await h.slack.waitFor(() => h.slack.callsOf('views.open')[opened], { what: `the modal for ${userId}` });
      const raw = call.body.view;
      const view = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { callback_id: string; private_metadata: string; blocks: Array<{ block_id?: string }> };
      expect(view.blocks.map((block) => block.block_id)).toContain('reason');
      return (reason: string) =>
        submitView(h.eventsUrl, SIGNING_SECRET, { userId, callbackId: view.callback_id, privateMetadata: view.private_metadata, values: { reason: { reason: { type: 'plain_text_input', value: reason } } } });
    };

    const bob = await modalFor('U0BOB');
    expect((await bob('the fix cannot wait')).status).toBe(200);
    expect(textOf(await slack.ephemeralFor('U0BOB'))).toMatch(/only the approvers of staging may deploy during its freeze \(environments\.staging\.approval\.approvers\): <@U0CAROL>/);
    expect(h.igor.pipeline.get('1')!.state).toBe('queued');

    const carol = await modalFor('U0CAROL');
    const empty = await carol('   ');
    expect(empty.json()).toMatchObject({ response_action: 'errors', errors: { reason: expect.stringMatching(/Say why/) } });
    expect((await carol('checkout is down for every customer')).status).toBe(200);
    const done = await slack.state('1', 'succeeded');
    expect(done.audit).toMatchObject([
      { action: 'deploy-anyway', user: 'U0BOB', outcome: 'refused' },
      { action: 'deploy-anyway', user: 'U0CAROL', outcome: 'done', detail: 'checkout is down for every customer' },
    ]);
    const alert = await h.slack.waitFor(() => h.slack.messages('C0ALERTS').find((message) => textOf(message).includes('Freeze broken')), { what: 'the announcement in the alerts channel' });
    expect(textOf(alert)).toMatch(/<@U0CAROL> deploys `main` to shop\/staging anyway, during the freeze until .*\(launch week\).*Reason: checkout is down for every customer/);
  });

  it('breaks a freeze with --break-glass and through the API, for approvers only', async () => {
    const { h, slack } = await start(frozen());
    expect(await (await slack.slash('main --break-glass "hotfix"', 'U0BOB')).answer()).toMatch(/only the approvers of staging may deploy during its freeze/);
    expect(h.igor.pipeline.list()).toHaveLength(0);
    expect(await (await slack.slash('main --break-glass', 'U0CAROL')).answer()).toMatch(/needs a reason/);

    expect(await (await slack.slash('main', 'U0ALICE')).answer()).toMatch(/is queued: staging is frozen/);
    const post = async (body: unknown) => {
      const response = await fetch(`${h.igor.url}/api/deployments/1/deploy-anyway`, { method: 'POST', headers: { authorization: 'Bearer test-api-token', 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await post({ user: 'U0BOB', reason: 'hotfix' })).toMatchObject({ status: 403, body: { error: expect.stringMatching(/only the approvers of staging/) } });
    expect(await post({ user: 'U0CAROL' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/a reason is required/) } });
    expect(await post({ user: 'U0CAROL', reason: 42 })).toMatchObject({ status: 400 });
    expect(await post({ user: 'U0CAROL', reason: 'hotfix' })).toMatchObject({ status: 200 });
    await slack.state('1', 'succeeded');

    expect(await (await slack.slash('main to staging --break-glass "second hotfix"', 'U0CAROL')).answer()).toMatch(/Deployment 2 of `main` to staging starts despite the freeze/);
    await slack.state('2', 'succeeded');
  });
});
