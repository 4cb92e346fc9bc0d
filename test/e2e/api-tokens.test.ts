import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { ConfigError } from '../../src/config/load.js';
import { REFUSALS_KEPT } from '../../src/pipeline/audit.js';
import { API_TOKEN, startHarness, type Harness } from '../support/igor-harness.js';

const CI = 'ci-token-0123456789abcdef';
const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    apiTokens: `ci:${CI},alice:${ALICE}:U0ALICE,bob:${BOB}:U0BOB`,
    staging: { deployers: ['U0ALICE', 'U0BOB', 'U0CAROL'], approval: { mode: 'required', approvers: ['U0ALICE', 'U0BOB'], allowSelfApproval: false } },
  });
});
afterAll(async () => h?.close());

async function api(token: string, path: string, body?: Record<string, unknown>) {
  const response = await fetch(`${h.igor.url}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function awaitingApproval(id: string) {
  for (let i = 0; i < 200 && h.igor.pipeline.get(id)?.state !== 'awaiting-approval'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(h.igor.pipeline.get(id)?.state).toBe('awaiting-approval');
}

describe('named API tokens', () => {
  it('refuses self-approval across users named with one token that may act as anyone, and records the token', async () => {
    const started = await api(CI, '/api/deployments', { ref: 'main', user: 'U0ALICE' });
    expect(started.status).toBe(202);
    const id = String(started.body.id);
    await awaitingApproval(id);
    const approval = await api(CI, `/api/deployments/${id}/approve`, { user: 'U0BOB' });
    expect(approval.status).toBe(403);
    expect(approval.body.error).toMatch(/^this deployment was asked for with the same API token \(ci\), which may act as anyone, and environments\.staging\.approval\.allowSelfApproval is false/);
    expect(h.igor.pipeline.get(id)).toMatchObject({ requestedBy: 'U0ALICE', requestedVia: { via: 'api', token: 'ci', bound: false } });
    expect(h.igor.pipeline.get(id)!.audit.at(-1)).toMatchObject({ action: 'approve', user: 'U0BOB', via: 'api', token: 'ci', outcome: 'refused' });

    // A token bound to Bob is Bob: his approval counts, and is recorded as his.
    const approved = await api(BOB, `/api/deployments/${id}/approve`, {});
    expect(approved.status).toBe(200);
    expect(h.igor.pipeline.get(id)!.audit.at(-1)).toMatchObject({ action: 'approve', user: 'U0BOB', via: 'api', token: 'bob', outcome: 'done' });
  });

  it('lets a bound token act only as its user', async () => {
    const other = await api(ALICE, '/api/environments/staging/lock', { user: 'U0BOB', reason: 'not mine' });
    expect(other).toEqual({ status: 403, body: { error: 'this API token (alice) acts only as U0ALICE' } });
    const mine = await api(ALICE, '/api/environments/staging/lock', { reason: 'mine' });
    expect(mine.status).toBe(200);
    expect(h.igor.pipeline.manualLockOf('staging')).toMatchObject({ user: 'U0ALICE', reason: 'mine' });
    expect((await api(ALICE, '/api/environments/staging/unlock', {})).status).toBe(200);
  });

  it('keeps IGOR_API_TOKEN working, under the name default', async () => {
    const listed = await api(API_TOKEN, '/api/deployments');
    expect(listed.status).toBe(200);
    expect((await api('not-a-token-at-all', '/api/deployments')).status).toBe(401);
  });

  it('collapses a press refused a thousand times into one audit entry, and keeps a bounded number of refusals', async () => {
    for (let i = 0; i < 300 && h.igor.pipeline.lockOf('staging'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const started = await api(CI, '/api/deployments', { ref: 'main', user: 'U0CAROL' });
    const id = String(started.body.id);
    await awaitingApproval(id);
    for (let i = 0; i < 1_000; i++) expect((await api(CI, `/api/deployments/${id}/approve`, { user: 'U0CAROL' })).status).toBe(403);
    const audit = h.igor.pipeline.get(id)!.audit;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'approve', user: 'U0CAROL', outcome: 'refused', count: 1_000 });
    for (let i = 0; i < REFUSALS_KEPT + 10; i++) await api(CI, `/api/deployments/${id}/reject`, { user: `U0GUEST${i}` });
    expect(h.igor.pipeline.get(id)!.audit.filter((entry) => entry.outcome === 'refused')).toHaveLength(REFUSALS_KEPT);
    await api(CI, `/api/deployments/${id}/cancel`, { user: 'U0CAROL' });
  });
});

describe('IGOR_API_TOKENS that cannot be used', () => {
  it.each([
    ['short:abc', 'IGOR_API_TOKENS entry "short": the token must be at least 16 characters'],
    ['Bad Name:0123456789abcdef', 'IGOR_API_TOKENS entry "Bad Name": a token\'s name is lower-case letters, digits, "-" or "_"'],
    ['bob:0123456789abcdef:bob', 'IGOR_API_TOKENS entry "bob": bob is not a Slack user id such as U0ALICE'],
    ['a:0123456789abcdef,a:fedcba9876543210', 'IGOR_API_TOKENS entry "a": the name is used twice'],
  ])('stops start-up for %s, naming the entry', async (tokens, message) => {
    const starting = createApp({ configPath: h.configPath, dataDir: h.dataDir, port: 0, apiTokens: tokens, logLevel: 'silent', processEnv: { PATH: process.env.PATH!, HOME: h.home, USER: userInfo().username } });
    await expect(starting).rejects.toThrow(ConfigError);
    await expect(starting).rejects.toThrow(message);
  });
});
