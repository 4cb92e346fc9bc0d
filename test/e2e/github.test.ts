import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf } from '../support/fake-slack.js';
import { deliver, pingPayload, pushPayload, signGithubBody } from '../support/github-webhooks.js';
import { API_TOKEN, startHarness, type Harness, type HarnessOptions } from '../support/igor-harness.js';
import { commitFiles } from '../support/example-changes.js';
import { slackDriver } from './slack-driver.js';

const SECRET = 'e2e-webhook-secret';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(staging: Record<string, unknown> = {}, options: HarnessOptions = {}) {
  const h = (harness = await startHarness({ staging: { autoDeploy: { branch: 'main' }, ...staging }, github: { webhookSecret: SECRET }, ...options }));
  const webhooks = `${h.igor.url}/api/github/webhooks`;
  return {
    h,
    slack: slackDriver(h),
    push: (branch: string, after: string, pusher = 'ada') => deliver(webhooks, SECRET, 'push', pushPayload({ repo: h.repo, branch, after, pusher })),
    webhooks,
  };
}

describe('GitHub webhooks through the whole igor', () => {
  it('deploys a push to the autoDeploy branch to every host once its tests pass: the tested commit, asked by its pusher', async () => {
    const { h, slack, push } = await start();
    const response = await push('main', h.sha);
    expect(response.status).toBe(200);
    const done = await slack.state('1', 'succeeded');
    expect(done).toMatchObject({ ref: 'main', sha: h.sha, requestedBy: 'github:ada', approvedBy: 'policy', environment: 'staging' });
    for (const path of Object.values(h.hostPaths)) expect((await readFile(join(path, 'current', 'REVISION'), 'utf8')).trim()).toBe(h.sha);
    expect(h.igor.pipeline.list()).toHaveLength(1);
    // The push's test run vouches for the commit: the thread says so and shows its results.
    const root = h.slack.messages('C0STAGING').find((m) => m.text.includes(' to staging: '))!;
    const thread = await h.slack.waitFor(() => {
      const texts = h.slack.replies('C0STAGING', root.ts).map(textOf);
      return texts.some((text) => text.includes('is live on')) ? texts.join('\n') : undefined;
    }, { what: 'the closing reply' });
    expect(thread).toContain('Tests passed in test run 1 on this exact commit, under the same integration settings: not run again.');
    expect(thread).toMatch(/`unit` passed in \d/);
    const view = await fetch(`${h.igor.url}/api/deployments/1`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(await view.json()).toMatchObject({ testedIn: 'test run 1', steps: [{ name: 'unit', state: 'succeeded' }, { name: 'deploy' }, { name: 'verify' }] });
  });

  it('with required approval, stops at the approval request and touches no host', async () => {
    const { h, slack, push } = await start({ approval: { mode: 'required', approvers: ['U0BOB'] } });
    expect((await push('main', h.sha)).status).toBe(200);
    const request = await slack.approvalRequest('1');
    expect(textOf(request)).toContain(h.sha);
    expect(buttonsOf(request).map((b) => b.text)).toEqual(['Approve', 'Reject']);
    expect(h.igor.pipeline.get('1')).toMatchObject({ state: 'awaiting-approval', ref: 'main', sha: h.sha, requestedBy: 'github:ada' });
    for (const path of Object.values(h.hostPaths)) expect(existsSync(join(path, 'current'))).toBe(false);
  });

  it('tells a failing push in the deploys channel, deploys nothing, and its Retry button tests the commit again', async () => {
    const { h, slack, push } = await start();
    const broken = await commitFiles(h.repo, { 'lib/greeting.js': "exports.greeting = (name) => 'bye, ' + name;\n" }, 'Say bye');
    expect((await push('main', broken)).status).toBe(200);
    const failure = await h.slack.waitFor(() => h.slack.messages('C0DEPLOYS')[0], { what: 'the failure message', timeoutMs: 45_000 });
    expect(textOf(failure)).toContain('tests failed on `main`');
    expect(textOf(failure)).toContain('`unit` exited with code 1');
    expect(h.igor.pipeline.list()).toEqual([]);
    // A failure on the branch that deploys is also an alarm in the alerts channel.
    const alarm = await h.slack.waitFor(() => h.slack.messages('C0ALERTS').find((m) => textOf(m).includes('Tests fail on `main`')), { what: 'the CI alarm' });
    expect(textOf(alarm)).toContain("expected: 'hello, igor'");

    const pressed = await slack.press(failure, 'Retry', 'U0BOB');
    expect(pressed.status).toBe(200);
    const note = await h.slack.waitFor(() => h.slack.replies('C0DEPLOYS', failure.ts)[0], { what: 'the retry note' });
    expect(textOf(note)).toContain('<@U0BOB> retries this: test run 2');
    await h.slack.waitFor(() => h.slack.messages('C0DEPLOYS')[1], { what: 'the second failure', timeoutMs: 45_000 });
    expect(h.igor.pipeline.list()).toEqual([]);
  });

  it('shows test runs and their logs in the control API, and retries one as the button does', async () => {
    const { h, push } = await start();
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${h.igor.url}/api/ci/runs${path}`, { ...init, headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' } });
    const broken = await commitFiles(h.repo, { 'lib/greeting.js': "exports.greeting = (name) => 'bye, ' + name;\n" }, 'Say bye');
    await push('main', broken);
    await h.slack.waitFor(() => h.slack.messages('C0DEPLOYS')[0], { what: 'the failure message', timeoutMs: 45_000 });

    const listed = (await (await api('?branch=main')).json()) as { runs: Array<Record<string, unknown>> };
    expect(listed.runs).toHaveLength(1);
    expect(listed.runs[0]).toMatchObject({ id: '1', branch: 'main', sha: broken, state: 'failed', failedStep: 'unit', requestedBy: 'github:ada' });
    expect(await (await api('?branch=feature')).json()).toEqual({ runs: [] });
    const log = await api('/1/logs/unit');
    expect(log.headers.get('content-type')).toContain('text/plain');
    expect(await log.text()).toContain("expected: 'hello, igor'");
    expect(await (await api('/1/logs/deploy')).json()).toEqual({ error: 'test run 1 has no log of a step deploy' });
    expect((await api('/1/logs/..%2Fdb.json')).status).toBe(404);
    expect(await (await api('/9')).json()).toEqual({ error: 'there is no test run 9' });

    expect(await (await api('/1/retry', { method: 'POST', body: '{}' })).json()).toEqual({ error: 'user is required: the Slack user id of who acts' });
    expect((await api('/1/rerun', { method: 'POST', body: JSON.stringify({ user: 'U0BOB' }) })).status).toBe(404);
    const retried = await api('/1/retry', { method: 'POST', body: JSON.stringify({ user: 'U0BOB' }) });
    expect(retried.status).toBe(202);
    expect(await retried.json()).toMatchObject({ id: '2', run: { retryOf: '1', requestedBy: 'U0BOB', sha: broken } });
    const note = await h.slack.waitFor(() => h.slack.replies('C0DEPLOYS', h.slack.messages('C0DEPLOYS')[0]!.ts)[0], { what: 'the retry note' });
    expect(textOf(note)).toContain('<@U0BOB> retries this: test run 2');
    expect((await fetch(`${h.igor.url}/api/ci/runs`)).status).toBe(401);
  });

  it('never puts an older commit back live: a replayed push under a new delivery id is a duplicate, and a push that is not the branch tip deploys nothing', async () => {
    const { h, slack, webhooks } = await start();
    const first = pushPayload({ repo: h.repo, branch: 'main', after: h.sha, pusher: 'ada' });
    expect((await deliver(webhooks, SECRET, 'push', first)).status).toBe(200);
    await slack.state('1', 'succeeded');
    const newer = await commitFiles(h.repo, { 'NEWS.md': 'newer\n' }, 'Newer');
    expect((await deliver(webhooks, SECRET, 'push', pushPayload({ repo: h.repo, branch: 'main', after: newer, pusher: 'ada' }))).status).toBe(200);
    await slack.state('2', 'succeeded');

    // The captured first push, sent again with a fresh X-GitHub-Delivery (the id is not signed).
    const replay = await deliver(webhooks, SECRET, 'push', first);
    expect(replay.status).toBe(200);
    expect(h.igor.pipeline.list()).toHaveLength(2);
    expect(h.logs.some((line) => line.msg === 'ignored a delivery already acted on' && line.delivery === replay.delivery)).toBe(true);

    // A validly signed push naming the old commit that igor does not remember: tested, never deployed.
    const stale = pushPayload({ repo: h.repo, branch: 'main', after: h.sha, pusher: 'mallory', subject: 'Example app (again)' });
    expect((await deliver(webhooks, SECRET, 'push', stale)).status).toBe(200);
    await h.slack.waitFor(() => h.logs.find((line) => line.msg === 'auto-deploy skipped: not the branch as it is now'), { what: 'the stale push to be skipped' });
    expect(h.igor.pipeline.list()).toHaveLength(2);
    for (const path of Object.values(h.hostPaths)) expect((await readFile(join(path, 'current', 'REVISION'), 'utf8')).trim()).toBe(newer);
  });

  it('answers ping, and refuses a bad signature with 401 without asking for the API token', async () => {
    const { h, webhooks } = await start();
    expect((await deliver(webhooks, SECRET, 'ping', pingPayload(h.repo))).status).toBe(200);
    const payload = pushPayload({ repo: h.repo, branch: 'main', after: h.sha });
    const forged = await deliver(webhooks, SECRET, 'push', payload, { signature: signGithubBody('wrong', JSON.stringify(payload)) });
    expect(forged.status).toBe(401);
    expect(forged.json().error).toMatch(/GITHUB_WEBHOOK_SECRET/);
    expect(h.igor.pipeline.list()).toEqual([]);
  });

  it('refuses every delivery with 503 when GITHUB_WEBHOOK_SECRET is not set', async () => {
    const h = (harness = await startHarness({ staging: { autoDeploy: { branch: 'main' } } }));
    const response = await deliver(`${h.igor.url}/api/github/webhooks`, 'anything', 'push', pushPayload({ repo: h.repo, branch: 'main', after: h.sha }));
    expect(response.status).toBe(503);
    expect(response.json().error).toMatch(/GITHUB_WEBHOOK_SECRET/);
  });
});
