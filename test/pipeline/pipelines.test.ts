/**
 * The registry of every app's pipeline (src/pipeline/pipelines.ts): which pipeline and environment
 * `app/env`, a bare `env` or a deployment id means. Real pipelines of two apps over one store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppsConfig } from '../../src/config/apps.js';
import { parseAppsConfig } from '../../src/config/load.js';
import { createLocalDiscovery } from '../../src/fleet/discovery/local.js';
import { createLocalTransport } from '../../src/fleet/transport/local.js';
import { emptyIgorData, type IgorData } from '../../src/igor-data.js';
import { createMirror } from '../../src/integration/mirror.js';
import { createPipelines, type Pipelines } from '../../src/pipeline/pipelines.js';
import { createPipeline, type Pipeline } from '../../src/pipeline/service.js';
import { openStore, type Store } from '../../src/store/db.js';
import { systemClock } from '../../src/shared/clock.js';
import { deployment } from './history-fixtures.js';

const appsYaml = (defaultApp: string | null) => `
channels: { deploys: C0DEPLOYS }
${defaultApp ? `defaultApp: ${defaultApp}` : ''}
apps:
  shop:
    repo: /nonexistent/shop
    defaultEnvironment: staging
    environments:
      staging: { servers: { local: [{ name: web-1, path: /nonexistent/web-1 }] } }
      production: { servers: { local: [{ name: prod-1, path: /nonexistent/prod-1 }] } }
  billing:
    repo: /nonexistent/billing
    environments:
      production: { servers: { local: [{ name: billing-1, path: /nonexistent/billing-1 }] } }
`;

let dir: string;
let store: Store<IgorData>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-pipelines-'));
  store = await openStore(join(dir, 'db.json'), pino({ level: 'silent' }), emptyIgorData);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One real pipeline per app, none of them started: the registry only routes to them. */
function registry(apps: AppsConfig): Pipelines {
  const log = pino({ level: 'silent' });
  const pipelines = new Map<string, Pipeline>();
  for (const [name, config] of apps.apps) {
    const discoveries = Object.fromEntries(Object.entries(config.environments).map(([env, settings]) => [env, createLocalDiscovery(settings, dir)]));
    const connectors = Object.fromEntries(Object.keys(config.environments).map((env) => [env, () => Promise.resolve(createLocalTransport({ home: dir }))]));
    pipelines.set(name, createPipeline({ config, store, mirror: createMirror({ repo: config.repo, cacheDir: join(dir, 'mirrors', name) }), discoveries, connectors, clock: systemClock, dataDir: dir, path: '/usr/bin:/bin', home: dir, log }));
  }
  return createPipelines(apps, pipelines, store);
}

describe('the pipelines of several apps', () => {
  it("resolves app/env to that app's pipeline, a bare env and no env to the default app's", () => {
    const pipelines = registry(parseAppsConfig(appsYaml('shop')));
    const billing = pipelines.at('billing/production');
    expect([billing.pipeline.config.app, billing.environment]).toEqual(['billing', 'production']);
    const bare = pipelines.at('production');
    expect([bare.pipeline.config.app, bare.environment]).toEqual(['shop', 'production']);
    const none = pipelines.at(undefined);
    expect([none.pipeline.config.app, none.environment]).toEqual(['shop', 'staging']);
    // billing has one environment: app/ alone means it.
    expect(pipelines.at('billing/').environment).toBe('production');
  });

  it('refuses an unknown app or environment with the nearest name, and a bare env when no app is the default', () => {
    const pipelines = registry(parseAppsConfig(appsYaml('shop')));
    expect(() => pipelines.at('biling/production')).toThrow('there is no app "biling" (did you mean billing?)');
    expect(() => pipelines.at('billing/staging')).toThrow('there is no environment "staging"');
    expect(() => pipelines.at('__proto__/production')).toThrow('there is no app "__proto__"');
    expect(() => pipelines.of('constructor')).toThrow('there is no app "constructor"');
    const undecided = registry(parseAppsConfig(appsYaml(null)));
    expect(() => undecided.at('production')).toThrow('name the app: shop/production, billing/production (or set defaultApp)');
    expect(undecided.at('billing/production').pipeline.config.app).toBe('billing');
  });

  it("finds a deployment through its own app's pipeline only, and lists one app's or all", () => {
    const pipelines = registry(parseAppsConfig(appsYaml('shop')));
    store.data.deployments.push(
      deployment('1', '20261201T100000Z-1111111', 'succeeded', [], { app: 'shop', environment: 'production' }),
      deployment('2', '20261202T100000Z-2222222', 'succeeded', [], { app: 'billing', environment: 'production' }),
      deployment('3', '20261203T100000Z-3333333', 'failed', [], { app: 'retired', environment: 'production' }),
    );
    expect(pipelines.ofDeployment('2').config.app).toBe('billing');
    expect(pipelines.get('2')?.app).toBe('billing');
    // A record of an app this igor no longer serves is found by no pipeline.
    expect(pipelines.get('3')).toBeUndefined();
    expect(() => pipelines.ofDeployment('3')).toThrow('there is no deployment 3');
    expect(() => pipelines.ofDeployment('9')).toThrow('there is no deployment 9');
    // Each pipeline answers for its own app only.
    expect(pipelines.of('shop').get('2')).toBeUndefined();
    expect(pipelines.list({ app: 'billing' }).map((d) => d.id)).toEqual(['2']);
    expect(pipelines.list({ environment: 'production' }).map((d) => d.id)).toEqual(['3', '2', '1']);
    expect(pipelines.of('shop').list().map((d) => d.id)).toEqual(['1']);
  });

  it('lists as a person filters: an app, an environment of it or of the default app, or everything; an unknown name refused with the nearest', () => {
    const pipelines = registry(parseAppsConfig(appsYaml('shop')));
    store.data.deployments.push(
      deployment('1', '20261201T100000Z-1111111', 'succeeded', [], { app: 'shop', environment: 'staging' }),
      deployment('2', '20261202T100000Z-2222222', 'succeeded', [], { app: 'billing', environment: 'production' }),
      deployment('3', '20261203T100000Z-3333333', 'succeeded', [], { app: 'shop', environment: 'production' }),
    );
    const ids = (filter: Parameters<Pipelines['listFor']>[0]) => pipelines.listFor(filter).map((d) => d.id);
    expect(ids({})).toEqual(['3', '2', '1']);
    expect(ids({ limit: 2 })).toEqual(['3', '2']);
    expect(ids({ app: 'billing' })).toEqual(['2']);
    expect(ids({ environment: 'production' })).toEqual(['3']);
    expect(ids({ app: 'billing', environment: 'production' })).toEqual(['2']);
    expect(() => ids({ app: 'biling' })).toThrow('there is no app "biling" (did you mean billing?)');
    expect(() => ids({ app: 'billing', environment: 'staging' })).toThrow('there is no environment "staging"');
  });
});
