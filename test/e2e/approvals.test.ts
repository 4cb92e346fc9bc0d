import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf } from '../support/fake-slack.js';
import { startHarness, type Harness, type HarnessOptions } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const REQUIRED: HarnessOptions = {
  staging: { deployers: ['U0ALICE', 'U0BOB', 'U0CAROL'], approval: { mode: 'required', approvers: ['U0ALICE', 'U0BOB'], allowSelfApproval: false, expiresAfter: '30m' } },
};

/** Gone, or a zombie waiting for this machine's PID 1 to reap it: either way no longer running. */
async function gone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function start(options: HarnessOptions = REQUIRED) {
  const h = (harness = await startHarness(options));
  return { h, slack: slackDriver(h) };
}

describe('approvals', () => {
  it('asks for approval with the plan and buttons, and deploys once an approver approves', async () => {
    const { h, slack } = await start();
    await slack.slash('main', 'U0ALICE');
    const request = await slack.approvalRequest('1');
    const text = textOf(request);
    expect(text).toContain(h.sha);
    expect(text).toContain('web-1, web-2');
    expect(text).toContain('all hosts, 10 at a time');
    expect(text).toMatch(/unit \d+/);
    expect(text).toContain('Example app');
    expect(buttonsOf(request).map((b) => b.text)).toEqual(['Approve', 'Reject']);
    expect(h.igor.pipeline.get('1')!.state).toBe('awaiting-approval');
    for (const path of Object.values(h.hostPaths)) expect(existsSync(join(path, 'current'))).toBe(false);

    await slack.press(request, 'Approve', 'U0BOB');
    const done = await slack.state('1', 'succeeded');
    expect(done.approvedBy).toBe('U0BOB');
    await h.slack.waitFor(() => !buttonsOf(h.slack.message(request.channel, request.ts)).length || undefined, { what: 'the approval buttons to go' });
    expect(textOf(h.slack.message(request.channel, request.ts))).toContain('approved by <@U0BOB>');
    expect(done.audit).toMatchObject([{ action: 'approve', user: 'U0BOB', outcome: 'done' }]);
  });

  it('refuses self-approval and a non-approver privately, keeping the buttons for others', async () => {
    const { h, slack } = await start();
    await slack.slash('main', 'U0ALICE');
    const request = await slack.approvalRequest('1');

    await slack.press(request, 'Approve', 'U0ALICE');
    expect(textOf(await slack.ephemeralFor('U0ALICE'))).toMatch(/allowSelfApproval is false: ask <@U0BOB>/);
    await slack.press(request, 'Approve', 'U0CAROL');
    expect(textOf(await slack.ephemeralFor('U0CAROL'))).toMatch(/only the approvers of staging may approve .*<@U0ALICE>, <@U0BOB>/);
    await slack.press(request, 'Reject', 'U0EVE');
    expect(textOf(await slack.ephemeralFor('U0EVE'))).toMatch(/only the approvers/);

    const deployment = h.igor.pipeline.get('1')!;
    expect(deployment.state).toBe('awaiting-approval');
    expect(deployment.audit.map((entry) => [entry.action, entry.user, entry.outcome])).toEqual([
      ['approve', 'U0ALICE', 'refused'],
      ['approve', 'U0CAROL', 'refused'],
      ['reject', 'U0EVE', 'refused'],
    ]);
    expect(buttonsOf(h.slack.message(request.channel, request.ts)).map((b) => b.text)).toEqual(['Approve', 'Reject']);
  });

  it('rejects: nothing deployed, the lock released, and the history says who', async () => {
    const { h, slack } = await start();
    await slack.slash('main', 'U0ALICE');
    await slack.press(await slack.approvalRequest('1'), 'Reject', 'U0BOB');
    const rejected = await slack.state('1', 'rejected');
    expect(rejected.rejectedBy).toBe('U0BOB');
    for (const path of Object.values(h.hostPaths)) expect(existsSync(join(path, 'current'))).toBe(false);
    expect(await (await slack.slash('history', 'U0CAROL')).answer()).toMatch(/1 · staging · `main` \w+ · rejected · by <@U0ALICE>, rejected by <@U0BOB>/);
    expect(await (await slack.slash('main', 'U0CAROL')).answer()).toContain('Deployment 2');
  });

  it('expires an approval nobody gives, removing the buttons and freeing the environment', async () => {
    const { h, slack } = await start({ staging: { approval: { mode: 'required', expiresAfter: '1s' } } });
    await slack.slash('main', 'U0ALICE');
    const request = await slack.approvalRequest('1');
    // What a client that has not refreshed still shows, buttons included.
    const stale = structuredClone(request);
    const expired = await slack.state('1', 'expired');
    expect(expired.reason).toContain('within 1s');
    await h.slack.waitFor(() => !buttonsOf(h.slack.message(request.channel, request.ts)).length || undefined, { what: 'the buttons to go' });
    expect(textOf(h.slack.message(request.channel, request.ts))).toContain('expired');
    expect(h.igor.pipeline.lockOf('staging')).toBeNull();
    await slack.press(stale, 'Approve', 'U0BOB');
    expect(textOf(await slack.ephemeralFor('U0BOB'))).toContain('is expired: there is nothing to approve');
  });

  it('starts the rollout once when Approve is pressed twice, or by two approvers at once', async () => {
    const { h, slack } = await start();
    await slack.slash('main', 'U0CAROL');
    const request = await slack.approvalRequest('1');
    const [first, second] = await Promise.all([slack.press(request, 'Approve', 'U0ALICE'), slack.press(request, 'Approve', 'U0BOB')]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await slack.press(request, 'Approve', 'U0ALICE');
    const done = await slack.state('1', 'succeeded');
    expect(done.audit.filter((entry) => entry.outcome === 'done')).toHaveLength(1);
    expect(done.audit.filter((entry) => entry.outcome === 'refused')).toHaveLength(2);
    expect(await readdir(join(h.hostPaths['web-1']!, 'releases'))).toHaveLength(1);
    expect(h.slack.ephemerals().length).toBe(2);
  });
});

describe('approvals through the control API', () => {
  it('obeys the same rules as the buttons, naming the acting user', async () => {
    const { h, slack } = await start();
    await slack.slash('main', 'U0ALICE');
    await slack.approvalRequest('1');
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${h.igor.url}${path}`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-api-token', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { error?: string; deployment?: { state: string } } };
    };
    expect((await post('/api/deployments/1/approve', {})).status).toBe(400);
    expect(await post('/api/deployments/1/approve', { user: 'U0ALICE' })).toMatchObject({ status: 403, body: { error: expect.stringMatching(/allowSelfApproval/) } });
    expect(await post('/api/deployments/1/approve', { user: 'U0EVE' })).toMatchObject({ status: 403 });
    expect(await post('/api/deployments/1/launch', { user: 'U0BOB' })).toMatchObject({ status: 404 });
    expect(await post('/api/deployments/1/reject', { user: 'U0BOB' })).toMatchObject({ status: 200, body: { deployment: { state: 'rejected' } } });
    expect(await post('/api/deployments/1/approve', { user: 'U0BOB' })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/is rejected/) } });
    expect(await post('/api/environments/staging/lock', { user: 'U0EVE' })).toMatchObject({ status: 403 });
    expect(await post('/api/environments/staging/lock', { user: 'U0BOB', reason: 'freeze' })).toMatchObject({ status: 200 });
    expect(await post('/api/deployments', { ref: 'main', user: 'U0ALICE' })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/locked by U0BOB .*freeze/) } });
    expect(await post('/api/environments/staging/unlock', { user: 'U0BOB' })).toMatchObject({ status: 200 });
  });
});

describe('cancel, locks and retry', () => {
  it('cancels a slow test step: its process tree is killed, teardown runs, the lock is released', async () => {
    const { h, slack } = await start({
      integration: {
        steps: [{ name: 'slow', run: 'sleep 300 & echo $! > "$IGOR_WORKSPACE/../slow.pid"; wait' }],
        teardown: ['touch "$IGOR_WORKSPACE/../teardown-ran"'],
      },
    });
    await slack.slash('main', 'U0ALICE');
    const pidFile = join(h.dataDir, 'work', 'slow.pid');
    await h.slack.waitFor(() => existsSync(pidFile) || undefined, { what: 'the slow step to start' });
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(await (await slack.slash('cancel', 'U0BOB')).answer()).toContain('Cancelled deployment 1');
    const cancelled = await slack.state('1', 'cancelled');
    expect(cancelled.reason).toBe('cancelled by U0BOB');
    expect(await gone(pid)).toBe(true);
    expect(existsSync(join(h.dataDir, 'work', 'teardown-ran'))).toBe(true);
    expect(h.igor.pipeline.lockOf('staging')).toBeNull();
  });

  it('refuses cancel to people who are not deployers', async () => {
    const { h, slack } = await start({ ...REQUIRED });
    await slack.slash('main', 'U0ALICE');
    await slack.approvalRequest('1');
    expect(await (await slack.slash('cancel staging', 'U0EVE')).answer()).toMatch(/only the deployers of staging may cancel/);
    expect(h.igor.pipeline.get('1')!.state).toBe('awaiting-approval');
    const root = slack.root('1')!;
    await slack.press(root, 'Cancel', 'U0BOB');
    await slack.state('1', 'cancelled');
  });

  it('locks and unlocks an environment; only deployers may, and a locked one refuses deploys with the reason', async () => {
    const { slack } = await start(REQUIRED);
    expect(await (await slack.slash('lock staging', 'U0EVE')).answer()).toMatch(/only the deployers of staging may lock/);
    expect(await (await slack.slash('lock staging database migration', 'U0BOB')).answer()).toContain('staging is locked: database migration');
    expect(await (await slack.slash('main', 'U0ALICE')).answer()).toMatch(/staging is locked by <@U0BOB> since .*: database migration/);
    expect(await (await slack.slash('status', 'U0EVE')).answer()).toMatch(/locked by <@U0BOB> since .*: database migration/);
    expect(await (await slack.slash('unlock staging', 'U0BOB')).answer()).toContain('staging is unlocked');
    expect(await (await slack.slash('main', 'U0ALICE')).answer()).toContain('Deployment 1');
  });

  it('retries a deployment that failed in its tests with the Retry button', async () => {
    const { h, slack } = await start({ integration: { steps: [{ name: 'unit', run: 'test -f "$FIXED"' }], env: { FIXED: '/nonexistent' } } });
    const fixed = join(h.dir, 'fixed');
    h.igor.config.integration.env.FIXED = fixed;
    await slack.slash('main', 'U0ALICE');
    await slack.state('1', 'failed');
    const root = await h.slack.waitFor(() => (buttonsOf(slack.root('1')).some((b) => b.text === 'Retry') ? slack.root('1') : undefined), { what: 'a Retry button' });
    await writeFile(fixed, '');
    await slack.press(root!, 'Retry', 'U0BOB');
    const retry = await slack.state('2', 'succeeded');
    expect(retry).toMatchObject({ retryOf: '1', requestedBy: 'U0BOB', ref: 'main' });
  });
});
