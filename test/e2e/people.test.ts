import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf } from '../support/fake-slack.js';
import { startHarness, type Harness } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('people by name and approvers by Slack user group', () => {
  it('lets a member of @sre approve, refuses a non-member naming the group, and names people in the notification text', async () => {
    const h = (harness = await startHarness({ staging: { approval: { mode: 'required', approvers: ['@sre'], allowSelfApproval: false, expiresAfter: '30m' } } }));
    h.slack.setUserGroup({ id: 'S0SRE', handle: 'sre', name: 'Site reliability', users: ['U0BOB', 'U0DAN'] });
    h.slack.setUserGroup({ id: 'S0DBA', handle: 'dba', name: 'Databases', users: ['U0CAROL'] });
    h.slack.setUser({ id: 'U0BOB', name: 'bob', real_name: 'Bob Builder', display_name: 'Bob' });
    const slack = slackDriver(h);
    await slack.slash('main', 'U0ALICE');
    const request = await slack.approvalRequest('1');
    // People are told the group while it waits: its handle, not its members.
    await h.slack.waitFor(() => textOf(slack.root('1')).includes('approval needed from `@sre`'), { what: 'the root to name @sre' });

    await slack.press(request, 'Approve', 'U0CAROL');
    expect(textOf(await slack.ephemeralFor('U0CAROL'))).toContain('only the approvers of staging may approve (environments.staging.approval.approvers): `@sre`');
    expect(h.igor.pipeline.get('1')!.state).toBe('awaiting-approval');
    // The handle was looked up once, then the group's members.
    expect(h.slack.callsOf('usergroups.list')).toHaveLength(1);
    expect(h.slack.callsOf('usergroups.users.list').map((call) => call.body.usergroup)).toEqual(['S0SRE']);

    await slack.press(request, 'Approve', 'U0BOB');
    const done = await slack.state('1', 'succeeded');
    expect(done.approvedBy).toBe('U0BOB');
    const decided = await h.slack.waitFor(() => {
      const message = h.slack.message(request.channel, request.ts);
      return message && !buttonsOf(message).length && message;
    }, { what: 'the approval request to say who approved' });
    // The blocks mention Bob (Slack renders the name); the notification text is plain text, with his name.
    expect(JSON.stringify(decided.blocks)).toContain('approved by <@U0BOB>');
    expect(decided.text).toContain('approved by @Bob');
    expect(decided.text).not.toContain('<@U0BOB>');
    expect(h.slack.callsOf('users.info').map((call) => call.body.user)).toContain('U0BOB');
  });

  it('shows the id where users.info fails, and never asks Slack about a user group the rules do not name', async () => {
    const h = (harness = await startHarness({ staging: { deployers: ['U0ALICE'], approval: { mode: 'required', approvers: ['U0BOB'], expiresAfter: '30m' } } }));
    const slack = slackDriver(h);
    await slack.slash('main', 'U0ALICE');
    const request = await slack.approvalRequest('1');
    await slack.press(request, 'Approve', 'U0BOB');
    await slack.state('1', 'succeeded');
    const decided = await h.slack.waitFor(() => {
      const message = h.slack.message(request.channel, request.ts);
      return message && !buttonsOf(message).length && message;
    }, { what: 'the approval request to say who approved' });
    expect(decided.text).toContain('approved by @U0BOB');
    expect(h.slack.callsOf('users.info').every((call) => call.error === 'user_not_found')).toBe(true);
    expect(h.slack.callsOf('usergroups.list')).toEqual([]);
  });
});
