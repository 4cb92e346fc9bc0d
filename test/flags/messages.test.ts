import { describe, expect, it } from 'vitest';
import { flagChangeMessage, flagListMessage, pushSummary } from '../../src/flags/messages.js';
import type { FlagChange, FlagRecord } from '../../src/flags/model.js';

const change = (overrides: Partial<FlagChange> = {}): FlagChange => ({
  id: '7',
  app: 'shop',
  environment: 'production',
  key: 'new-checkout',
  action: 'set',
  from: 'off',
  to: '25%',
  user: 'U0ALICE',
  at: '2025-01-01T00:00:00.000Z',
  undoOf: null,
  undoneBy: null,
  message: null,
  push: null,
  ...overrides,
});

describe('flag messages', () => {
  it('keep every section of a long flag list within what Slack accepts', () => {
    const flags: Record<string, FlagRecord> = {};
    for (let i = 0; i < 300; i++) flags[`flag-${String(i).padStart(3, '0')}`] = { value: '50%', updatedBy: 'U0ALICE', updatedAt: '2025-01-01T00:00:00.000Z' };
    const message = flagListMessage('production', flags, 'http://igor.example');
    const texts = message.blocks!.map((block) => (block as { text: { text: string } }).text.text);
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.length).toBeLessThanOrEqual(50);
    expect(Math.max(...texts.map((text) => text.length))).toBeLessThanOrEqual(3000);
    expect(texts.join('\n')).toBe(message.text);
  });

  it('name the hosts a push failed on, a few with their errors, and count the rest', () => {
    const hosts = Array.from({ length: 20 }, (_, i) => ({ host: `web-${i + 1}`, ok: i < 2, error: i < 2 ? null : `[flags] web-${i + 1}: connection refused` }));
    const summary = pushSummary({ error: null, hosts });
    expect(summary).toMatch(/^:warning: flags\.json pushed to 2\/20 hosts; failed: web-3 \(\[flags\] web-3: connection refused\); web-4/);
    expect(summary).toContain('web-10 ([flags] web-10: connection refused) and 10 more');
    expect(summary.length).toBeLessThan(2000);
    expect(pushSummary({ error: null, hosts: [] })).toBe('flags.json: no hosts to push to');
  });

  it('say what changed from what to what, and lose the Undo button once undone', () => {
    expect(flagChangeMessage(change()).text).toBe('<@U0ALICE> set `new-checkout` in production: off → 25%');
    const undone = flagChangeMessage(change({ undoneBy: { change: '8', user: 'U0BOB', at: '2025-01-01T00:01:00.000Z' } }));
    expect(JSON.stringify(undone.blocks)).toContain('undone by <@U0BOB> (change 8)');
    expect(JSON.stringify(undone.blocks)).not.toContain('igor.flag-undo');
  });
});
