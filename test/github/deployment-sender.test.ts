import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createGithubClient } from '../../src/github/client.js';
import { emptyGithubDeploymentsData, type NewGithubCall } from '../../src/github/deployments/calls.js';
import { createGithubCallSender, type GithubCallSender } from '../../src/github/deployments/sender.js';
import { newGithubDeployment } from '../../src/github/deployments/statuses.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';
import { manualClock, type ManualClock } from '../support/manual-clock.js';
import { until } from '../support/until.js';
import { deployment as recorded, R1 } from '../pipeline/history-fixtures.js';

const TOKEN = 'ghp_sender_test_token';
const repository = { owner: 'acme', name: 'shop' };

let github: FakeGithub | undefined;
const senders: GithubCallSender[] = [];
afterEach(async () => {
  for (const sender of senders.splice(0)) await sender.stop();
  await github?.close();
  github = undefined;
});

/** A sender against the fake GitHub, on a store held in memory (shared by `restarted`), with a held clock. */
async function setup(options: { timeoutMs?: number } = {}) {
  const api = (github = await startFakeGithub());
  const clock = manualClock();
  const store = { data: emptyGithubDeploymentsData(), writes: 0, async write() { store.writes++; }, writeSoon() { store.writes++; } };
  const deployments = new Map<string, Deployment>([['1', recorded('1', R1, 'queued', [])]]);
  const logs: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _encoding, done) => void (logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }));
  const make = () => {
    const sender = createGithubCallSender({
      store,
      octokit: createGithubClient({ token: TOKEN, apiUrl: api.apiUrl, log, ...options }),
      deploymentOf: (call) => deployments.get(call.deployment),
      keepGithubId: (_call, deployment, id) => void (deployment.githubDeploymentId = id),
      publicUrl: () => 'https://igor.example.com',
      log,
      clock,
    });
    senders.push(sender);
    return sender;
  };
  return { api, clock, store, deployments, logs, sender: make(), restarted: make };
}

/** The GitHub Deployment of deployment 1, then its queued, in_progress and success statuses. */
function story(deployments: Map<string, Deployment>): NewGithubCall[] {
  const base = { deployment: '1', app: 'shop', repository };
  const body = newGithubDeployment({ ...deployments.get('1')!, sha: deployments.get('1')!.sha! }, false);
  return [
    { ...base, kind: 'create', body },
    { ...base, kind: 'status', body: { state: 'queued', description: 'queued' } },
    { ...base, kind: 'status', body: { state: 'in_progress', description: 'deploying' } },
    { ...base, kind: 'status', body: { state: 'success', description: 'live' } },
  ];
}

/** Waits (in real time: the calls are real HTTP) until GitHub has had `count` requests. */
const requests = (api: FakeGithub, count: number) => until(`${count} requests to GitHub`, async () => (api.requests.length >= count ? true : undefined));

/** Moves the held clock by `ms`, then lets what that starts reach the fake GitHub. */
async function advance(clock: ManualClock, ms: number) {
  await clock.advance(ms);
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('the calls to GitHub’s deployments API', () => {
  it('makes the GitHub Deployment, keeps its id on the deployment, then sends its statuses in order with the deployment’s page', async () => {
    const { api, sender, deployments, store } = await setup();
    await sender.enqueue(story(deployments));
    sender.start();
    await requests(api, 4);
    expect(api.deployments).toHaveLength(1);
    expect(api.deployments[0]).toMatchObject({ owner: 'acme', repo: 'shop', request: { ref: deployments.get('1')!.sha, environment: 'staging', required_contexts: [], auto_merge: false } });
    expect(api.deployments[0]!.authorization).toBe(`token ${TOKEN}`);
    expect(deployments.get('1')!.githubDeploymentId).toBe(api.deployments[0]!.deployment.id);
    expect(api.deploymentStates(1)).toEqual(['queued', 'in_progress', 'success']);
    expect(api.deploymentStatuses.map((status) => status.request)).toEqual(
      ['queued', 'in_progress', 'success'].map((state) => expect.objectContaining({ state, log_url: 'https://igor.example.com/console/deployments/1', auto_inactive: false })),
    );
    await until('the queue to empty', async () => (store.data.githubDeployments.calls.length === 0 ? true : undefined));
  });

  it('keeps every call while GitHub answers 500, trying again after 1 s, then 2 s, and sends them all in order once it answers', async () => {
    const { api, sender, deployments, clock } = await setup();
    api.failNext(500, 2);
    await sender.enqueue(story(deployments));
    sender.start();
    await requests(api, 1);
    await advance(clock, 999);
    expect(api.requests).toHaveLength(1);
    await advance(clock, 1);
    await requests(api, 2);
    await advance(clock, 1_999);
    expect(api.requests).toHaveLength(2);
    await advance(clock, 1);
    await requests(api, 6);
    expect(api.deployments).toHaveLength(1);
    expect(api.deploymentStates(1)).toEqual(['queued', 'in_progress', 'success']);
  });

  it('waits as long as a 429’s Retry-After says, and says so in the log', async () => {
    const { api, sender, deployments, clock, logs } = await setup();
    api.failNext(429, 1, { 'retry-after': '7' });
    await sender.enqueue(story(deployments));
    sender.start();
    await requests(api, 1);
    await advance(clock, 6_999);
    expect(api.requests).toHaveLength(1);
    await advance(clock, 1);
    await requests(api, 5);
    expect(api.deploymentStates(1)).toEqual(['queued', 'in_progress', 'success']);
    expect(logs.find((line) => line.msg === 'GitHub did not take a deployment call; it is kept and tried again')).toMatchObject({ level: 40, retryInMs: 7_000, error: 'rate limited (429)', call: 'create' });
  });

  it('gives up on a call GitHub does not answer within its timeout, and tries it again after the back-off', async () => {
    const { api, sender, deployments, clock, logs } = await setup({ timeoutMs: 300 });
    api.hangNext(1);
    await sender.enqueue(story(deployments));
    sender.start();
    const retry = await until('the timed-out call to be kept for a retry', async () => logs.find((line) => line.msg === 'GitHub did not take a deployment call; it is kept and tried again'));
    expect(retry).toMatchObject({ call: 'create', retryInMs: 1_000, error: expect.stringContaining('timeout') });
    await advance(clock, 1_000);
    await requests(api, 5);
    expect(api.deployments).toHaveLength(1);
    expect(api.deploymentStates(1)).toEqual(['queued', 'in_progress', 'success']);
  });

  it('drops a deployment GitHub refuses the token for with one line naming GITHUB_TOKEN, and its statuses without asking GitHub', async () => {
    const { api, sender, deployments, logs, store } = await setup();
    api.failNext(401, 1);
    await sender.enqueue(story(deployments));
    sender.start();
    await until('the queue to empty', async () => (store.data.githubDeployments.calls.length === 0 ? true : undefined));
    expect(api.requests).toEqual(['POST /repos/acme/shop/deployments']);
    const warnings = logs.filter((line) => (line.level as number) >= 40);
    expect(warnings.map((line) => line.msg)).toEqual(['GitHub refused GITHUB_TOKEN (401): the GitHub Deployment of igor deployment 1 was dropped; set a valid token']);
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });

  it('sends after a restart what was still waiting when igor stopped, in order', async () => {
    const { api, sender, deployments, restarted } = await setup();
    api.down(503);
    await sender.enqueue(story(deployments));
    sender.start();
    await requests(api, 1);
    await sender.stop();
    expect(api.deployments).toEqual([]);
    api.up();
    const again = restarted();
    again.start();
    await requests(api, 5);
    expect(api.deployments).toHaveLength(1);
    expect(api.deploymentStates(1)).toEqual(['queued', 'in_progress', 'success']);
  });
});
