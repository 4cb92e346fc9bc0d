import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Deployment } from '../../src/pipeline/types.js';
import { startFakeGithub, type FakeGithub, type RecordedDeployment } from '../support/fake-github.js';
import { API_TOKEN, prepareHarness, startIgor, type Harness, type Prepared } from '../support/igor-harness.js';
import { until } from '../support/until.js';
import { slackDriver } from './slack-driver.js';

const TOKEN = 'ghp_e2e_deployments_token';
const STAGING_URL = 'https://staging.shop.example.com';

let prepared: Prepared | undefined;
let github: FakeGithub | undefined;
afterEach(async () => {
  await prepared?.close();
  prepared = undefined;
  await github?.close();
  github = undefined;
});

type StoredConfig = { repo: string; integration: { steps: unknown[]; env?: Record<string, string> }; environments: Record<string, Record<string, unknown> & { servers: { static: Array<{ name: string }> } }> };

/**
 * igor on two real sshd hosts (staging on web-1, production on web-2), its app's `repo` a real git
 * repository served by the fake GitHub as `<fake>/acme/shop.git`, so the app is on "this GitHub"
 * (`GITHUB_API_URL` is the fake's `/api/v3`, as GitHub Enterprise Server serves it). Without
 * `token`, igor has no GITHUB_TOKEN. With `gate`, a deployment's tests wait for `openGate()`.
 */
async function start(options: { token?: boolean; staging?: Record<string, unknown>; gate?: boolean } = {}) {
  const api = (github = await startFakeGithub());
  const p = (prepared = await prepareHarness({ staging: { url: STAGING_URL, ...options.staging } }));
  const repo = await api.serveRepository('acme/shop', join(p.repo, '.git'));
  const config = parse(await readFile(p.configPath, 'utf8')) as StoredConfig;
  const staging = config.environments.staging!;
  const [web1, web2] = staging.servers.static;
  config.repo = repo;
  config.environments.production = { ...staging, url: undefined, channel: 'C0PROD', servers: { static: [web2!] } };
  staging.servers.static = [web1!];
  const gate = join(p.dir, 'gate');
  if (options.gate) config.integration = { steps: [{ name: 'unit', run: 'while [ ! -e "$GATE" ]; do sleep 0.05; done' }], env: { GATE: gate } };
  await writeFile(p.configPath, stringify(config));
  const githubOptions = { github: options.token === false ? {} : { token: TOKEN, apiUrl: api.apiUrl } };
  let { igor, logs } = await startIgor(p, githubOptions);
  const h = (): Harness => ({ ...p, igor, logs, eventsUrl: `${igor.url}/slack/events` });
  return {
    p,
    api,
    igor: () => igor,
    logs: () => logs,
    slack: () => slackDriver(h()),
    openGate: () => writeFile(gate, ''),
    /** igor again, on the same data folder, after `igor().stop()`. */
    async startAgain() {
      ({ igor, logs } = await startIgor(p, githubOptions));
    },
  };
}

type Setup = Awaited<ReturnType<typeof start>>;

/** Waits for igor's deployment `id` to reach one of `states`. */
function settled(t: Setup, id: string, ...states: Deployment['state'][]): Promise<Deployment> {
  return t.p.slack.waitFor(() => {
    const deployment = t.igor().pipeline.get(id);
    return deployment && states.includes(deployment.state) ? deployment : undefined;
  }, { what: `deployment ${id} to be ${states.join(' or ')}`, timeoutMs: 60_000 });
}

/** The GitHub Deployment made for igor's deployment `id`. */
function githubDeploymentOf(api: FakeGithub, id: string): RecordedDeployment | undefined {
  return api.deployments.find((entry) => (entry.request.payload as { igor?: { deployment?: string } }).igor?.deployment === id);
}

/** Waits until the GitHub Deployment of igor's deployment `id` has `count` statuses, and gives their states. */
async function githubStates(t: Setup, id: string, count: number, timeoutMs = 45_000): Promise<string[]> {
  return t.p.slack.waitFor(() => {
    const mirrored = githubDeploymentOf(t.api, id);
    const states = mirrored ? t.api.deploymentStates(Number(mirrored.deployment.id)) : [];
    return states.length >= count ? states : undefined;
  }, { what: `${count} GitHub statuses of deployment ${id}`, timeoutMs });
}

const statusesOf = (t: Setup, id: string) => t.api.deploymentStatuses.filter((status) => status.deploymentId === Number(githubDeploymentOf(t.api, id)!.deployment.id));

async function storedCalls(t: Setup): Promise<string[]> {
  const stored = JSON.parse(await readFile(join(t.p.dataDir, 'db.json'), 'utf8')) as { githubDeployments: { calls: Array<{ kind: string; deployment: string; body: { state?: string } }> } };
  return stored.githubDeployments.calls.map((call) => `${call.deployment} ${call.kind === 'create' ? 'create' : call.body.state}`);
}

describe("GitHub's deployments view", () => {
  it('mirrors a deploy to staging: a GitHub Deployment of the exact commit, then queued, in_progress and success, each linking to the deployment’s page', async () => {
    const t = await start();
    expect(await (await t.slack().slash('main to staging')).answer()).toContain('Deployment 1');
    await settled(t, '1', 'succeeded');
    expect(await githubStates(t, '1', 3)).toEqual(['queued', 'in_progress', 'success']);

    const mirrored = githubDeploymentOf(t.api, '1')!;
    expect(mirrored).toMatchObject({ owner: 'acme', repo: 'shop', authorization: `token ${TOKEN}` });
    // The commit itself (never the ref, which may move), no status checks (igor ran the tests), no merge.
    expect(mirrored.request).toMatchObject({ ref: t.p.sha, environment: 'staging', production_environment: false, required_contexts: [], auto_merge: false });
    expect(mirrored.request.payload).toEqual({ igor: { app: 'shop', deployment: '1', kind: 'deploy', ref: 'main' } });
    const page = `http://localhost:${new URL(t.igor().url).port}/console/deployments/1`;
    const statuses = statusesOf(t, '1');
    expect(statuses.map((status) => status.request.log_url)).toEqual([page, page, page]);
    expect(statuses.at(-1)!.request).toMatchObject({ state: 'success', environment_url: STAGING_URL, auto_inactive: false });
    expect(statuses.at(-1)!.request.description).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{7} is live on 1 host\(s\) of staging$/);
    // GitHub's id is kept on igor's deployment, and shown by the API.
    const view = await fetch(`${t.igor().url}/api/deployments/1`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(await view.json()).toMatchObject({ githubDeploymentId: mirrored.deployment.id });
  });

  it('mirrors a deployment that waited out a freeze once it starts, of the commit it resolved then', async () => {
    const t = await start({ staging: { freeze: [{ from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 10_000).toISOString() }] } });
    expect(await (await t.slack().slash('main to staging')).answer()).toContain('is queued: staging is frozen');
    await settled(t, '1', 'succeeded');
    expect(await githubStates(t, '1', 3)).toEqual(['queued', 'in_progress', 'success']);
    expect(githubDeploymentOf(t.api, '1')!.request).toMatchObject({ ref: t.p.sha, environment: 'staging' });
  });

  it('marks the deployment a later success replaced inactive (a deploy, then a rollback, mirrored too), itself and not by GitHub, and for good', async () => {
    const t = await start();
    await t.slack().slash('main to staging');
    await settled(t, '1', 'succeeded');
    await t.slack().slash('main to staging');
    await settled(t, '2', 'succeeded');
    expect(await githubStates(t, '1', 4)).toEqual(['queued', 'in_progress', 'success', 'inactive']);
    expect(await githubStates(t, '2', 3)).toEqual(['queued', 'in_progress', 'success']);
    const inactive = statusesOf(t, '1').at(-1)!;
    expect(inactive).toMatchObject({ automatic: false, request: { description: `replaced by igor deployment 2 (${t.igor().pipeline.get('2')!.release})` } });
    expect(t.api.deploymentStatuses.filter((status) => status.automatic)).toEqual([]);

    // A refused press on the replaced deployment changes its record, not what GitHub shows of it.
    const press = await fetch(`${t.igor().url}/api/deployments/1/approve`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ user: 'U0BOB' }) });
    expect(press.status).toBe(409);
    // A rollback is a GitHub Deployment too, of the commit it puts back, and replaces the second.
    await t.slack().slash('staging', 'U0ALICE', '/rollback');
    const rollback = await settled(t, '3', 'succeeded');
    // The calls go out in order: once the rollback's are through, anything the press queued would be too.
    expect(await githubStates(t, '3', 3)).toEqual(['queued', 'in_progress', 'success']);
    expect(githubDeploymentOf(t.api, '3')!.request).toMatchObject({ ref: rollback.sha, environment: 'staging', payload: { igor: { kind: 'rollback', ref: t.igor().pipeline.get('1')!.release } } });
    expect(await githubStates(t, '2', 4)).toEqual(['queued', 'in_progress', 'success', 'inactive']);
    expect(t.api.deploymentStates(Number(githubDeploymentOf(t.api, '1')!.deployment.id))).toEqual(['queued', 'in_progress', 'success', 'inactive']);
  }, 120_000);

  it('marks a deploy to production as a production environment', async () => {
    const t = await start();
    await t.slack().slash('main to production');
    await settled(t, '1', 'succeeded');
    expect(await githubStates(t, '1', 3)).toEqual(['queued', 'in_progress', 'success']);
    expect(githubDeploymentOf(t.api, '1')!.request).toMatchObject({ environment: 'production', production_environment: true });
    expect(statusesOf(t, '1').at(-1)!.request).not.toHaveProperty('environment_url');
  });

  it('ends a deploy whose rollout failed with failure, saying why', async () => {
    const t = await start({ staging: { steps: ['echo "disk full" >&2; exit 1'] } });
    await t.slack().slash('main to staging');
    const ended = await settled(t, '1', 'failed', 'rolled-back');
    expect(await githubStates(t, '1', 3)).toEqual(['queued', 'in_progress', 'failure']);
    expect(statusesOf(t, '1').at(-1)!.request.description).toBe(`${ended.state}: ${ended.reason}`);
  });

  it('finishes the deployment while GitHub answers 500, then delivers every status in order once it answers (after a 429 with Retry-After)', async () => {
    const t = await start();
    t.api.down(500);
    await t.slack().slash('main to staging');
    await settled(t, '1', 'succeeded');
    // igor asked, GitHub took nothing, and the deployment did not wait for it.
    expect(t.api.requests.length).toBeGreaterThan(0);
    expect(t.api.deployments).toEqual([]);
    t.api.failNext(429, 1, { 'retry-after': '1' });
    t.api.up();
    expect(await githubStates(t, '1', 3, 60_000)).toEqual(['queued', 'in_progress', 'success']);
    const retries = t.logs().filter((line) => line.msg === 'GitHub did not take a deployment call; it is kept and tried again');
    expect(retries.map((line) => line.error)).toContain('GitHub answered 500');
    expect(retries.find((line) => line.error === 'rate limited (429)')).toMatchObject({ retryInMs: 1_000 });
  }, 120_000);

  it('keeps what GitHub has not taken across a restart of igor, and delivers it afterwards to the GitHub Deployment it made before', async () => {
    const t = await start({ gate: true });
    await t.slack().slash('main to staging');
    expect(await githubStates(t, '1', 1)).toEqual(['queued']);
    t.api.down(502);
    await t.openGate();
    await settled(t, '1', 'succeeded');
    await t.igor().stop();
    // What the stopped igor left: in the store, in order.
    expect(await storedCalls(t)).toEqual(['1 in_progress', '1 success']);
    t.api.up();
    await t.startAgain();
    expect(await githubStates(t, '1', 3, 60_000)).toEqual(['queued', 'in_progress', 'success']);
    // GitHub's id was read from igor's deployment after the restart: still one GitHub Deployment.
    expect(t.api.deployments).toHaveLength(1);
    expect(t.igor().pipeline.get('1')!.githubDeploymentId).toBe(githubDeploymentOf(t.api, '1')!.deployment.id);
    await until('the store to let go of the calls GitHub took', async () => ((await storedCalls(t)).length === 0 ? true : undefined));
  }, 120_000);

  it('calls GitHub for nothing without GITHUB_TOKEN', async () => {
    const t = await start({ token: false });
    await t.slack().slash('main to staging');
    await settled(t, '1', 'succeeded');
    await t.igor().stop();
    expect(t.api.requests).toEqual([]);
    expect(await storedCalls(t)).toEqual([]);
  });
});
