import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../../src/alarms/model.js';
import { homeView, peopleOf, type HomeEnvironment } from '../../../src/chat/home/view.js';
import type { Deployment } from '../../../src/pipeline/types.js';
import { createLocalDirectory } from '../../../src/shared/directory.js';
import { buttonsOf, textOf } from '../../support/fake-slack.js';

const NOW = new Date('2026-12-03T12:00:00Z');
const directory = createLocalDirectory({ U0ALICE: 'Alice', U0BOB: 'Bob' });

const alarm = (fields: Partial<Alarm>): Alarm =>
  ({ id: 'A1', key: 'k', source: 'monitor', severity: 'critical', app: 'shop', environment: 'production', hosts: [], summary: 'web-1 <!here> is down', detail: null, runbookUrl: null, link: null, labels: {}, deploymentId: '4', state: 'firing', since: '2026-12-03T11:58:00Z', lastSeen: '2026-12-03T11:59:00Z', count: 1, acknowledgedBy: null, acknowledgedAt: null, resolvedAt: null, remindedAt: null, history: [], message: null, ...fields }) as Alarm;

const live = { id: '4', kind: 'deploy', app: 'shop', ref: 'main', sha: '0123456789abcdef', release: '20261203T100000Z-0123456', requestedBy: 'U0ALICE', state: 'succeeded', finishedAt: '2026-12-03T10:00:00Z', updatedAt: '2026-12-03T10:00:00Z', steps: [], hosts: [] } as unknown as Deployment;

const production = (fields: Partial<HomeEnvironment> = {}): HomeEnvironment => ({ label: 'production', live, release: live.release, lock: null, active: [], alarms: [], ...fields });

describe("the Home tab's view", () => {
  it("shows a firing alarm with the alarm's buttons, its summary escaped, and who acknowledged one by name", () => {
    const view = homeView([production({ alarms: [alarm({}), alarm({ id: 'A2', state: 'acknowledged', acknowledgedBy: 'U0BOB', deploymentId: null })] })], { directory, now: NOW, silencedUntil: (a) => (a.id === 'A2' ? '2026-12-03T13:00:00Z' : null) });
    const text = textOf({ blocks: view.blocks });
    expect(text).toContain('*web-1 &lt;!here&gt; is down* (critical) · since 2m ago');
    expect(text).toContain('acknowledged by Bob');
    expect(text).toContain('deployed by Alice');
    expect(text).toContain('2h 0m ago');
    expect(buttonsOf({ blocks: view.blocks }).map((button) => [button.text, button.action_id, button.value])).toEqual([
      ['Acknowledge', 'igor.acknowledge', 'A1'],
      ['Silence 1h', 'igor.silence', 'A1'],
      ['Rollback', 'igor.rollback', 'A1'],
    ]);
    // Block ids are unique in a view (Slack refuses one twice).
    const ids = view.blocks.map((block) => block.block_id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays within Slack\'s 100 blocks, saying how many environments are left out', () => {
    const many = Array.from({ length: 40 }, (_, index) => production({ label: `env-${index}` }));
    const view = homeView(many, { directory, now: NOW, silencedUntil: () => null });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    expect(textOf({ blocks: view.blocks.slice(-1) })).toMatch(/^\d+ more environment\(s\) do not fit here/);
  });

  it('names the people it shows, to look their names up first', () => {
    expect(peopleOf([production({ lock: { user: 'U0CAROL', reason: null, since: NOW.toISOString() }, alarms: [alarm({ acknowledgedBy: 'U0BOB' })] })])).toEqual(['U0ALICE', 'U0CAROL', 'U0BOB']);
  });
});
