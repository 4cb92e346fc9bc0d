import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { createApp, type Igor } from '../../src/app.js';
import { createExampleRepository } from '../../src/example/repository.js';
import { cleanHome } from '../support/clean-home.js';
import { emptyIgorData, type IgorData } from '../../src/igor-data.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { commitFiles } from '../support/example-changes.js';

const TOKEN = 'igor-store-test-token';
let dir: string;
let repo: string;
let running: Igor | null = null;
const dataDir = () => join(dir, 'data');
const historyDir = () => join(dataDir(), 'history', 'deployments');
const readDb = async () => JSON.parse(await readFile(join(dataDir(), 'db.json'), 'utf8')) as IgorData;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-store-app-'));
  repo = join(dir, 'repo');
  await createExampleRepository(repo);
  const servers = ['web-1', 'web-2'].map((name) => ({ name, path: join(dir, 'hosts', name) }));
  const config = { app: 'shop', repo, channels: { deploys: 'C0DEPLOYS' }, integration: { steps: [] }, environments: { staging: { servers: { local: servers } } } };
  await writeFile(join(dir, 'igor.yml'), stringify(config));
});

afterEach(async () => {
  await running?.stop();
  running = null;
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<Igor> {
  await running?.stop();
  running = await createApp({
    configPath: join(dir, 'igor.yml'),
    dataDir: dataDir(),
    port: 0,
    apiToken: TOKEN,
    logLevel: 'silent',
    processEnv: { PATH: process.env.PATH!, HOME: await cleanHome(dir), USER: userInfo().username },
  });
  await running.start();
  return running;
}

async function api<T = Record<string, unknown>>(path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${running!.url}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const ids = async () => (await api<{ deployments: Deployment[] }>('/api/deployments')).body.deployments.map((d) => d.id);

async function finished(id: string): Promise<Deployment> {
  return vi.waitFor(
    async () => {
      const deployment = (await api<Deployment>(`/api/deployments/${id}`)).body;
      if (!deployment.finishedAt) throw new Error(`deployment ${id} is ${deployment.state}`);
      return deployment;
    },
    { timeout: 60_000, interval: 100 },
  );
}

/** A finished deployment as igor stores one, with a record per host. */
function stored(id: number, state: 'succeeded' | 'failed', release: string): Deployment {
  const at = `2026-11-0${id}T10:00:00.000Z`;
  return {
    id: String(id), kind: 'deploy', app: 'shop', ref: 'main', sha: String(id).repeat(40), release, environment: 'staging', state,
    reason: state === 'failed' ? 'the rollout stopped: web-2 failed its health check' : null,
    requestedBy: 'U0ALICE', requestedVia: { via: 'slack' }, approvedBy: 'policy', rejectedBy: null, approval: null, audit: [], retryOf: null,
    createdAt: at, updatedAt: at, finishedAt: at,
    steps: [{ name: 'deploy', state: state === 'failed' ? 'failed' : 'succeeded', startedAt: at, finishedAt: at }],
    hosts: ['web-1', 'web-2'].map((host) => ({ host, state: 'succeeded' as const, release, previousRelease: null, error: null, phase: null, switched: true })),
    thread: { channel: 'C0DEPLOYS', ts: `170000000${id}.000100` },
  };
}

describe("igor's store on disk", () => {
  it('opens a db.json written before the history (every deployment in it, finished ones too), finds them all, and finds them again at the next start', async () => {
    const deployments = [stored(1, 'succeeded', 'r1'), stored(2, 'succeeded', 'r2'), stored(3, 'failed', 'r3')];
    // One file with everything, as igor wrote it until now.
    await mkdir(dataDir(), { recursive: true });
    await writeFile(join(dataDir(), 'db.json'), JSON.stringify({ ...emptyIgorData(), nextDeploymentId: 4, deployments, hostKeys: { 'web-1': 'SHA256:abc' } }, null, 2));

    await start();
    expect(await ids()).toEqual(['3', '2', '1']);
    expect((await api<Deployment>('/api/deployments/2')).body).toMatchObject({ state: 'succeeded', release: 'r2', hosts: [{ host: 'web-1' }, { host: 'web-2' }] });
    const history = (await api<{ text: string }>('/api/commands', { command: '/deploy', text: 'history staging', user: 'U0ALICE' })).body.text;
    expect(history.split('\n').map((line) => / (\d+) · staging · /.exec(line)?.[1])).toEqual(['3', '2', '1']);
    expect((await readdir(historyDir())).sort()).toEqual(['1.json', '2.json', '3.json']);
    const db = await readDb();
    expect(db.deployments).toEqual([]);
    expect(db).toMatchObject({ nextDeploymentId: 4, hostKeys: { 'web-1': 'SHA256:abc' } });

    await start();
    expect(await ids()).toEqual(['3', '2', '1']);
    expect((await api<Deployment>('/api/deployments/3')).body).toMatchObject({ state: 'failed', release: 'r3' });
    // The next deployment goes on counting from where the old file was.
    const next = await api<{ id: string }>('/api/deployments', { ref: 'main', environment: 'staging', user: 'U0ALICE' });
    expect(next.body.id).toBe('4');
    await finished('4');
  });

  it('keeps finished deployments, and what happens to them later, through restarts: history, a refused press, a rollback to the release before', async () => {
    await start();
    const first = await api<{ id: string }>('/api/deployments', { ref: 'main', environment: 'staging', user: 'U0ALICE' });
    const release1 = (await finished(first.body.id)).release;
    await commitFiles(repo, { 'lib/greeting.js': "exports.greeting = (name) => 'hi, ' + name;\n" }, 'Say hi');
    const second = await api<{ id: string }>('/api/deployments', { ref: 'main', environment: 'staging', user: 'U0ALICE' });
    expect((await finished(second.body.id)).state).toBe('succeeded');
    expect((await readDb()).deployments).toEqual([]);
    expect((await readdir(historyDir())).sort()).toEqual(['1.json', '2.json']);

    await start();
    expect(await ids()).toEqual(['2', '1']);
    // A press on a finished deployment is refused, and the refusal kept in its audit.
    expect((await api('/api/deployments/1/approve', { user: 'U0BOB' })).status).toBe(409);
    const rollback = await api<{ id: string }>('/api/rollback', { environment: 'staging', user: 'U0ALICE' });
    expect(rollback.status).toBe(202);
    expect(await finished(rollback.body.id)).toMatchObject({ state: 'succeeded', release: release1 });

    await start();
    expect(await ids()).toEqual(['3', '2', '1']);
    expect((await api<Deployment>('/api/deployments/1')).body.audit).toMatchObject([{ action: 'approve', user: 'U0BOB', outcome: 'refused' }]);
    expect((await readDb()).deployments).toEqual([]);
  });
});
