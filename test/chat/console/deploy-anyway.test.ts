import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { shopConsoleConfig, startConsoleApp, type ConsoleApp } from '../../support/console-app.js';
import { until } from '../../support/until.js';

let dir: string | undefined;
let igor: ConsoleApp | undefined;

afterEach(async () => {
  await igor?.close();
  igor = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${igor!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Deploy anyway in the console', () => {
  it('takes the reason the console prompted for; only an approver of the environment may', async () => {
    dir = await mkdtemp(join(tmpdir(), 'igor-console-freeze-'));
    const config = parse(await shopConsoleConfig(dir)) as { environments: { production: Record<string, unknown> } };
    config.environments.production.freeze = [{ from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString(), reason: 'board meeting' }];
    igor = await startConsoleApp({ configYaml: stringify(config), dataDir: join(dir, 'data') });

    await post('/console/command', { command: '/deploy', text: 'main to production', user: 'U0ALICE', channel: 'C0PROD' });
    const deployment = await until('the queued deployment', async () => igor!.pipeline.list({ environment: 'production' })[0]);
    expect(deployment).toMatchObject({ state: 'queued', waiting: { freezeReason: 'board meeting' } });
    const press = (user: string, reason?: unknown) => post('/console/action', { action: 'igor.deploy-anyway', value: deployment.id, user, channel: 'C0PROD', ...(reason !== undefined ? { reason } : {}) });

    expect(await press('U0CAROL', 'the fix')).toMatchObject({ status: 200, body: { ok: false, text: expect.stringMatching(/only the approvers of production may deploy during its freeze/) } });
    expect(await press('U0BOB')).toMatchObject({ status: 200, body: { ok: false, text: expect.stringMatching(/a reason is required/) } });
    expect((await press('U0BOB', 7)).status).toBe(400);
    expect(await press('U0BOB', 'the fix')).toMatchObject({ status: 200, body: { ok: true } });
    await until('the deployment to start', async () => (deployment.state === 'awaiting-approval' ? true : undefined));
    expect(deployment.audit.filter((entry) => entry.action === 'deploy-anyway').map((entry) => [entry.user, entry.outcome])).toEqual([
      ['U0CAROL', 'refused'],
      ['U0BOB', 'refused'],
      ['U0BOB', 'done'],
    ]);
  });
});
