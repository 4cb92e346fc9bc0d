import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxData } from '../../src/chat/outbox/model.js';
import { textOf, type FailureOptions } from '../support/fake-slack.js';
import { APP_PORT, prepareHarness, SIGNING_SECRET, startHarness, startIgor, type Harness, type Prepared } from '../support/igor-harness.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { commitFiles, FAILS_ON_ONE_HOST } from '../support/example-changes.js';
import { slackDriver } from './slack-driver.js';
import { until } from '../support/until.js';

let parts: Prepared | undefined;
afterEach(async () => {
  parts?.slack.endOutage();
  await parts?.close();
  parts = undefined;
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the outbox holds, read from the store file as a restarted igor would. */
async function stored(dataDir: string): Promise<OutboxData['outbox']> {
  return (JSON.parse(await readFile(join(dataDir, 'db.json'), 'utf8')) as OutboxData).outbox;
}

async function finished(h: Harness, id: string) {
  return h.slack.waitFor(() => (h.igor.pipeline.get(id)?.finishedAt ? h.igor.pipeline.get(id) : undefined), { what: `deployment ${id} to end`, timeoutMs: 90_000 });
}

describe('the outbox: the whole story after Slack was down', () => {
  it.each<[string, FailureOptions]>([
    ['500', { status: 500 }],
    ['429 with Retry-After: 1', { status: 429, retryAfter: 1 }],
  ])('tells a rolled-back deployment whole and in order, and its alarm, after every chat call answered %s', async (_name, failure) => {
    const h = await startHarness({ hosts: 2 });
    parts = h;
    const slack = slackDriver(h);
    await slack.slash('main', 'U0ALICE');
    expect((await finished(h, '1')).state).toBe('succeeded');

    const failHost = h.fleet.hosts.find((host) => host.name === 'web-2')!.host;
    h.igor.config.environments.staging!.restart = `APP_PORT=${APP_PORT} FAIL_HOST=${failHost} bash scripts/restart.sh`;
    h.igor.config.environments.staging!.health!.retries = 30;
    await commitFiles(h.repo, { 'server.js': FAILS_ON_ONE_HOST }, 'Fails on web-2');

    h.slack.outage(failure);
    const outageStart = Date.now();
    expect(await (await slack.slash('main', 'U0ALICE')).answer()).toContain('Deployment 2');
    const second = await finished(h, '2');
    expect(second.state).toBe('rolled-back');
    await pause(Math.max(0, 5_000 - (Date.now() - outageStart)));

    // Nothing of deployment 2 reached Slack; the outbox holds its story, the root already in its final state.
    expect(slack.root('2')).toBeUndefined();
    const failedCalls = h.slack.callsOf().filter((call) => call.method.startsWith('chat.') && call.at >= outageStart && call.status === failure.status);
    expect(failedCalls.length).toBeGreaterThan(0);
    // The root's latest content: folded into its post, or (when the post was in flight meanwhile) one update of it.
    // Root updates are throttled to one a second, so the final one may still be on its way to the store.
    const latestRoot = (items: OutboxData['outbox']['items']) => items.filter((item) => item.lane === 'deployment:2' && (item.op === 'post' || (item.op === 'update' && item.target === 'deployment:2'))).at(-1);
    for (let attempt = 0; attempt < 50 && !/: rolled-back$/.test(latestRoot((await stored(h.dataDir)).items)?.message.text ?? ''); attempt++) await pause(100);
    const waiting = (await stored(h.dataDir)).items.filter((item) => item.lane === 'deployment:2');
    expect(latestRoot(waiting)?.message.text).toMatch(/: rolled-back$/);
    expect(waiting.filter((item) => item.op === 'update' && item.target === 'deployment:2').length).toBeLessThanOrEqual(1);
    const replies = waiting.filter((item) => item.op === 'reply').map((item) => item.message.text);
    expect(replies.at(-1)).toContain('Deployment 2 rolled-back');

    h.slack.endOutage();
    // A post that was in flight during the outage lands with the text it had, then its one update.
    const posted = await h.slack.waitFor(() => {
      const root = slack.root('2');
      return root && /: rolled-back$/.test(root.text) ? root : undefined;
    }, { what: 'the root message of deployment 2, rolled-back', timeoutMs: 40_000 });
    const thread = await h.slack.waitFor(() => (slack.thread('2').length === replies.length ? slack.thread('2') : undefined), { what: 'every reply of deployment 2', timeoutMs: 30_000 });
    expect(thread.map((message) => message.text)).toEqual(replies);
    expect(thread.map(textOf).join('\n')).toContain('Rolled back: web-1, web-2.');
    await h.slack.waitFor(() => h.slack.messages('C0ALERTS').find((message) => textOf(message).includes('Deployment 2 of `main` to staging was rolled back')), { what: 'the alarm' });
    await h.slack.waitFor(() => (h.igor.pipeline.get('2')?.thread ? true : undefined), { what: 'the root ref kept on the deployment' });
    expect(h.igor.pipeline.get('2')!.thread).toEqual({ channel: posted.channel, ts: posted.ts });
    expect(h.logs.some((line) => line.msg === 'could not tell the chat about a deployment')).toBe(false);
  });

  it('keeps what it could not send across a stop, and sends it after a start with the same data dir', async () => {
    const p = (parts = await prepareHarness({ hosts: 1 }));
    const first = await startIgor(p);
    p.slack.outage({ status: 500 });
    await sendSlashCommand(`${first.igor.url}/slack/events`, SIGNING_SECRET, { text: 'main', userId: 'U0ALICE', responseUrl: p.slack.responseUrl(), channelId: 'C0DEPLOYS' });
    await p.slack.waitFor(() => (first.igor.pipeline.get('1')?.state === 'succeeded' ? true : undefined), { what: 'deployment 1 to succeed', timeoutMs: 90_000 });
    await first.igor.stop();
    const left = (await stored(p.dataDir)).items;
    expect(left.filter((item) => item.lane === 'deployment:1').map((item) => item.op)[0]).toBe('post');
    const replies = left.filter((item) => item.lane === 'deployment:1' && item.op === 'reply').map((item) => item.message.text);
    expect(replies.at(-1)).toContain('is live on 1 host(s) of staging');
    expect(p.slack.messages()).toEqual([]);

    p.slack.endOutage();
    const second = await startIgor(p);
    const root = await p.slack.waitFor(() => p.slack.messages('C0STAGING').find((message) => message.text.endsWith(': succeeded')), { what: 'the root message after the restart', timeoutMs: 30_000 });
    const thread = await p.slack.waitFor(() => (p.slack.replies('C0STAGING', root.ts).length === replies.length ? p.slack.replies('C0STAGING', root.ts) : undefined), { what: 'every reply after the restart' });
    expect(thread.map((message) => message.text)).toEqual(replies);
    expect(p.slack.messages('C0STAGING')).toHaveLength(1);
    await p.slack.waitFor(() => (second.igor.pipeline.get('1')?.thread?.ts === root.ts ? true : undefined), { what: 'the root ref kept on the deployment' });
    // The last send is written to the file a moment after Slack has it.
    await until('the outbox file to be empty', async () => ((await stored(p.dataDir)).items.length === 0 ? true : undefined));
    expect((await stored(p.dataDir)).items).toEqual([]);
  });
});
