import { emptyIgorData } from '../../src/igor-data.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dueReminder, type AlarmInput } from '../../src/alarms/model.js';
import { createAlarms, LIVE_PER_ENVIRONMENT, type AlarmChange } from '../../src/alarms/service.js';
import { RefusedError } from '../../src/shared/refusal.js';
import { systemClock } from '../../src/shared/clock.js';
import { openStore } from '../../src/store/db.js';

let dir: string;
let now: Date;
const clock = { now: () => now, schedule: systemClock.schedule };
const input: AlarmInput = { key: 'monitor:production:web-1', source: 'monitor', severity: 'critical', environment: 'production', hosts: ['web-1'], summary: 'web-1 is down' };

async function make() {
  const store = await openStore(join(dir, 'db.json'), pino({ level: 'silent' }), emptyIgorData);
  const alarms = createAlarms({ store, clock, log: pino({ level: 'silent' }) });
  const changes: AlarmChange['type'][] = [];
  alarms.on((change) => changes.push(change.type));
  return { store, alarms, changes };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-alarms-'));
  now = new Date('2026-11-26T10:00:00Z');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('many alarms at once', () => {
  it('writes the store once for a batch, and announces only after that write', async () => {
    const { store, alarms, changes } = await make();
    let writes = 0;
    const write = store.write.bind(store);
    (store as { write: () => Promise<void> }).write = () => {
      writes++;
      expect(changes).toHaveLength(0);
      return write();
    };
    await alarms.batch(async () => {
      for (let i = 0; i < 10; i++) await alarms.raise({ ...input, key: `k${i}`, hosts: [`web-${i}`] });
      await alarms.resolveKey('k3', 'fine again');
    });
    expect(writes).toBe(1);
    expect(changes).toEqual([...Array<string>(10).fill('raised'), 'resolved']);
  });

  it(`shows at most ${LIVE_PER_ENVIRONMENT} firing alarms per environment, and counts the rest in one summary`, async () => {
    const { alarms } = await make();
    for (let i = 0; i < LIVE_PER_ENVIRONMENT + 30; i++) await alarms.raise({ ...input, key: `k${i}`, summary: `alarm ${i}` });
    await alarms.raise({ ...input, key: 'other', environment: 'staging' });
    const live = alarms.live();
    expect(live.filter((alarm) => alarm.environment === 'production')).toHaveLength(LIVE_PER_ENVIRONMENT + 1);
    expect(live.find((alarm) => alarm.key === 'overflow:production')).toMatchObject({ count: 30, summary: `30 more alarm(s) are firing in production than igor shows one by one (at most ${LIVE_PER_ENVIRONMENT})`, detail: `latest: alarm ${LIVE_PER_ENVIRONMENT + 29}` });
    expect(live.filter((alarm) => alarm.environment === 'staging')).toHaveLength(1);
  });
});

describe('the alarm model', () => {
  it('counts a live alarm that fires again instead of raising a second one', async () => {
    const { alarms, changes } = await make();
    const first = await alarms.raise(input);
    now = new Date('2026-11-26T10:01:00Z');
    const again = await alarms.raise({ ...input, summary: 'web-1 is still down' });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ count: 2, since: '2026-11-26T10:00:00.000Z', lastSeen: '2026-11-26T10:01:00.000Z', summary: 'web-1 is still down' });
    expect(alarms.list()).toHaveLength(1);
    expect(changes).toEqual(['raised', 'fired-again']);
  });

  it('starts a new occurrence when the key fires again after it resolved', async () => {
    const { alarms } = await make();
    const first = await alarms.raise(input);
    await alarms.resolveKey(input.key, 'healthy again');
    const second = await alarms.raise(input);
    expect(second.id).not.toBe(first.id);
    expect(alarms.list().map((alarm) => alarm.state)).toEqual(['firing', 'resolved']);
  });

  it('records who acknowledged, and refuses to acknowledge twice or after it resolved', async () => {
    const { alarms } = await make();
    const alarm = await alarms.raise(input);
    await alarms.acknowledge(alarm.id, 'U0ALICE');
    expect(alarm).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'U0ALICE', acknowledgedAt: '2026-11-26T10:00:00.000Z' });
    await expect(alarms.acknowledge(alarm.id, 'U0BOB')).rejects.toThrow(/acknowledged already by U0ALICE$/);
    await alarms.resolve(alarm.id, 'U0ALICE');
    await expect(alarms.acknowledge(alarm.id, 'U0BOB')).rejects.toBeInstanceOf(RefusedError);
    expect(alarm.history.map((event) => [event.action, event.user])).toEqual([
      ['fired', null],
      ['acknowledged', 'U0ALICE'],
      ['resolved', 'U0ALICE'],
    ]);
  });

  it('silences a key until the silence ends, also across occurrences', async () => {
    const { alarms } = await make();
    const alarm = await alarms.raise(input);
    await alarms.silence(alarm.id, 'U0BOB', 3_600_000);
    expect(alarms.silencedUntil(input.key)).toBe('2026-11-26T11:00:00.000Z');
    now = new Date('2026-11-26T10:59:59Z');
    expect(alarms.silencedUntil(input.key)).not.toBeNull();
    now = new Date('2026-11-26T11:00:01Z');
    expect(alarms.silencedUntil(input.key)).toBeNull();
  });

  it('keeps alarms across a restart of the store', async () => {
    const { alarms } = await make();
    await alarms.raise(input);
    const reopened = await make();
    expect(reopened.alarms.live().map((alarm) => alarm.key)).toEqual([input.key]);
  });

  it('is due a reminder only while critical, firing and unacknowledged for remindAfter', async () => {
    const { alarms } = await make();
    const alarm = await alarms.raise(input);
    expect(dueReminder(alarm, 600_000, new Date('2026-11-26T10:09:59Z'))).toBe(false);
    expect(dueReminder(alarm, 600_000, new Date('2026-11-26T10:10:00Z'))).toBe(true);
    now = new Date('2026-11-26T10:10:00Z');
    await alarms.remind(alarm);
    expect(dueReminder(alarm, 600_000, new Date('2026-11-26T10:15:00Z'))).toBe(false);
    expect(dueReminder(alarm, 600_000, new Date('2026-11-26T10:20:00Z'))).toBe(true);
    await alarms.acknowledge(alarm.id, 'U0ALICE');
    expect(dueReminder(alarm, 600_000, new Date('2026-11-26T11:00:00Z'))).toBe(false);
    expect(dueReminder({ ...alarm, state: 'firing', severity: 'warning' }, 1, new Date('2026-11-26T11:00:00Z'))).toBe(false);
  });
});
