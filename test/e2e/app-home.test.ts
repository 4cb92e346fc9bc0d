import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf, type FakeHomeView } from '../support/fake-slack.js';
import { SIGNING_SECRET, startHarness, type Harness } from '../support/igor-harness.js';
import { appHomeOpenedEvent, pressHomeButton, sendEvent } from '../support/slack-requests.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const viewText = (home: FakeHomeView) => textOf({ blocks: home.view.blocks });

/** The newest Home tab published for `user` that `matches`. */
function homeOf(h: Harness, user: string, matches: (text: string) => boolean, what: string) {
  return h.slack.waitFor(() => h.slack.homeViews(user).findLast((home) => matches(viewText(home))), { what, timeoutMs: 20_000 });
}

describe('the App Home tab', () => {
  it('is published when opened and when things change: what is live, what waits (with its buttons), who by name, a lock; presses on it act and a refusal is told there', async () => {
    const h = (harness = await startHarness({ staging: { approval: { mode: 'required', approvers: ['@sre'], allowSelfApproval: false, expiresAfter: '30m' } } }));
    h.slack.setUserGroup({ id: 'S0SRE', handle: 'sre', name: 'Site reliability', users: ['U0BOB'] });
    h.slack.setUser({ id: 'U0ALICE', name: 'alice', real_name: 'Alice', display_name: 'Alice <b>&' });
    h.slack.setUser({ id: 'U0BOB', name: 'bob', display_name: 'Bob' });
    const slack = slackDriver(h);

    expect((await sendEvent(h.eventsUrl, SIGNING_SECRET, appHomeOpenedEvent('U0BOB'))).status).toBe(200);
    const first = await homeOf(h, 'U0BOB', (text) => text.includes('staging'), 'the Home tab of Bob');
    expect(first.view.type).toBe('home');
    expect(viewText(first)).toContain('nothing igor knows of');
    // The Messages tab publishes nothing.
    expect((await sendEvent(h.eventsUrl, SIGNING_SECRET, appHomeOpenedEvent('U0CAROL', 'messages'))).status).toBe(200);

    await slack.slash('main', 'U0ALICE');
    const waiting = await homeOf(h, 'U0BOB', (text) => text.includes('awaiting-approval'), 'the Home tab to show the deployment waiting');
    // Names are plain text, escaped: nobody's display name becomes markup.
    expect(viewText(waiting)).toContain('asked by Alice &lt;b&gt;&amp;');
    expect(buttonsOf({ blocks: waiting.view.blocks }).map((button) => [button.text, button.action_id, button.value])).toEqual([
      ['Approve', 'igor.approve', '1'],
      ['Reject', 'igor.reject', '1'],
      ['Cancel', 'igor.cancel', '1'],
    ]);

    // Carol is not in @sre: her press is refused, and her Home tab says why.
    expect((await pressHomeButton(h.eventsUrl, SIGNING_SECRET, { actionId: 'igor.approve', value: '1', userId: 'U0CAROL' })).status).toBe(200);
    const refused = await homeOf(h, 'U0CAROL', (text) => text.includes(':no_entry:'), 'the refusal on Carol\'s Home tab');
    expect(viewText(refused)).toContain('only the approvers of staging may approve (environments.staging.approval.approvers): `@sre`');
    expect(h.igor.pipeline.get('1')!.state).toBe('awaiting-approval');

    expect((await pressHomeButton(h.eventsUrl, SIGNING_SECRET, { actionId: 'igor.approve', value: '1', userId: 'U0BOB' })).status).toBe(200);
    const done = await slack.state('1', 'succeeded');
    const live = await homeOf(h, 'U0BOB', (text) => text.includes(`*Live:* ${done.release}`), 'the Home tab to show the release live');
    expect(viewText(live)).toContain(`\`${done.sha!.slice(0, 7)}\``);
    expect(viewText(live)).toContain('deployed by Alice &lt;b&gt;&amp;');
    expect(viewText(live)).toMatch(/\d+(\.\d)?s ago|\d+m/);
    expect(buttonsOf({ blocks: live.view.blocks }).map((button) => button.text)).not.toContain('Approve');

    await slack.slash('lock staging <!channel> schema migration', 'U0BOB');
    const locked = await homeOf(h, 'U0BOB', (text) => text.includes('*Locked*'), 'the Home tab to show the lock');
    expect(viewText(locked)).toContain(':lock: *Locked* by Bob');
    expect(viewText(locked)).toContain('&lt;!channel&gt; schema migration');
    expect(h.slack.homeViews('U0CAROL').every((home) => !viewText(home).includes('*Locked*'))).toBe(true);
  });

  it('refuses an app_home_opened event igor cannot read with a 400 naming the field', async () => {
    const h = (harness = await startHarness());
    const envelope = appHomeOpenedEvent('U0BOB');
    const event = envelope.event as Record<string, unknown>;
    delete event.user;
    const response = await sendEvent(h.eventsUrl, SIGNING_SECRET, envelope);
    expect(response.status).toBe(400);
    expect(response.json()).toEqual({ error: 'the app_home_opened event has no valid user' });
    expect(h.slack.homeViews()).toEqual([]);
  });
});
