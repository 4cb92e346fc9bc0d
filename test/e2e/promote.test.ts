import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { keptArtifactPath } from '../../src/fleet/artifacts/kept.js';
import { textOf } from '../support/fake-slack.js';
import { API_TOKEN, SIGNING_SECRET, prepareHarness, startIgor, type Harness } from '../support/igor-harness.js';
import { pressButton } from '../support/slack-requests.js';
import { commitFiles } from '../support/example-changes.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
let markerDir: string | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  if (markerDir) await rm(markerDir, { recursive: true, force: true });
  markerDir = undefined;
});

/**
 * staging on web-1 and web-2, production on web-3 and web-4 with `requires: [staging]` and an
 * approver; an integration step that leaves a line in a marker file each time it runs.
 */
async function start(production: Record<string, unknown> = {}): Promise<{ h: Harness; marker: string }> {
  markerDir = await mkdtemp(join(tmpdir(), 'igor-promote-marker-'));
  const marker = join(markerDir, 'integration-ran');
  const prepared = await prepareHarness({
    hosts: 4,
    integration: { steps: [{ name: 'unit', run: 'npm test' }, { name: 'marker', run: `bash -c 'echo "$IGOR_ENVIRONMENT" >> ${marker}'` }] },
  });
  try {
    const config = parse(await readFile(prepared.configPath, 'utf8')) as { environments: Record<string, { servers: { static: unknown[] } } & Record<string, unknown>> };
    const staging = config.environments.staging!;
    const hosts = staging.servers.static;
    config.environments.staging = { ...staging, servers: { static: hosts.slice(0, 2) } };
    config.environments.production = {
      ...staging,
      channel: 'C0PROD',
      servers: { static: hosts.slice(2) },
      approval: { mode: 'required', approvers: ['U0BOB'], allowSelfApproval: false },
      requires: ['staging'],
      ...production,
    };
    await writeFile(prepared.configPath, stringify(config));
    const { igor, logs } = await startIgor(prepared);
    harness = { ...prepared, igor, logs, eventsUrl: `${igor.url}/slack/events` };
    return { h: harness, marker };
  } catch (error) {
    await prepared.close();
    throw error;
  }
}

/** Every file of a release folder, by path, with its bytes' SHA-256. */
async function filesOf(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(folder, path)] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return files;
}

const liveFolder = async (hostPath: string) => readlink(join(hostPath, 'current'));

async function api(h: Harness, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${h.igor.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('promotion and gates', () => {
  it('refuses an untested commit on gated production, then promotes what passed staging: the same bytes, no tests, through production approval', async () => {
    const { h, marker } = await start();
    const staging = slackDriver(h);
    const production = slackDriver(h, 'C0PROD');

    const refused = await (await staging.slash('main to production', 'U0ALICE')).answer();
    expect(refused).toContain('production takes only commits live and healthy on staging');
    expect(refused).toContain(`is not live on staging`);
    expect(refused).toContain('`/deploy main to staging`, then `/deploy promote staging to production`');
    expect(h.igor.pipeline.list()).toEqual([]);

    await staging.slash('main to staging', 'U0ALICE');
    const tested = await staging.state('1', 'succeeded');
    expect(await readFile(marker, 'utf8')).toBe('staging\n');

    const answer = await (await staging.slash('promote staging to production', 'U0ALICE')).answer();
    expect(answer).toContain(`Deployment 2 promotes release \`${tested!.release}\``);
    const request = await production.approvalRequest('2');
    expect(textOf(request)).toContain(`Promoted from *staging*: release \`${tested!.release}\` of deployment 1, live there since`);
    expect(textOf(request)).toContain('not run again');
    await production.press(request, 'Approve', 'U0BOB');
    const promoted = (await production.state('2', 'succeeded'))!;

    expect(promoted).toMatchObject({ sha: tested!.sha, release: tested!.release, artifactSha256: tested!.artifactSha256, promotedFrom: { environment: 'staging', deployment: '1', release: tested!.release } });
    expect(promoted.steps.map((step) => step.name)).toEqual(['deploy', 'verify']);
    expect(await readFile(marker, 'utf8')).toBe('staging\n');
    expect(production.thread('2').map(textOf).join('\n')).toContain('The same artifact ships; the integration steps are not run again.');

    // The release folders: the same name, the same files, byte for byte, REVISION included.
    const [web1, , web3, web4] = Object.values(h.hostPaths) as [string, string, string, string];
    const stagingFolder = await liveFolder(web1);
    expect(relative(join(web3, 'releases'), await liveFolder(web3))).toBe(tested!.release);
    const stagingFiles = await filesOf(stagingFolder);
    expect(stagingFiles).toHaveProperty('REVISION');
    expect(await filesOf(await liveFolder(web3))).toEqual(stagingFiles);
    expect(await filesOf(await liveFolder(web4))).toEqual(stagingFiles);
    expect((await readFile(join(await liveFolder(web3), 'REVISION'), 'utf8')).trim()).toBe(tested!.sha);
    // The artifact both shipped is the one kept, with the checksum both recorded.
    const kept = await readFile(keptArtifactPath(h.dataDir, 'shop', tested!.release!));
    expect(createHash('sha256').update(kept).digest('hex')).toBe(tested!.artifactSha256);
  });

  it('promotes through the API (202 and promotedFrom), names a bad field, and refuses a source with nothing live', async () => {
    const { h } = await start();
    const staging = slackDriver(h);

    expect(await api(h, '/api/promotions', { environment: 'production', user: 'U0ALICE' })).toEqual({ status: 400, body: { error: 'from is required' } });
    expect(await api(h, '/api/promotions', { from: 7, environment: 'production', user: 'U0ALICE' })).toEqual({ status: 400, body: { error: 'from must be a name' } });
    const nothing = await api(h, '/api/promotions', { from: 'staging', environment: 'production', user: 'U0ALICE' });
    expect(nothing.status).toBe(404);
    expect(nothing.body.error).toContain('staging has no live release deployed by igor to promote');

    await staging.slash('main to staging', 'U0ALICE');
    const tested = (await staging.state('1', 'succeeded'))!;
    // A commit after the tested one is not on staging: production refuses it.
    const newer = await commitFiles(h.repo, { 'NOTES.md': 'not tested on staging\n' }, 'An untested change');
    const untested = await api(h, '/api/deployments', { ref: 'main', environment: 'production', user: 'U0ALICE' });
    expect(untested.status).toBe(409);
    expect(untested.body.error).toContain(`\`main\` (${newer.slice(0, 7)}) is not live on staging, which runs ${tested.sha!.slice(0, 7)} (deployment 1)`);

    const accepted = await api(h, '/api/promotions', { from: 'staging', environment: 'production', user: 'U0ALICE' });
    expect(accepted.status).toBe(202);
    expect(accepted.body.id).toBe('2');
    expect(accepted.body.deployment).toMatchObject({ promotedFrom: { environment: 'staging', deployment: '1', release: tested.release }, release: tested.release, sha: tested.sha });
    const production = slackDriver(h, 'C0PROD');
    // Approved by a person in Slack: the API token that asked for it may not approve it too.
    await production.press(await production.approvalRequest('2'), 'Approve', 'U0BOB');
    const promoted = (await production.state('2', 'succeeded'))!;
    expect(promoted.artifactSha256).toBe(tested.artifactSha256);
    // The gate judges the commit, not how it came: the promoted commit passes, the newer one still does not.
    expect((await api(h, '/api/deployments', { ref: tested.sha, environment: 'production', user: 'U0ALICE' })).status).toBe(202);
  });

  it('queues a promotion during a freeze of production, and an approver starts it anyway', async () => {
    const freeze = { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString(), reason: 'launch week' };
    const { h } = await start({ freeze: [freeze] });
    const staging = slackDriver(h);
    await staging.slash('main to staging', 'U0ALICE');
    const tested = (await staging.state('1', 'succeeded'))!;

    const answer = await (await staging.slash('promote staging to production', 'U0ALICE')).answer();
    expect(answer).toMatch(/Deployment 2 of `main` to production is queued: production is frozen until .*\(launch week\)/);
    expect(h.igor.pipeline.get('2')).toMatchObject({ state: 'queued', release: tested.release, promotedFrom: { environment: 'staging', deployment: '1' }, waiting: { frozenUntil: freeze.to } });

    const anyway = await api(h, '/api/deployments/2/deploy-anyway', { user: 'U0BOB', reason: 'the launch needs it' });
    expect(anyway.status).toBe(200);
    const production = slackDriver(h, 'C0PROD');
    await production.press(await production.approvalRequest('2'), 'Approve', 'U0BOB');
    expect(await production.state('2', 'succeeded')).toMatchObject({ sha: tested.sha, release: tested.release, artifactSha256: tested.artifactSha256 });
  });

  it('offers Queue when production is busy: the queued promotion starts when it frees, and one of a release production runs by then is refused', async () => {
    const { h } = await start();
    const staging = slackDriver(h);
    const production = slackDriver(h, 'C0PROD');
    await staging.slash('main to staging', 'U0ALICE');
    const first = (await staging.state('1', 'succeeded'))!;
    await staging.slash('promote staging to production', 'U0ALICE');
    const waiting = await production.approvalRequest('2');

    // Staging moves on while production waits for Bob: a second release of main.
    await staging.slash('main to staging', 'U0ALICE');
    const second = (await staging.state('3', 'succeeded'))!;
    expect(second.release).not.toBe(first.release);

    // Production is busy with deployment 2: refused, with Queue; no deployment is made.
    const busy = await staging.slash('promote staging to production', 'U0ALICE');
    expect(await busy.answer()).toMatch(/production is busy/);
    const refusal = h.slack.responses.find((response) => textOf(response.body as { text: string }).includes('production is busy'))!.body as { text: string; blocks: Array<{ elements?: Array<{ action_id?: string; value?: string; text?: { text: string } }> }> };
    expect(refusal.text).toMatch(/production is busy/);
    const queue = refusal.blocks.flatMap((block) => block.elements ?? []).find((element) => element.text?.text === 'Queue')!;
    expect(JSON.parse(queue.value!)).toEqual({ app: 'shop', environment: 'production', from: 'staging' });
    expect(h.igor.pipeline.list()).toHaveLength(3);
    await pressButton(h.eventsUrl, SIGNING_SECRET, { actionId: queue.action_id!, value: queue.value!, userId: 'U0ALICE', channelId: 'C0DEPLOYS', messageTs: '1.000001', responseUrl: h.slack.responseUrl(), text: 'Queue' });
    await h.slack.waitFor(() => (h.igor.pipeline.get('4')?.state === 'queued' ? true : undefined), { what: 'the promotion to wait in the queue' });
    expect(h.igor.pipeline.get('4')).toMatchObject({ release: second.release, promotedFrom: { environment: 'staging', deployment: '3' } });
    // The same release through the API, queued behind it: by its turn production runs it.
    expect((await api(h, '/api/promotions', { from: 'staging', environment: 'production', user: 'U0ALICE', queue: true })).status).toBe(202);

    await production.press(waiting, 'Approve', 'U0BOB');
    await production.state('2', 'succeeded');
    await production.press(await production.approvalRequest('4'), 'Approve', 'U0BOB');
    expect(await production.state('4', 'succeeded')).toMatchObject({ release: second.release, artifactSha256: second.artifactSha256 });
    const refusedLater = (await production.state('5', 'failed'))!;
    expect(refusedLater.reason).toContain(`production runs release \`${second.release}\` already: there is nothing to promote`);
  });
});
