import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATCH_UP_MS, deploymentAlarms } from '../../src/alarms/from-deployments.js';
import { createAlarms } from '../../src/alarms/service.js';
import { emptyIgorData } from '../../src/igor-data.js';
import { systemClock } from '../../src/shared/clock.js';
import { openStore } from '../../src/store/db.js';
import { R1, R2, deployment, done, everywhere, untouched } from '../pipeline/history-fixtures.js';

const silent = pino({ level: 'silent' });
let dir: string;
// The fixtures finish deployment N on 2026-12-0N at 10:00.
const now = new Date('2026-12-02T12:00:00Z');
const clock = { now: () => now, schedule: systemClock.schedule };

async function make() {
  const store = await openStore(join(dir, 'db.json'), silent, emptyIgorData);
  const alarms = createAlarms({ store, clock, log: silent });
  return { store, alarms, fromDeployments: deploymentAlarms(alarms, () => 'http://igor.test') };
}

const failed = deployment('2', R2, 'failed', [done('web-1', R2, R1), untouched('web-2')], { reason: 'health check failed on web-1' });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-deployment-alarms-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("raising, at start, the alarms igor was killed before it saved (catchUp)", () => {
  it('raises the alarm of a deployment that failed in the last day and has none, linked to its page', async () => {
    const { alarms, fromDeployments } = await make();
    const raised = await fromDeployments.catchUp([everywhere('1', R1, null), failed], now);
    expect(raised.map((alarm) => alarm.key)).toEqual(['deployment:2']);
    expect(alarms.live()).toEqual([
      expect.objectContaining({ key: 'deployment:2', severity: 'critical', summary: 'Deployment 2 of `main` to staging failed', detail: 'health check failed on web-1', deploymentId: '2', link: 'http://igor.test/console/deployments/2' }),
    ]);
  });

  it('raises nothing for a deployment whose alarm was raised, even when someone resolved it since', async () => {
    const { alarms, fromDeployments } = await make();
    await fromDeployments.onEvent({ type: 'finished', deployment: failed });
    const [alarm] = alarms.live();
    await alarms.resolve(alarm!.id, 'U0ALICE', 'looked at it');
    expect(await fromDeployments.catchUp([failed], now)).toEqual([]);
    expect(alarms.live()).toEqual([]);
  });

  it('leaves alone what finished more than a day before the start, and deployments that went well', async () => {
    const { alarms, fromDeployments } = await make();
    const later = new Date(Date.parse(failed.finishedAt!) + CATCH_UP_MS + 1);
    expect(await fromDeployments.catchUp([everywhere('1', R1, null), failed], later)).toEqual([]);
    expect(alarms.live()).toEqual([]);
  });

  it('raises nothing when igor may have pruned the alarm: it keeps 500 resolved ones, all newer than the deployment', async () => {
    const { alarms, fromDeployments } = await make();
    await alarms.batch(async () => {
      for (let index = 0; index < 501; index++) {
        const alarm = await alarms.raise({ key: `monitor:staging:web-${index}`, source: 'monitor', severity: 'warning', environment: null, hosts: [], summary: 'down' });
        await alarms.resolve(alarm.id, null);
      }
    });
    expect(await fromDeployments.catchUp([failed], now)).toEqual([]);
  });
});
