/**
 * The queue and freeze windows on the real pipeline, with the clock injected: deployments wait in
 * their environment's queue holding nothing, start in order as it frees, and wait out a freeze
 * until the clock says it ended (also across a restart). Real parts otherwise: an example
 * repository, local servers in a temp dir, the store in a file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createExampleRepository } from '../../src/example/repository.js';
import { createLocalDiscovery } from '../../src/fleet/discovery/local.js';
import { createLocalTransport } from '../../src/fleet/transport/local.js';
import { emptyIgorData } from '../../src/igor-data.js';
import { createMirror } from '../../src/integration/mirror.js';
import { EnvironmentBusyError } from '../../src/pipeline/errors.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/service.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { slackUser } from '../../src/shared/actor.js';
import { openStore } from '../../src/store/db.js';
import { manualClock, type ManualClock } from '../support/manual-clock.js';

const git = promisify(execFile);

let dir: string;
let repo: string;
let clock: ManualClock;
const started: Pipeline[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-queue-'));
  repo = join(dir, 'repo');
  await createExampleRepository(repo);
  // 2026-12-04 is a Friday.
  clock = manualClock('2026-12-04T12:00:00Z');
});

afterEach(async () => {
  for (const pipeline of started.splice(0)) await pipeline.stop(5_000);
  await rm(dir, { recursive: true, force: true });
});

const ALICE = slackUser('U0ALICE');
const BOB = slackUser('U0BOB');
/** Approval by a person: a deployment holds the environment until someone decides. */
const HELD = { approval: { mode: 'required', approvers: ['U0CAROL'] } };

async function start(environment: Record<string, unknown> = HELD): Promise<Pipeline> {
  const dataDir = join(dir, 'data');
  const config = configSchema.parse({
    app: 'shop',
    repo,
    channels: { deploys: 'C0DEPLOYS' },
    integration: { steps: [] },
    environments: { production: { servers: { local: [{ name: 'web-1', path: join(dir, 'web-1') }] }, ...environment } },
  });
  const log = pino({ level: 'silent' });
  const store = await openStore(join(dataDir, 'db.json'), log, emptyIgorData);
  const pipeline = createPipeline({
    config,
    store,
    mirror: createMirror({ repo, cacheDir: join(dataDir, 'mirrors') }),
    discoveries: { production: createLocalDiscovery(config.environments.production!, dataDir) },
    connectors: { production: () => Promise.resolve(createLocalTransport({ home: dir })) },
    clock,
    dataDir,
    path: process.env.PATH ?? '/usr/bin:/bin',
    home: dir,
    log,
  });
  started.push(pipeline);
  return pipeline;
}

/** Waits (in real time, the clock held) until the deployment is in `state`. */
async function reaches(deployment: Deployment, state: Deployment['state']): Promise<void> {
  for (let i = 0; i < 600 && deployment.state !== state; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(deployment.state).toBe(state);
}

async function commit(file: string): Promise<string> {
  await writeFile(join(repo, file), file);
  await git('git', ['add', file], { cwd: repo });
  await git('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', file], { cwd: repo });
  return (await git('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
}

describe('the queue', () => {
  it('refuses a deploy to a busy environment with what Queue needs, creating no deployment', async () => {
    const igor = await start();
    const first = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    await reaches(first, 'awaiting-approval');
    const refusal = await igor.request({ ref: 'main', environment: 'production', actor: BOB }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(EnvironmentBusyError);
    expect((refusal as EnvironmentBusyError).queueable).toEqual({ app: 'shop', environment: 'production', ref: 'main' });
    expect(igor.list()).toHaveLength(1);
  });

  it('queues deploys that wait their turn holding nothing, and starts them in order with the ref resolved then', async () => {
    const igor = await start();
    const first = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    await reaches(first, 'awaiting-approval');
    const second = await igor.request({ ref: 'main', environment: 'production', actor: BOB, queue: true });
    const third = await igor.request({ ref: 'main', environment: 'production', actor: ALICE, queue: true });
    expect(second).toMatchObject({ state: 'queued', sha: null, waiting: { frozenUntil: null } });
    expect([igor.queuePosition(second), igor.queuePosition(third)]).toEqual([1, 2]);
    expect(igor.lockOf('production')?.deploymentId).toBe(first.id);

    // A commit pushed while it waits is the one it deploys.
    const newer = await commit('newer.txt');
    await igor.reject(first.id, slackUser('U0CAROL'));
    await reaches(second, 'awaiting-approval');
    expect(second).toMatchObject({ sha: newer, waiting: null, startedAt: clock.now().toISOString() });
    expect(igor.lockOf('production')?.deploymentId).toBe(second.id);
    expect(third.state).toBe('queued');
    expect(igor.queuePosition(third)).toBe(1);

    await igor.reject(second.id, slackUser('U0CAROL'));
    await reaches(third, 'awaiting-approval');
  });

  it('takes a queued deployment out of line with Cancel; the one behind moves up', async () => {
    const igor = await start();
    const first = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    await reaches(first, 'awaiting-approval');
    const second = await igor.request({ ref: 'main', environment: 'production', actor: BOB, queue: true });
    const third = await igor.request({ ref: 'main', environment: 'production', actor: BOB, queue: true });
    await igor.cancel(second.id, BOB);
    expect(second).toMatchObject({ state: 'cancelled', reason: 'cancelled by U0BOB' });
    expect(igor.waitingIn('production').map((deployment) => deployment.id)).toEqual([third.id]);
    expect(igor.lockOf('production')?.deploymentId).toBe(first.id);
    await igor.reject(first.id, slackUser('U0CAROL'));
    await reaches(third, 'awaiting-approval');
  });

  it('supersedes an autoDeploy commit waiting behind a newer one of the same branch', async () => {
    const igor = await start();
    const first = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    await reaches(first, 'awaiting-approval');
    const authorizedBy = 'environments.production.autoDeploy';
    const older = await igor.request({ ref: 'main', sha: await commit('a.txt'), environment: 'production', actor: BOB, authorizedBy, queue: true });
    const person = await igor.request({ ref: 'main', environment: 'production', actor: BOB, queue: true });
    const newer = await igor.request({ ref: 'main', sha: await commit('b.txt'), environment: 'production', actor: BOB, authorizedBy, queue: true });
    expect(older).toMatchObject({ state: 'cancelled', reason: `superseded by deployment ${newer.id}, a newer commit of main` });
    expect(igor.waitingIn('production').map((deployment) => deployment.id)).toEqual([person.id, newer.id]);
  });

  it('keeps the queue across a restart and starts it once the environment is free', async () => {
    const igor = await start();
    const first = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    await reaches(first, 'awaiting-approval');
    const second = await igor.request({ ref: 'main', environment: 'production', actor: BOB, queue: true });
    await igor.stop(1_000);
    started.splice(0);
    expect(first.state).toBe('interrupted');
    expect(second.state).toBe('queued');

    const again = await start();
    await again.recover();
    const waited = again.get(second.id)!;
    await reaches(waited, 'awaiting-approval');
    expect(waited.sha).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('freeze windows', () => {
  const WEEKEND = { freeze: [{ cron: '0 18 * * 5', duration: '62h', reason: 'weekend' }] };

  it('queues a deploy during a freeze, runs nothing of it, and starts it when the window closes', async () => {
    const igor = await start({ freeze: [{ from: '2026-12-04T11:00:00Z', to: '2026-12-04T13:00:00Z', reason: 'release party' }] });
    const deployment = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    expect(deployment).toMatchObject({ state: 'queued', waiting: { frozenUntil: '2026-12-04T13:00:00.000Z', freezeReason: 'release party' } });
    expect(deployment.steps.every((step) => step.state === 'pending')).toBe(true);
    expect(igor.lockOf('production')).toBeNull();

    await clock.advance(59 * 60_000);
    expect(deployment.state).toBe('queued');
    await clock.advance(60_000);
    await reaches(deployment, 'succeeded');
    expect(deployment.startedAt).toBe('2026-12-04T13:00:00.000Z');
  });

  it('freezes by a cron window in UTC from Friday 18:00 for 62 hours', async () => {
    clock = manualClock('2026-12-04T18:30:00Z');
    const igor = await start(WEEKEND);
    const deployment = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    expect(deployment.waiting).toMatchObject({ frozenUntil: '2026-12-07T08:00:00.000Z', freezeReason: 'weekend' });
    expect(igor.freezeOf('production')).toMatchObject({ start: new Date('2026-12-04T18:00:00Z'), end: new Date('2026-12-07T08:00:00Z') });
  });

  it('lets deploys through before the window, and says when the next one begins', async () => {
    clock = manualClock('2026-12-04T17:59:00Z');
    const igor = await start(WEEKEND);
    expect(igor.freezeOf('production')).toBeNull();
    expect(igor.nextFreezeOf('production')).toMatchObject({ start: new Date('2026-12-04T18:00:00Z'), reason: 'weekend' });
    const deployment = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    expect(deployment.waiting ?? null).toBeNull();
    await reaches(deployment, 'succeeded');
  });

  it('starts a deployment whose freeze closed while igor was stopped, as soon as igor starts again', async () => {
    const igor = await start({ freeze: [{ from: '2026-12-04T11:00:00Z', to: '2026-12-04T14:00:00Z' }] });
    const deployment = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    expect(deployment.state).toBe('queued');
    await igor.stop(1_000);
    started.splice(0);

    // Stopped for three hours: the window closed meanwhile, with no timer running.
    clock = manualClock('2026-12-04T15:00:00Z');
    const again = await start({ freeze: [{ from: '2026-12-04T11:00:00Z', to: '2026-12-04T14:00:00Z' }] });
    await again.recover();
    const waited = again.get(deployment.id)!;
    await reaches(waited, 'succeeded');
    expect(waited.startedAt).toBe('2026-12-04T15:00:00.000Z');
  });

  it('waits out a freeze of weeks, looking again each day, and starts when it ends', async () => {
    const igor = await start({ freeze: [{ from: '2026-12-04T00:00:00Z', to: '2027-01-04T00:00:00Z', reason: 'holidays' }] });
    const deployment = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    for (let day = 0; day < 30; day++) await clock.advance(24 * 3_600_000);
    expect(deployment).toMatchObject({ state: 'queued', waiting: { frozenUntil: '2027-01-04T00:00:00.000Z' } });
    await clock.advance(24 * 3_600_000);
    await reaches(deployment, 'succeeded');
  });

  it('never freezes /rollback', async () => {
    const windows = [{ from: '2026-12-04T13:00:00Z', to: '2026-12-04T20:00:00Z', reason: 'evening' }];
    const igor = await start({ freeze: windows });
    const first = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    await reaches(first, 'succeeded');
    await commit('second.txt');
    const second = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    await reaches(second, 'succeeded');
    await clock.advance(2 * 3_600_000);
    expect(igor.freezeOf('production')?.reason).toBe('evening');
    const rollback = await igor.requestRollback({ environment: 'production', actor: BOB });
    expect(rollback.waiting ?? null).toBeNull();
    await reaches(rollback, 'succeeded');
    expect(rollback.release).toBe(first.release);
  });

  it('recomputes the freeze on start: a window added to the config while igor was stopped holds the queue', async () => {
    const igor = await start();
    const first = await igor.request({ ref: 'main', environment: 'production', actor: ALICE });
    await reaches(first, 'awaiting-approval');
    const second = await igor.request({ ref: 'main', environment: 'production', actor: BOB, queue: true });
    await igor.stop(1_000);
    started.splice(0);

    const again = await start({ ...HELD, freeze: [{ from: '2026-12-04T11:00:00Z', to: '2026-12-04T16:00:00Z', reason: 'incident' }] });
    await again.recover();
    const waited = again.get(second.id)!;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(waited).toMatchObject({ state: 'queued', waiting: { frozenUntil: '2026-12-04T16:00:00.000Z', freezeReason: 'incident' } });
    await clock.advance(4 * 3_600_000);
    await reaches(waited, 'awaiting-approval');
  });
});
