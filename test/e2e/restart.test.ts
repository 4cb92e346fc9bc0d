import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFiles } from '../../src/example/repository.js';
import { buttonsOf, textOf } from '../support/fake-slack.js';
import { prepareHarness, SIGNING_SECRET, type Prepared } from '../support/igor-harness.js';
import { deliver, pushPayload } from '../support/github-webhooks.js';
import { startIgorProcess } from '../support/igor-process.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { until } from '../support/until.js';

let prepared: Prepared | undefined;
afterEach(async () => {
  await prepared?.close();
  prepared = undefined;
});

type View = { state: string; reason: string | null; hosts: Array<{ state: string }> };

describe('surviving kill -9 and restarts', () => {
  it('marks a deployment that waited for approval interrupted, frees the lock, and offers Retry', async () => {
    const p = (prepared = await prepareHarness({ staging: { approval: { mode: 'required', approvers: ['U0BOB'] } } }));
    const first = await startIgorProcess(p);
    await sendSlashCommand(`${first.url}/slack/events`, SIGNING_SECRET, { text: 'main', userId: 'U0ALICE', responseUrl: p.slack.responseUrl() });
    // On disk, not only in memory (which the API shows while the write is under way): only what was written survives kill -9.
    await until('awaiting-approval on disk', async () => {
      const stored = JSON.parse(await readFile(join(p.dataDir, 'db.json'), 'utf8').catch(() => '{}')) as { deployments?: Array<{ id: string; state: string }> };
      return stored.deployments?.find((deployment) => deployment.id === '1')?.state === 'awaiting-approval' ? true : undefined;
    });
    first.child.kill('SIGKILL');
    await first.child;

    const second = await startIgorProcess(p);
    const view = (await second.api<View>('/api/deployments/1')).body;
    expect(view.state).toBe('interrupted');
    expect(view.reason).toContain('awaiting-approval');
    const root = await p.slack.waitFor(() => p.slack.messages('C0STAGING').find((m) => m.text.endsWith(': interrupted')), { what: 'the root message to say interrupted' });
    const notice = await p.slack.waitFor(() => p.slack.replies('C0STAGING', root.ts).find((m) => textOf(m).includes('Deployment 1 interrupted')), { what: 'the notice' });
    expect(buttonsOf(notice).map((b) => b.text)).toEqual(['Retry']);
    const again = await second.api<{ id: string }>('/api/deployments', { body: { ref: 'main', user: 'U0ALICE' } });
    expect(again.status).toBe(202);
  });

  it('keeps the queue across kill -9: a queued deploy starts once the restarted igor frees the environment', async () => {
    const p = (prepared = await prepareHarness({ staging: { approval: { mode: 'required', approvers: ['U0BOB'] } } }));
    const first = await startIgorProcess(p);
    await sendSlashCommand(`${first.url}/slack/events`, SIGNING_SECRET, { text: 'main', userId: 'U0ALICE', responseUrl: p.slack.responseUrl() });
    await until('deployment 1 awaiting approval', async () => ((await first.api<View>('/api/deployments/1')).body.state === 'awaiting-approval' ? true : undefined));
    const queued = await first.api<{ id: string; deployment: { state: string } }>('/api/deployments', { body: { ref: 'main', user: 'U0ALICE', queue: true } });
    expect(queued.body).toMatchObject({ id: '2', deployment: { state: 'queued' } });
    await until('the queued deployment on disk', async () => {
      const stored = JSON.parse(await readFile(join(p.dataDir, 'db.json'), 'utf8').catch(() => '{}')) as { deployments?: Array<{ id: string; state: string }> };
      return stored.deployments?.find((deployment) => deployment.id === '2')?.state === 'queued' ? true : undefined;
    });
    first.child.kill('SIGKILL');
    await first.child;

    const second = await startIgorProcess(p);
    expect((await second.api<View>('/api/deployments/1')).body.state).toBe('interrupted');
    // Its turn came with the restart: tested, and now waiting for Bob like any other.
    const started = await until('deployment 2 to start and ask for approval', async () => {
      const view = (await second.api<View & { sha: string | null; waiting: unknown }>('/api/deployments/2')).body;
      return view.state === 'awaiting-approval' ? view : undefined;
    });
    expect(started).toMatchObject({ sha: p.sha, waiting: null });
  });

  it('marks a deployment killed mid-rollout interrupted and accepts a new one', async () => {
    const p = (prepared = await prepareHarness({ staging: { steps: ['touch "$IGOR_PATH/shared/step-started"; sleep 5'] } }));
    const first = await startIgorProcess(p);
    await first.api('/api/deployments', { body: { ref: 'main', user: 'U0ALICE' } });
    await until('deploying', async () => ((await first.api<View>('/api/deployments/1')).body.state === 'deploying' ? true : undefined));
    first.child.kill('SIGKILL');
    await first.child;

    const second = await startIgorProcess(p);
    expect((await second.api<View>('/api/deployments/1')).body.state).toBe('interrupted');
    const next = await second.api<{ id: string }>('/api/deployments', { body: { ref: 'main', user: 'U0ALICE' } });
    expect(next).toMatchObject({ status: 202, body: { id: '2' } });
  });

  it('gets the alarm of a failed deployment to Slack once Slack answers again, also across a restart', async () => {
    const p = (prepared = await prepareHarness({ integration: { steps: [{ name: 'unit', run: 'echo broken; exit 1' }] } }));
    p.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1, times: 2 });
    p.slack.failNext('chat.postMessage', { status: 500, times: 100_000 });
    const first = await startIgorProcess(p);
    await first.api('/api/deployments', { body: { ref: 'main', user: 'U0ALICE' } });
    type AlarmView = { key: string; message: unknown; summary: string };
    // On disk, not only in igor's memory (which the API shows, a write ahead of the file): kill -9
    // comes next, and only what was written survives it.
    const pending = await until('the alarm to be stored, unposted', async () => {
      const stored = JSON.parse(await readFile(join(p.dataDir, 'db.json'), 'utf8').catch(() => '{}')) as { alarms?: AlarmView[]; outbox?: { items: Array<{ key: string | null }> } };
      const alarm = stored.alarms?.find((entry) => entry.key === 'deployment:1' && entry.message === null);
      return alarm && stored.outbox?.items.some((item) => item.key?.startsWith('alarm:')) ? alarm : undefined;
    });
    expect(pending.summary).toContain('Deployment 1 of `main` to staging failed');
    first.child.kill('SIGKILL');
    await first.child;

    const second = await startIgorProcess(p);
    await new Promise((resolve) => setTimeout(resolve, 500));
    p.slack.clearFailures();
    const posted = await p.slack.waitFor(() => p.slack.messages('C0ALERTS').find((m) => textOf(m).includes('Deployment 1 of `main` to staging failed')), {
      what: 'the alarm, once Slack answers',
      timeoutMs: 20_000,
    });
    expect(textOf(posted)).toContain('the unit step exited with code 1');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(p.slack.messages('C0ALERTS').filter((m) => textOf(m).includes('Deployment 1 of'))).toHaveLength(1);
    expect((await second.api<{ alarms: AlarmView[] }>('/api/alarms')).body.alarms[0]!.message).not.toBeNull();
  });

  it('raises at start the alarm of a deployment that failed just before kill -9 took igor before the alarm was saved', async () => {
    const p = (prepared = await prepareHarness({ integration: { steps: [{ name: 'unit', run: 'echo broken; exit 1' }] } }));
    p.slack.failNext('chat.postMessage', { status: 500, times: 100_000 });
    const first = await startIgorProcess(p);
    await first.api('/api/deployments', { body: { ref: 'main', user: 'U0ALICE' } });
    type Stored = { alarms: Array<{ key: string }>; outbox: { items: Array<{ key: string | null }> } };
    const file = join(p.dataDir, 'db.json');
    await until('the alarm to be stored', async () => ((JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as Partial<Stored>).alarms?.length ? true : undefined));
    first.child.kill('SIGKILL');
    await first.child;
    // The store as a kill between the deployment's last write and its alarm's leaves it: the
    // deployment failed, and no alarm or message about one anywhere.
    const stored = JSON.parse(await readFile(file, 'utf8')) as Stored;
    stored.alarms = [];
    stored.outbox.items = stored.outbox.items.filter((item) => !item.key?.startsWith('alarm:'));
    await writeFile(file, JSON.stringify(stored));

    p.slack.clearFailures();
    const second = await startIgorProcess(p);
    expect((await second.api<View>('/api/deployments/1')).body.state).toBe('failed');
    const posted = await p.slack.waitFor(() => p.slack.messages('C0ALERTS').find((m) => textOf(m).includes('Deployment 1 of `main` to staging failed')), { what: 'the alarm raised at start' });
    expect(textOf(posted)).toContain('the unit step exited with code 1');
    expect(second.output()).toContain('raised the alarms of deployments that finished while igor was being stopped');
  });

  it("reads a store of the igor that kept locks per bare environment name: a person's lock still holds, and lifts", async () => {
    const p = (prepared = await prepareHarness());
    await import('node:fs/promises').then((fs) => fs.mkdir(p.dataDir, { recursive: true }));
    const since = '2026-12-01T10:00:00.000Z';
    await writeFile(join(p.dataDir, 'db.json'), JSON.stringify({ version: 1, manualLocks: { staging: { environment: 'staging', user: 'U0BOB', reason: 'database migration', since } }, badReleases: {} }));
    const igor = await startIgorProcess(p);
    const refused = await igor.api<{ error: string }>('/api/deployments', { body: { ref: 'main', user: 'U0ALICE' } });
    expect(refused).toMatchObject({ status: 409, body: { error: expect.stringMatching(/staging is locked by U0BOB .*: database migration/) } });
    expect(JSON.parse(await readFile(join(p.dataDir, 'db.json'), 'utf8')).manualLocks).toEqual({ 'shop/staging': { environment: 'staging', user: 'U0BOB', reason: 'database migration', since } });
    expect((await igor.api('/api/environments/staging/unlock', { body: { user: 'U0BOB' } })).status).toBe(200);
    expect((await igor.api('/api/deployments', { body: { ref: 'main', user: 'U0ALICE' } })).status).toBe(202);
  });

  it('moves a corrupt store aside and starts anyway', async () => {
    const p = (prepared = await prepareHarness());
    await import('node:fs/promises').then((fs) => fs.mkdir(p.dataDir, { recursive: true }));
    await writeFile(join(p.dataDir, 'db.json'), '{"version":1,"deployments":[{"id":"1"');
    const igor = await startIgorProcess(p);
    expect((await igor.api<{ deployments: unknown[] }>('/api/deployments')).body.deployments).toEqual([]);
    expect(igor.output()).toContain('moved it aside');
  });

  it('deploys the tested commit that waited for a busy environment after a graceful restart', async () => {
    const secret = 'test-webhook-secret';
    const p = (prepared = await prepareHarness({ staging: { autoDeploy: { branch: 'main' }, approval: { mode: 'required', approvers: ['U0BOB'] } } }));
    const first = await startIgorProcess(p, { GITHUB_WEBHOOK_SECRET: secret });
    const push = (igor: { url: string }, after: string) => deliver(`${igor.url}/api/github/webhooks`, secret, 'push', pushPayload({ repo: p.repo, branch: 'main', after, pusher: 'ada' }));
    await push(first, p.sha);
    await until('deployment 1 to wait for approval', async () => ((await first.api<View>('/api/deployments/1')).body.state === 'awaiting-approval' ? true : undefined));
    await writeFiles(p.repo, { 'b.txt': 'b\n' });
    const git = simpleGit(p.repo);
    await git.add('.');
    await git.commit('B');
    const b = (await git.revparse(['HEAD'])).trim();
    await push(first, b);
    await until('b to wait for staging', async () => (first.output().includes('the tested commit waits for it') ? true : undefined));
    // A graceful stop (a service restart): deployment 1 is interrupted while igor shuts down.
    first.child.kill('SIGTERM');
    await first.child;

    const second = await startIgorProcess(p, { GITHUB_WEBHOOK_SECRET: secret });
    expect((await second.api<View>('/api/deployments/1')).body.state).toBe('interrupted');
    type Requested = View & { sha: string; ref: string; requestedBy: string };
    const next = await until('b to be requested', async () => {
      const view = await second.api<Requested>('/api/deployments/2');
      return view.status === 200 && view.body.state === 'awaiting-approval' ? view.body : undefined;
    });
    expect(next).toMatchObject({ sha: b, ref: 'main', requestedBy: 'github:ada' });
  });
});
