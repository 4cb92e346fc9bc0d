import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { textOf } from '../support/fake-slack.js';
import { commitFiles, liveRevision } from '../support/example-changes.js';
import { prepareHarness, SIGNING_SECRET, type Prepared } from '../support/igor-harness.js';
import { startIgorProcess, type IgorProcess } from '../support/igor-process.js';
import { sendSlashCommand } from '../support/slack-requests.js';
import { until } from '../support/until.js';

let prepared: Prepared | undefined;
afterEach(async () => {
  await prepared?.close();
  prepared = undefined;
});

const HOSTS = ['web-1', 'web-2', 'web-3', 'web-4'];
type HostView = { host: string; state: string; release: string | null; switched: boolean };
type View = { state: string; release: string | null; sha: string; fromRelease?: string | null; promotion?: { requestedAt: string } | null; hosts: HostView[] };

/** 90 s: a canary deploy on four hosts, on two busy cores. */
const GUARD_ATTEMPTS = 900;

const view = async (igor: IgorProcess, id: string) => (await igor.api<View>(`/api/deployments/${id}`)).body;

/** A deploy of the repository's main as it is now, up to the canary's promotion request (web-1 switched, the rest untouched). */
async function canaryWaiting(igor: IgorProcess, id: string): Promise<View> {
  expect((await igor.api('/api/deployments', { body: { ref: 'main', user: 'U0ALICE' } })).body).toMatchObject({ id });
  return until(`deployment ${id} to ask for promotion`, async () => {
    const deployment = await view(igor, id);
    return deployment.state === 'baking' && deployment.promotion?.requestedAt ? deployment : undefined;
  }, GUARD_ATTEMPTS);
}

/** A deploy of main to every host: canary, Promote, the rest. */
async function deployedEverywhere(igor: IgorProcess, p: Prepared, files: Record<string, string>, id: string): Promise<View> {
  await commitFiles(p.repo, files, `version ${id}`);
  await canaryWaiting(igor, id);
  expect((await igor.api(`/api/deployments/${id}/promote`, { body: { user: 'U0ALICE' } })).status).toBe(200);
  return until(`deployment ${id} to succeed`, async () => {
    const deployment = await view(igor, id);
    if (deployment.state !== 'baking' && deployment.state !== 'deploying' && deployment.state !== 'verifying') expect(deployment.state).toBe('succeeded');
    return deployment.state === 'succeeded' ? deployment : undefined;
  }, GUARD_ATTEMPTS);
}

/** A slash command to igor, signed as Slack signs it; its later answer, as posted to the response_url. */
async function slash(p: Prepared, igor: IgorProcess, command: string, text: string): Promise<string> {
  const responseUrl = p.slack.responseUrl();
  const response = await sendSlashCommand(`${igor.url}/slack/events`, SIGNING_SECRET, { command, text, userId: 'U0ALICE', responseUrl, channelId: 'C0DEPLOYS' });
  expect(response.status).toBe(200);
  const id = responseUrl.split('/').pop()!;
  const answer = await p.slack.waitFor(() => p.slack.responsesTo(id)[0], { what: `the answer to ${command} ${text}`, timeoutMs: 20_000 });
  return textOf(answer.body as { text: string });
}

const appPid = (p: Prepared, host: string) => readFile(join(p.hostPaths[host]!, 'shared', 'app.pid'), 'utf8');

/**
 * igor is killed (SIGKILL, its own process) while the canary of `release` waits for promotion:
 * web-1 runs it, web-2..4 still run `before`. After a restart, /deploy status says which hosts
 * are where, and /rollback staging puts web-1 back on `before` and leaves the others alone.
 */
async function killMidRolloutThenRollBack(p: Prepared, first: IgorProcess, id: string, before: View): Promise<void> {
  await commitFiles(p.repo, { 'NEWS.md': `version ${id}\n` }, `version ${id}`);
  const interrupted = await canaryWaiting(first, id);
  expect(await liveRevision(p.hostPaths['web-1']!)).toBe(interrupted.sha);
  first.child.kill('SIGKILL');
  await first.child;

  const second = await startIgorProcess(p);
  expect((await view(second, id)).state).toBe('interrupted');
  for (const host of HOSTS.slice(1)) expect(await liveRevision(p.hostPaths[host]!)).toBe(before.sha);

  const status = await slash(p, second, '/deploy', 'status staging');
  expect(status).toContain(':warning: hosts disagree');
  expect(status).toContain(`web-1 on ${interrupted.release} (\`main\` ${interrupted.sha.slice(0, 7)}, deployment ${id} interrupted)`);
  expect(status).toContain(`web-2, web-3, web-4 on ${before.release} (\`main\` ${before.sha.slice(0, 7)}`);
  const api = (await second.api<{ live: unknown; releases: Array<{ release: string; hosts: string[] }> }>('/api/environments/staging')).body;
  expect(api.live).toBeNull();
  expect(api.releases).toEqual([
    { release: interrupted.release, hosts: ['web-1'], deployment: id },
    { release: before.release, hosts: ['web-2', 'web-3', 'web-4'], deployment: expect.any(String) },
  ]);

  const untouchedPids = await Promise.all(HOSTS.slice(1).map((host) => appPid(p, host)));
  const rollbackId = String(Number(id) + 1);
  expect(await slash(p, second, '/rollback', 'staging')).toContain(`Rollback ${rollbackId} puts ${before.release} back on staging (from ${interrupted.release})`);
  const rollback = await until('the rollback to end', async () => {
    const deployment = await view(second, rollbackId);
    return ['succeeded', 'failed'].includes(deployment.state) ? deployment : undefined;
  }, GUARD_ATTEMPTS);
  expect(rollback).toMatchObject({ state: 'succeeded', release: before.release, fromRelease: interrupted.release });
  expect(rollback.hosts.map((host) => [host.host, host.state, host.switched])).toEqual([
    ['web-1', 'succeeded', true],
    ['web-2', 'untouched', false],
    ['web-3', 'untouched', false],
    ['web-4', 'untouched', false],
  ]);
  for (const host of HOSTS) expect(await liveRevision(p.hostPaths[host]!)).toBe(before.sha);
  // Left alone: their apps were not restarted.
  expect(await Promise.all(HOSTS.slice(1).map((host) => appPid(p, host)))).toEqual(untouchedPids);
  const after = await slash(p, second, '/deploy', 'status staging');
  expect(after).toContain(`live: ${before.release}`);
  expect(after).toContain('4 host(s) agree');
}

describe('/rollback after igor was killed mid-rollout', () => {
  const strategy = { strategy: { canary: { servers: 1, bake: '1s', promote: 'manual' } } };

  it('puts the one switched host back to the release the other hosts run, when there is no earlier release', async () => {
    const p = (prepared = await prepareHarness({ hosts: 4, staging: strategy }));
    const first = await startIgorProcess(p);
    const v1 = await deployedEverywhere(first, p, { 'NEWS.md': 'v1\n' }, '1');
    await killMidRolloutThenRollBack(p, first, '2', v1);
  }, 180_000);

  it('does not move every host back two releases when an older good release is there', async () => {
    const p = (prepared = await prepareHarness({ hosts: 4, staging: strategy }));
    const first = await startIgorProcess(p);
    const v1 = await deployedEverywhere(first, p, { 'NEWS.md': 'v1\n' }, '1');
    const v2 = await deployedEverywhere(first, p, { 'NEWS.md': 'v2\n' }, '2');
    expect(v2.release).not.toBe(v1.release);
    await killMidRolloutThenRollBack(p, first, '3', v2);
    for (const host of HOSTS) expect(await liveRevision(p.hostPaths[host]!)).not.toBe(v1.sha);
  }, 240_000);
});
