import { emptyIgorData, type IgorData } from '../../src/igor-data.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock, type Clock } from '../../src/shared/clock.js';
import { createPipelineEvents } from '../../src/pipeline/events.js';
import { createProgress } from '../../src/pipeline/progress.js';
import { createRecorder } from '../../src/pipeline/records.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { openStore, type Store } from '../../src/store/db.js';

let dir: string;
let store: Store<IgorData>;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-progress-'));
  store = await openStore(join(dir, 'db.json'), pino({ level: 'silent' }), emptyIgorData);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Ticks a millisecond per reading, so every line has its own time. */
function tickingClock(): Clock {
  let ms = Date.parse('2026-01-01T12:00:00.000Z');
  return { now: () => new Date(ms++), schedule: systemClock.schedule };
}

function deployment(): Deployment {
  const at = '2026-01-01T12:00:00.000Z';
  return {
    id: '1', kind: 'deploy', app: 'shop', ref: 'main', sha: 'a'.repeat(40), release: null, environment: 'staging', state: 'deploying', reason: null,
    requestedBy: 'U0ALICE', approvedBy: 'policy', rejectedBy: null, approval: null, audit: [], retryOf: null, createdAt: at, updatedAt: at, finishedAt: null,
    steps: [{ name: 'deploy', state: 'running', startedAt: at, finishedAt: null }],
    hosts: [{ host: 'web-1', state: 'deploying', release: null, previousRelease: null, error: null }],
    thread: null,
  };
}

describe('deployment progress', () => {
  it("writes a host's log lines in the order they were reported, also when nobody waits for them", async () => {
    const events = createPipelineEvents();
    const clock = tickingClock();
    const progress = createProgress({ recorder: createRecorder(store, events, clock), events, clock });
    const d = deployment();
    store.data.deployments.push(d);
    const logFile = join(dir, 'logs', '1', 'deploy.log');
    const phases = Array.from({ length: 40 }, (_, i) => `phase-${i}`);
    // As the rollout does it: phases are reported with `void`, the end is awaited.
    for (const phase of phases) void progress.host(d, 'web-1', { phase }, logFile, phase);
    await progress.host(d, 'web-1', { state: 'succeeded', phase: null }, logFile, 'done');
    const lines = (await readFile(logFile, 'utf8')).trim().split('\n');
    expect(lines.map((line) => line.split(' ').slice(2).join(' '))).toEqual([...phases, 'done']);
    expect(d.hosts[0]).toMatchObject({ state: 'succeeded', phase: null });
  });

  it("records a host's phase at once, announces it at once, and saves it within a moment without holding up the rollout", async () => {
    const path = join(dir, 'phases.json');
    const coalesced = await openStore(path, pino({ level: 'silent' }), emptyIgorData, { coalesceMs: 50 });
    const events = createPipelineEvents();
    const heard: string[] = [];
    events.on((event) => heard.push(event.type));
    const clock = tickingClock();
    const progress = createProgress({ recorder: createRecorder(coalesced, events, clock), events, clock });
    const d = deployment();
    coalesced.data.deployments.push(d);
    const logFile = join(dir, 'logs', '1', 'deploy.log');

    for (const phase of ['upload', 'unpack', 'steps']) progress.phase(d, 'web-1', { phase }, logFile, phase);

    expect(d.hosts[0]!.phase).toBe('steps');
    expect(heard).toEqual(['changed', 'changed', 'changed']);
    const saved = async () => (JSON.parse(await readFile(path, 'utf8')) as IgorData).deployments[0]?.hosts[0]?.phase;
    await vi.waitFor(async () => expect(await saved()).toBe('steps'), { timeout: 2_000, interval: 10 });
    await vi.waitFor(async () => expect((await readFile(logFile, 'utf8')).trim().split('\n').map((line) => line.split(' ').at(-1))).toEqual(['upload', 'unpack', 'steps']));
  });
});
