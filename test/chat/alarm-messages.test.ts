// Every time an alarm or a flag list shows, as each reader's own (Slack's date token), never raw ISO.
import { describe, expect, it } from 'vitest';
import { newAlarm } from '../../src/alarms/model.js';
import { alarmMessage } from '../../src/chat/alarm-messages.js';
import { flagListMessage } from '../../src/flags/messages.js';

const token = (iso: string) => `<!date^${Date.parse(iso) / 1_000}^{date_short_pretty} at {time}|${iso.slice(0, 16).replace('T', ' ')} UTC>`;
const ISO_WITH_MS = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

describe('times in alarms and flag lists', () => {
  const since = '2026-12-03T10:00:00.000Z';
  const alarm = newAlarm('A3', { key: 'health:production', source: 'monitor', severity: 'critical', environment: 'production', hosts: ['web-1'], summary: 'web-1 fails its health check' }, new Date(since));

  it('show since when an alarm fires, who has it since when, and until when it is silenced', () => {
    const acknowledged = { ...alarm, state: 'acknowledged' as const, count: 3, lastSeen: '2026-12-03T10:05:00.000Z', acknowledgedBy: 'U0BOB', acknowledgedAt: '2026-12-03T10:02:00.000Z' };
    const text = JSON.stringify(alarmMessage(acknowledged, '2026-12-03T11:02:00.000Z').blocks);
    expect(text).toContain(`${token(since)} · fired 3 times, last ${token('2026-12-03T10:05:00.000Z')}`);
    expect(text).toContain(`<@U0BOB> since ${token('2026-12-03T10:02:00.000Z')}`);
    expect(text).toContain(`silenced until ${token('2026-12-03T11:02:00.000Z')}`);
    expect(text).not.toMatch(ISO_WITH_MS);
  });

  it('show when an alarm was resolved', () => {
    const resolved = { ...alarm, state: 'resolved' as const, resolvedAt: '2026-12-03T10:30:00.000Z' };
    expect(JSON.stringify(alarmMessage(resolved, null).blocks)).toContain(`resolved ${token('2026-12-03T10:30:00.000Z')}`);
  });

  it('show when each flag was last changed', () => {
    const list = flagListMessage('production', { checkout: { value: 'on', updatedBy: 'U0ALICE', updatedAt: since } }, 'http://igor.example');
    expect(list.text).toContain(`\`checkout\`: *on* · <@U0ALICE> · ${token(since)}`);
    expect(list.text).not.toMatch(ISO_WITH_MS);
  });
});
