import { describe, expect, it } from 'vitest';
import { integrationFingerprint, vouchesFor, type TestEvidence } from '../../src/integration/evidence.js';
import { configSchema } from '../../src/config/schema.js';

const config = (integration: Record<string, unknown>) =>
  configSchema.parse({ app: 'shop', repo: '/srv/shop.git', channels: { deploys: 'C0D' }, integration, environments: { staging: { servers: { local: [{ name: 'web-1', path: '/tmp/w' }] } } } }).integration;

const SHA = 'a'.repeat(40);
const settings = config({ setup: ['./populate.sh'], steps: [{ name: 'unit', run: 'npm test' }] });
const evidence = (over: Partial<TestEvidence> = {}): TestEvidence => ({
  source: 'test run 3',
  sha: SHA,
  integration: integrationFingerprint(settings),
  steps: [
    { name: 'setup', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', log: null },
    { name: 'unit', startedAt: '2026-01-01T00:00:01.000Z', finishedAt: '2026-01-01T00:00:03.000Z', log: '/data/logs/ci-3/unit.log' },
  ],
  ...over,
});

describe('test evidence', () => {
  it('vouches for the same commit under the same integration settings, with every step', () => {
    expect(vouchesFor(evidence(), SHA, settings, ['setup', 'unit'])).toBe(true);
  });

  it('does not vouch for another commit', () => {
    expect(vouchesFor(evidence(), 'b'.repeat(40), settings, ['setup', 'unit'])).toBe(false);
  });

  it('does not vouch once the integration settings changed: steps, commands, env or timeout', () => {
    for (const changed of [
      { setup: ['./populate.sh'], steps: [{ name: 'unit', run: 'npm test' }, { name: 'load', run: 'npm run load' }] },
      { setup: ['./populate.sh'], steps: [{ name: 'unit', run: 'npm run test:all' }] },
      { setup: ['./populate.sh'], steps: [{ name: 'unit', run: 'npm test' }], env: { DB: 'other' } },
      { setup: ['./populate.sh'], steps: [{ name: 'unit', run: 'npm test' }], timeout: '1m' },
    ]) {
      expect(vouchesFor(evidence(), SHA, config(changed), ['setup', 'unit'])).toBe(false);
    }
  });

  it('does not vouch when a step the deployment shows has no result', () => {
    expect(vouchesFor(evidence({ steps: evidence().steps.slice(1) }), SHA, settings, ['setup', 'unit'])).toBe(false);
  });

  it('fingerprints equal settings equally', () => {
    expect(integrationFingerprint(config({ steps: [{ name: 'unit', run: 'npm test' }] }))).toBe(integrationFingerprint(config({ steps: [{ name: 'unit', run: 'npm test' }] })));
  });
});
