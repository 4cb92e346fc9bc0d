import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createApp, type Igor } from '../../src/app.js';
import { createExampleRepository } from '../../src/example/repository.js';
import { cleanHome } from '../support/clean-home.js';

const TOKEN = 'api-token-for-tests';
let dir: string;
let igor: Igor;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-api-'));
  const repo = join(dir, 'repo');
  await createExampleRepository(repo);
  const config = {
    app: 'shop',
    repo,
    channels: { deploys: 'C0DEPLOYS' },
    integration: { steps: [{ name: 'unit', run: 'npm test' }] },
    environments: {
      staging: { servers: { local: [{ name: 'web-1', path: join(dir, 'web-1') }] } },
      production: { deployers: ['U0ALICE'], servers: { local: [{ name: 'web-1', path: join(dir, 'prod-1') }] } },
    },
  };
  await writeFile(join(dir, 'igor.yml'), stringify(config));
  igor = await createApp({
    configPath: join(dir, 'igor.yml'),
    dataDir: join(dir, 'data'),
    port: 0,
    apiToken: TOKEN,
    logLevel: 'silent',
    processEnv: { PATH: process.env.PATH!, HOME: await cleanHome(dir), USER: userInfo().username },
  });
  await igor.start();
});

afterAll(async () => {
  await igor?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function api(path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  const response = await fetch(`${igor.url}${path}`, { ...init, headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the control API', () => {
  it('answers /healthz without auth', async () => {
    expect(await api('/healthz', { token: null })).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('refuses /api without the bearer token, even from loopback, once a token is set', async () => {
    expect((await api('/api/deployments', { token: null })).status).toBe(401);
    const wrong = await api('/api/deployments', { token: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatch(/bearer token/);
  });

  it('starts a deployment and shows it in the list and on its own', async () => {
    const started = await api('/api/deployments', { method: 'POST', body: JSON.stringify({ ref: 'main', environment: 'staging', user: 'U0BOB' }) });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    expect(typeof id).toBe('string');
    const one = await api(`/api/deployments/${id}`);
    expect(one.body).toMatchObject({ id, kind: 'deploy', ref: 'main', environment: 'staging', requestedBy: 'U0BOB' });
    for (const key of ['sha', 'release', 'state', 'approvedBy', 'createdAt', 'updatedAt', 'steps', 'hosts']) expect(one.body).toHaveProperty(key);
    // Each step's log link is made from igor's public address (its port known only once it listens) as the answer is made.
    const steps = one.body.steps as Array<{ name: string; logUrl: string }>;
    expect(steps.map((step) => step.logUrl)).toEqual(steps.map((step) => `http://localhost:${new URL(igor.url).port}/api/deployments/${id}/logs/${step.name}`));
    const list = await api('/api/deployments?environment=staging');
    expect((list.body.deployments as Array<{ id: string }>)[0]!.id).toBe(id);
    // The one app this igor serves may be named, in the list and in a request.
    const ofApp = await api('/api/deployments?app=shop&environment=staging');
    expect((ofApp.body.deployments as Array<{ id: string; app: string }>)[0]).toMatchObject({ id, app: 'shop' });
    expect(await api('/api/deployments?app=shpo')).toMatchObject({ status: 404, body: { error: 'there is no app "shpo" (did you mean shop?); configured: shop' } });
    expect(await api('/api/deployments', { method: 'POST', body: JSON.stringify({ app: 'billing', ref: 'main', environment: 'staging', user: 'U0ALICE' }) })).toMatchObject({ status: 404, body: { error: 'there is no app "billing"; configured: shop' } });
    expect(await api('/api/deployments', { method: 'POST', body: JSON.stringify({ app: 5, ref: 'main' }) })).toMatchObject({ status: 400, body: { error: 'app must be a string' } });
    expect(await api('/api/rollback', { method: 'POST', body: JSON.stringify({ app: 'billing', environment: 'staging', user: 'U0ALICE' }) })).toMatchObject({ status: 404, body: { error: 'there is no app "billing"; configured: shop' } });
  });

  it('answers bad input, unknown things and refusals as JSON with the right status', async () => {
    expect(await api('/api/deployments', { method: 'POST', body: '{' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/JSON/) } });
    expect(await api('/api/deployments', { method: 'POST', body: JSON.stringify({}) })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/ref/) } });
    expect((await api('/api/deployments', { method: 'POST', body: JSON.stringify({ ref: 'main;reboot', environment: 'staging' }) })).status).toBe(400);
    expect((await api('/api/deployments', { method: 'POST', body: JSON.stringify({ ref: 'nope', environment: 'production', user: 'U0ALICE' }) })).status).toBe(404);
    expect((await api('/api/deployments', { method: 'POST', body: JSON.stringify({ ref: 'main', environment: 'moon' }) })).status).toBe(404);
    expect(await api('/api/deployments', { method: 'POST', body: JSON.stringify({ ref: 'main', environment: 'production', user: 'U0EVE' }) })).toMatchObject({
      status: 403,
      body: { error: expect.stringMatching(/deployers/) },
    });
    expect((await api('/api/deployments/999')).status).toBe(404);
    expect((await api('/api/nothing-here')).status).toBe(404);
  });

  it('answers 409 naming the holder when the environment is busy', async () => {
    const first = await api('/api/deployments', { method: 'POST', body: JSON.stringify({ ref: 'main', environment: 'production', user: 'U0ALICE' }) });
    expect(first.status).toBe(202);
    const second = await api('/api/deployments', { method: 'POST', body: JSON.stringify({ ref: 'main', environment: 'production', user: 'U0ALICE' }) });
    expect(second).toMatchObject({ status: 409, body: { error: expect.stringMatching(/production is busy: U0ALICE is deploying/) } });
  });
});
