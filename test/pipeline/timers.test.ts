/**
 * The pipeline's timers run on the injected clock: the approval's expiry (decisions.ts) and the
 * canary's bake (ship.ts) end only when the clock says so. Real parts otherwise: an example
 * repository, the real pipeline, local servers in a temp dir.
 */
import { mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createExampleRepository } from '../../src/example/repository.js';
import { createLocalDiscovery } from '../../src/fleet/discovery/local.js';
import { createLocalTransport } from '../../src/fleet/transport/local.js';
import { emptyIgorData } from '../../src/igor-data.js';
import { createMirror } from '../../src/integration/mirror.js';
import { slackUser } from '../../src/shared/actor.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/service.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { openStore } from '../../src/store/db.js';
import { manualClock, type ManualClock } from '../support/manual-clock.js';

let dir: string;
let pipeline: Pipeline | undefined;
let clock: ManualClock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-timers-'));
  clock = manualClock();
});

afterEach(async () => {
  await pipeline?.stop(5_000);
  pipeline = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function start(environment: Record<string, unknown>): Promise<Pipeline> {
  const repo = join(dir, 'repo');
  await createExampleRepository(repo);
  const dataDir = join(dir, 'data');
  const config = configSchema.parse({
    app: 'shop',
    repo,
    channels: { deploys: 'C0DEPLOYS' },
    integration: { steps: [] },
    environments: { production: { servers: { local: [{ name: 'web-1', path: join(dir, 'web-1') }, { name: 'web-2', path: join(dir, 'web-2') }] }, ...environment } },
  });
  const log = pino({ level: 'silent' });
  const store = await openStore(join(dataDir, 'db.json'), log, emptyIgorData);
  pipeline = createPipeline({
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
  return pipeline;
}

/** Waits (in real time, the clock held) until the deployment is in `state`. */
async function reaches(deployment: Deployment, state: Deployment['state']): Promise<void> {
  for (let i = 0; i < 600 && deployment.state !== state; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(deployment.state).toBe(state);
}

describe('timers on the injected clock', () => {
  it('expires an approval only once its expiresAfter has passed on the clock', async () => {
    const igor = await start({ approval: { mode: 'required', approvers: ['U0ALICE'], expiresAfter: '30m' } });
    const deployment = await igor.request({ ref: 'main', environment: 'production', actor: slackUser('U0BOB') });
    await reaches(deployment, 'awaiting-approval');
    expect(deployment.approval?.expiresAt).toBe(new Date(clock.now().getTime() + 30 * 60_000).toISOString());

    await clock.advance(29 * 60_000);
    expect(deployment.state).toBe('awaiting-approval');
    await clock.advance(60_000);
    await reaches(deployment, 'expired');
    expect(deployment.reason).toBe('nobody approved it within 30m');
  });

  it('bakes the canary for the whole bake on the clock, then promotes and finishes the rollout', async () => {
    const igor = await start({ strategy: { canary: { servers: 1, bake: '10m' }, waves: ['100%'] } });
    const deployment = await igor.request({ ref: 'main', environment: 'production', actor: slackUser('U0BOB') });
    await reaches(deployment, 'baking');
    const canary = deployment.hosts.find((host) => host.state === 'succeeded')!;
    const rest = deployment.hosts.find((host) => host !== canary)!;
    expect(await readlink(join(dir, canary.host, 'current'))).toContain(deployment.release!);

    // Held for real seconds, the bake does not end: only the clock's minutes count.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deployment.state).toBe('baking');
    expect(rest.state).toBe('pending');
    // Minute by minute (the bake loop may start a moment after `baking` shows): the rollout goes on
    // only once ten minutes have passed on the clock since the bake began.
    let minutes = 0;
    while (deployment.state === 'baking' && minutes < 30) {
      await clock.advance(60_000);
      minutes += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(minutes).toBeGreaterThanOrEqual(10);
    await reaches(deployment, 'succeeded');
    expect(await readlink(join(dir, rest.host, 'current'))).toContain(deployment.release!);
  });
});
