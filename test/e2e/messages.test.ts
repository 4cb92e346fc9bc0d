// What people read in Slack, end to end: signed Slack requests against a whole igor, real sshd
// hosts, and the fake Slack Web API recording every post, update and ephemeral answer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf, type FakeMessage } from '../support/fake-slack.js';
import { API_TOKEN, startHarness, type Harness, type HarnessOptions } from '../support/igor-harness.js';
import { commitFiles } from '../support/example-changes.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const APPROVAL = { mode: 'required', approvers: ['U0ALICE', 'U0BOB'], allowSelfApproval: false, expiresAfter: '30m' };
const DATE_TOKEN = /<!date\^\d+\^\{date_short_pretty\} at \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>/;
const ISO_WITH_MS = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

async function start(options: HarnessOptions) {
  const h = (harness = await startHarness(options));
  return { h, slack: slackDriver(h) };
}

async function api(h: Harness, method: string, path: string, body?: unknown) {
  const response = await fetch(`${h.igor.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The message `ts` in `channel` once `ready` says its current content is what the test waits for. */
function current(h: Harness, channel: string, ts: string, ready: (message: FakeMessage) => boolean, what: string): Promise<FakeMessage> {
  return h.slack.waitFor(() => {
    const message = h.slack.message(channel, ts);
    return message && ready(message) ? message : undefined;
  }, { what, timeoutMs: 30_000 });
}

describe('the root message of a deployment awaiting approval', () => {
  it('carries Approve and Reject, says whose approval it needs, answers refusals where the press was, and tells the wait apart from the rollout', async () => {
    const { h, slack } = await start({ staging: { deployers: ['U0ALICE', 'U0BOB', 'U0CAROL'], approval: APPROVAL, strategy: { canary: { servers: 1, bake: '3s', promote: 'auto' } } } });
    await slack.slash('main', 'U0ALICE');
    const request = await slack.approvalRequest('1');
    expect(textOf(request)).toMatch(new RegExp(`Expires ${DATE_TOKEN.source}`));
    expect(textOf(request)).not.toMatch(ISO_WITH_MS);

    const root = await h.slack.waitFor(() => (buttonsOf(slack.root('1')).length === 3 ? slack.root('1') : undefined), { what: 'Approve and Reject on the root message' });
    expect(buttonsOf(root).map((button) => button.text)).toEqual(['Approve', 'Reject', 'Cancel']);
    // Alice asked, and may not approve her own: Bob is the one left.
    expect(textOf(root)).toContain('approval needed from <@U0BOB>');

    // A refused press on the root is answered beside it; one on the thread's request, in the thread.
    await slack.press(root, 'Approve', 'U0CAROL');
    const beside = await slack.ephemeralFor('U0CAROL');
    expect(textOf(beside)).toMatch(/only the approvers of staging may approve/);
    expect(beside.thread_ts).toBeUndefined();
    await slack.press(request, 'Approve', 'U0ALICE');
    const inThread = await slack.ephemeralFor('U0ALICE');
    expect(textOf(inThread)).toMatch(/allowSelfApproval is false/);
    expect(inThread.thread_ts).toBe(root.ts);

    // The root's Approve is the thread's: the same approval, decided once.
    await slack.press(root, 'Approve', 'U0BOB');
    const done = await slack.state('1', 'succeeded');
    expect(done.approvedBy).toBe('U0BOB');
    expect(done.audit.filter((entry) => entry.outcome === 'done').map((entry) => [entry.action, entry.user])).toEqual([['approve', 'U0BOB']]);
    const finished = await current(h, 'C0STAGING', root.ts, (message) => message.text.endsWith(': succeeded'), 'the root message to say succeeded');
    expect(buttonsOf(finished).map((button) => button.text)).not.toContain('Approve');
    expect(textOf(finished)).not.toContain('approval needed');
    const decided = await current(h, 'C0STAGING', request.ts, (message) => buttonsOf(message).length === 0, 'the approval request to lose its buttons');
    expect(textOf(decided)).toMatch(new RegExp(`approved by <@U0BOB> ${DATE_TOKEN.source}`));

    // While the canary baked, the root's Step said so.
    expect(h.slack.updates('C0STAGING', root.ts).some((update) => textOf(update).includes('*Step*\nbake'))).toBe(true);
    const closing = await h.slack.waitFor(() => slack.thread('1').find((message) => textOf(message).includes('is live on')), { what: 'the closing reply' });
    expect(textOf(closing)).toMatch(/is live on 2 host\(s\) of staging: tested in \d+\.\ds, waited (\d+m )?\d+(\.\d)?s for approval, rolled out in (\d+m )?\d+(\.\d)?s \(baked \d+\.\ds\)\./);
    expect(textOf(closing)).not.toContain('took');
  });
});

describe('steps that never ran', () => {
  it('are skipped, not pending, in the API after a test step fails', async () => {
    const { h, slack } = await start({ integration: { steps: [{ name: 'unit', run: 'npm test' }, { name: 'lint', run: 'echo lint found 3 problems; exit 3' }, { name: 'load', run: 'true' }] } });
    await slack.slash('main', 'U0ALICE');
    await slack.state('1', 'failed');
    const { body } = await api(h, 'GET', '/api/deployments/1');
    expect((body.steps as Array<{ name: string; state: string }>).map((step) => [step.name, step.state])).toEqual([
      ['unit', 'succeeded'],
      ['lint', 'failed'],
      ['load', 'skipped'],
      ['deploy', 'skipped'],
      ['verify', 'skipped'],
    ]);
  });
});

describe('a deployment a later rollback undid', () => {
  it('says so in its root message, /deploy history and /deploy status, loses its Rollback button, and its commit is warned of when deployed again', async () => {
    const qaPath = await mkdtemp(join(tmpdir(), 'igor-qa-'));
    cleanups.push(() => rm(qaPath, { recursive: true, force: true }));
    const { h, slack } = await start({
      staging: { deployers: ['U0ALICE', 'U0BOB', 'U0CAROL'], approval: APPROVAL },
      // Asks nobody: the warning goes to the thread.
      environments: { qa: { channel: 'C0QA', servers: { local: [{ name: 'qa-1', path: qaPath }] } } },
    });
    const approved = async (id: string) => {
      await slack.press(await slack.approvalRequest(id), 'Approve', 'U0BOB');
      return slack.state(id, 'succeeded');
    };
    await slack.slash('main', 'U0ALICE');
    await approved('1');
    const sha2 = await commitFiles(h.repo, { 'NOTES.md': 'the second release\n' }, 'Second release');
    await slack.slash('main', 'U0ALICE');
    const second = await approved('2');
    const stale = await h.slack.waitFor(() => (buttonsOf(slack.root('2')).some((button) => button.text === 'Rollback') ? structuredClone(slack.root('2')) : undefined), { what: 'Rollback on the root of deployment 2' });

    expect(await (await slack.slash('staging', 'U0BOB', '/rollback')).answer()).toContain('Rollback 3');
    await slack.state('3', 'succeeded');
    const undone = /rolled back by <@U0BOB> <!date\^\d+\^\{date_short_pretty\} at \{time\}\|[^>]+> by deployment 3/;
    const marked = await current(h, 'C0STAGING', stale!.ts, (message) => undone.test(textOf(message)), 'the root of deployment 2 to say it was rolled back');
    expect(buttonsOf(marked)).toEqual([]);
    expect(marked.text).toContain('succeeded, rolled back by deployment 3');

    // The stale button, pressed on a client that has not refreshed: refused beside the root.
    await slack.press(stale!, 'Rollback', 'U0BOB');
    const refusal = await slack.ephemeralFor('U0BOB');
    expect(textOf(refusal)).toMatch(/deployment 2 was rolled back already, by <@U0BOB> \(deployment 3, <!date\^[^>]+>\)/);
    expect(refusal.thread_ts).toBeUndefined();

    const history = await (await slack.slash('history staging', 'U0CAROL')).answer();
    expect(history.split('\n').find((line) => line.includes(' 2 · staging'))).toMatch(undone);
    expect(history).toMatch(DATE_TOKEN);
    expect(history).not.toMatch(ISO_WITH_MS);
    const status = await (await slack.slash('status staging', 'U0CAROL')).answer();
    expect(status).toContain(`deployment 2 (\`main\` ${sha2.slice(0, 7)}) rolled back by <@U0BOB> <!date`);
    expect(status).toMatch(undone);

    // The rollback's page shows each host's switch, restart and health; deployment 2's, its wait for approval.
    const rollbackPage = await api(h, 'GET', '/console/deployments/3/data');
    const timeline = rollbackPage.body.timeline as Array<{ host: string; segments: Array<{ phase: string }>; outcome: string }>;
    expect(timeline.map((host) => host.host).sort()).toEqual(['web-1', 'web-2']);
    for (const host of timeline) expect(host.segments.map((segment) => segment.phase)).toEqual(['switch', 'restart', 'health']);
    const secondPage = await api(h, 'GET', '/console/deployments/2/data');
    expect(secondPage.body.timeSpent).toMatchObject({ approval: { start: expect.any(String), end: expect.any(String) }, rollout: { end: second.finishedAt } });

    // The same commit again: the approval request warns of its rolled-back release.
    await slack.slash('main', 'U0ALICE');
    const again = await slack.approvalRequest('4');
    expect(h.igor.pipeline.get('4')!.sha).toBe(sha2);
    expect(textOf(again)).toContain(`:warning: This commit was rolled back before: ${second.release} in staging (rolled back by deployment 3).`);
    await slack.press(again, 'Reject', 'U0BOB');
    await slack.state('4', 'rejected');

    // Where nobody is asked, the thread says it.
    await slack.slash('main to qa', 'U0ALICE');
    await slack.state('5', 'succeeded');
    const qa = slackDriver(h, 'C0QA');
    expect(qa.thread('5').map(textOf).join('\n')).toContain(`:warning: This commit was rolled back before: ${second.release} in staging (rolled back by deployment 3).`);
  });
});

describe('locks', () => {
  it('are announced in the environment’s channel, whoever locked or unlocked it and however', async () => {
    const { h, slack } = await start({});
    expect(await (await slack.slash('lock staging load test until 3pm', 'U0CAROL')).answer()).toContain('staging is locked: load test until 3pm');
    const locked = await h.slack.waitFor(() => h.slack.messages('C0STAGING').find((message) => message.text.startsWith(':lock:')), { what: 'the lock announced in #staging' });
    // The blocks mention people (Slack shows their names); the notification text is plain, by name (here the id: users.info knows nobody).
    expect(JSON.stringify(locked.blocks)).toContain(':lock: <@U0CAROL> locked *staging*: load test until 3pm. Deploys are refused until `/deploy unlock staging`.');
    expect(locked.text).toBe(':lock: @U0CAROL locked *staging*: load test until 3pm. Deploys are refused until `/deploy unlock staging`.');

    expect((await api(h, 'POST', '/api/environments/staging/unlock', { user: 'U0ALICE' })).status).toBe(200);
    const unlocked = await h.slack.waitFor(() => h.slack.messages('C0STAGING').find((message) => message.text.startsWith(':unlock:')), { what: 'the unlock announced in #staging' });
    expect(unlocked.text).toMatch(new RegExp(`^:unlock: @U0ALICE unlocked \\*staging\\* \\(@U0CAROL locked it ${DATE_TOKEN.source}: load test until 3pm\\)\\. Deploys are open again\\.$`));
  });
});
