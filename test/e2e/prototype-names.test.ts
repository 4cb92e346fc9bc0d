import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, startHarness, type Harness } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

/** Names that a plain object answers although nobody configured them. */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const GUEST = 'U0GUEST';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    environments: {
      production: {
        deployers: ['U0ALICE'],
        servers: { local: [{ name: 'prod-1', path: 'prod-1' }] },
      },
    },
  });
});
afterAll(async () => h?.close());

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${h.igor.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
}

describe('names that only a plain object knows', () => {
  it('are wrong names in every Slack command, and leave the permission rules and /healthz intact', async () => {
    const slack = slackDriver(h);
    const attempts = [
      ['/flags', 'set authorizedBy on __proto__'],
      ['/flags', 'set staging on __proto__'],
      ['/flags', 'set keys on constructor'],
      ['/flags', 'set constructor on staging'],
      ['/flags', 'set __proto__ on staging'],
      ['/flags', 'constructor'],
      ['/deploy', 'main to constructor'],
      ['/deploy', 'main to __proto__'],
      ['/deploy', 'lock toString no reason'],
      ['/deploy', 'unlock constructor'],
      ['/deploy', 'status hasOwnProperty'],
      ['/deploy', 'history valueOf'],
      ['/deploy', 'cancel prototype'],
      ['/rollback', 'constructor'],
    ] as const;
    for (const [command, text] of attempts) {
      const answer = await (await slack.slash(text, GUEST, command)).answer();
      expect(answer, `${command} ${text}`).toMatch(/no environment|reserved|expected|never ran/i);
    }

    expect(({} as Record<string, unknown>).authorizedBy).toBeUndefined();
    expect(typeof Object.keys).toBe('function');
    expect(h.igor.pipeline.manualLockOf('staging')).toBeNull();
    expect(h.igor.pipeline.lockOf('staging')).toBeNull();

    const refused = await (await slack.slash('main to production', GUEST)).answer();
    expect(refused).toContain('only the deployers of production');
    expect(h.igor.pipeline.list()).toHaveLength(0);
    expect((await fetch(`${h.igor.url}/healthz`)).status).toBe(200);
  });

  it('are wrong names in every API route that takes an environment or a flag key', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const segment = encodeURIComponent(name);
      const answers = [
        await api('PUT', `/api/flags/${segment}/authorizedBy`, { value: 'on', user: GUEST }),
        await api('PUT', `/api/flags/staging/${segment}`, { value: 'on', user: GUEST }),
        await api('GET', `/api/flags/${segment}/keys`),
        await api('DELETE', `/api/flags/${segment}/keys?user=${GUEST}`),
        await api('POST', `/api/environments/${segment}/lock`, { user: GUEST }),
        await api('GET', `/api/environments/${segment}`),
        await api('POST', '/api/deployments', { ref: 'main', environment: name, user: GUEST }),
        await api('POST', '/api/rollback', { environment: name, user: GUEST }),
        await api('GET', `/api/deployments?environment=${segment}`),
        await api('POST', '/api/commands', { command: name, text: '', user: GUEST }),
        await api('GET', `/flags/${segment}/flagd.json`),
        await api('POST', `/flags/${segment}/ofrep/v1/evaluate/flags`, { context: { targetingKey: 'u1' } }),
      ];
      for (const answer of answers) {
        expect(answer.status, `${name}: ${answer.text}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${name}: ${answer.text}`).toBeLessThan(500);
      }
    }
    expect(({} as Record<string, unknown>).authorizedBy).toBeUndefined();
    expect(h.igor.pipeline.list()).toHaveLength(0);
    const flags = (await (await fetch(`${h.igor.url}/flags/staging/flagd.json`)).json()) as { flags: Record<string, unknown> };
    expect(Object.keys(flags.flags)).toEqual([]);
    expect((await fetch(`${h.igor.url}/healthz`)).status).toBe(200);
  });
});
