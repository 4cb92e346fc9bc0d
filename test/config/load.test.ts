import { describe, expect, it } from 'vitest';
import { ConfigError, parseAppsConfig, parseConfig } from '../../src/config/load.js';

/** The example config from CONTRACT.md's "Config: igor.yml" section, verbatim. */
const CONTRACT_EXAMPLE = `
app: shop                                # name shown in messages
repo: https://github.com/acme/shop.git   # any URL or path git can clone
defaultEnvironment: production
channels: { deploys: C0DEPLOYS, alerts: C0ALERTS }
integration:                             # runs in a fresh checkout of the exact commit
  setup: ["scripts/populate-test-data.sh"]   # optional, before the steps
  steps:                                 # in order; each must exit 0
    - { name: install, run: npm ci }
    - { name: unit, run: npm test }
    - { name: integration, run: npm run test:integration }
    - { name: load, run: npm run test:load }
  teardown: ["scripts/clean-up.sh"]      # optional, always runs
  timeout: 15m                           # per step
environments:
  production:
    channel: C0PROD                      # optional, else channels.deploys
    deployers: [U0ALICE, U0BOB, U0CAROL] # optional: who may /deploy and /rollback here
    approval:
      mode: required                     # auto | required
      approvers: [U0ALICE, U0BOB]
      allowSelfApproval: false
      expiresAfter: 30m
      autoApprove: { refs: [main] }      # optional: grant without asking for these refs
    servers:                             # exactly one of ec2, gce, azure, static or local
      ec2: { region: eu-west-1, filters: { "tag:app": [shop], "tag:env": [production] }, address: private }
      # static: [{ host: 10.0.0.5, port: 22, user: deploy, path: /srv/shop }]   # per-host fields override the environment's
      # local: [{ name: web-1, path: ./data/servers/web-1 }]   # this machine, no SSH: single-host deploys and local mode
    ssh: { user: deploy, port: 22, privateKeyPath: ~/.ssh/id_ed25519 }
    path: /srv/shop
    keepReleases: 5
    steps: ["npm ci --omit=dev"]         # on each host, inside the new release, before the switch
    restart: "sudo systemctl restart shop"
    health: { url: "http://{host}:8080/health", expectStatus: 200, timeout: 5s, retries: 10, interval: 2s }
    strategy:
      canary: { servers: 1, bake: 60s, promote: auto }   # promote: auto | manual
      waves: ["25%", "100%"]
      parallel: 20
    rollback: auto                       # auto | manual
    monitor: { interval: 30s, failures: 3 }               # health poller that raises alarms
`;

/** The smallest config that parses: one environment on one local server. */
function minimal(environment = 'servers:\n      local: [{ name: web-1, path: ./data/servers/web-1 }]'): string {
  return `
app: shop
repo: ./shop.git
channels: { deploys: C0DEPLOYS }
environments:
  production:
    ${environment}
`;
}

/** The ConfigError `parseConfig` throws for `text`; fails the test when it parses. */
function configError(text: string, source?: string): ConfigError {
  try {
    parseConfig(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, but the config parsed');
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectOneLine(error: ConfigError): void {
  expect(error.message).not.toContain('\n');
}

describe('environment names', () => {
  it('refuses a name that every plain object answers by itself', () => {
    const error = configError(minimal().replace('  production:', '  constructor:'));
    expect(error.message).toBe('environments.constructor: is a reserved name: choose another environment name');
  });

  it('keeps the environments in a record without a prototype', () => {
    const config = parseConfig(minimal());
    expect(config.environments.constructor).toBeUndefined();
    expect(Object.keys(config.environments)).toEqual(['production']);
  });
});

describe('parseConfig with the contract example', () => {
  const config = parseConfig(CONTRACT_EXAMPLE);
  const production = config.environments.production!;

  it('reads the top-level keys', () => {
    expect(config.app).toBe('shop');
    expect(config.repo).toBe('https://github.com/acme/shop.git');
    expect(config.defaultEnvironment).toBe('production');
    expect(config.channels).toEqual({ deploys: 'C0DEPLOYS', alerts: 'C0ALERTS' });
  });

  it('reads the integration steps in order with setup, teardown and the per-step timeout in milliseconds', () => {
    expect(config.integration.setup).toEqual(['scripts/populate-test-data.sh']);
    expect(config.integration.steps).toEqual([
      { name: 'install', run: 'npm ci' },
      { name: 'unit', run: 'npm test' },
      { name: 'integration', run: 'npm run test:integration' },
      { name: 'load', run: 'npm run test:load' },
    ]);
    expect(config.integration.teardown).toEqual(['scripts/clean-up.sh']);
    expect(config.integration.timeout).toBe(15 * 60_000);
  });

  it('reads the environment channel, deployers and approval with its expiry in milliseconds', () => {
    expect(production.channel).toBe('C0PROD');
    expect(production.deployers).toEqual(['U0ALICE', 'U0BOB', 'U0CAROL']);
    expect(production.approval).toEqual({
      mode: 'required',
      approvers: ['U0ALICE', 'U0BOB'],
      allowSelfApproval: false,
      expiresAfter: 30 * 60_000,
      autoApprove: { refs: ['main'] },
    });
  });

  it('reads ec2 discovery with its region, tag filters and address kind', () => {
    expect(production.servers.ec2).toEqual({
      region: 'eu-west-1',
      filters: { 'tag:app': ['shop'], 'tag:env': ['production'] },
      address: 'private',
    });
    expect(production.servers.static).toBeUndefined();
    expect(production.servers.local).toBeUndefined();
  });

  it('reads ssh, path, keepReleases, host steps and restart', () => {
    expect(production.ssh).toEqual({ user: 'deploy', port: 22, privateKeyPath: '~/.ssh/id_ed25519' });
    expect(production.path).toBe('/srv/shop');
    expect(production.keepReleases).toBe(5);
    expect(production.steps).toEqual(['npm ci --omit=dev']);
    expect(production.restart).toBe('sudo systemctl restart shop');
  });

  it('reads the health check with its durations in milliseconds', () => {
    expect(production.health).toEqual({ url: 'http://{host}:8080/health', expectStatus: 200, timeout: 5000, retries: 10, interval: 2000 });
  });

  it('reads the strategy with a canary, its bake in milliseconds, the waves and parallel', () => {
    expect(production.strategy).toEqual({
      canary: { servers: 1, bake: 60_000, promote: 'auto' },
      waves: ['25%', '100%'],
      parallel: 20,
    });
  });

  it('reads rollback and the monitor with its interval in milliseconds', () => {
    expect(production.rollback).toBe('auto');
    expect(production.monitor).toEqual({ interval: 30_000, failures: 3 });
  });
});

describe('parseConfig defaults', () => {
  const config = parseConfig(minimal());
  const production = config.environments.production!;

  it('approves automatically when approval is absent', () => {
    expect(production.approval.mode).toBe('auto');
  });

  it('rolls out in one wave of 100% with no canary and 10 hosts in parallel when strategy is absent', () => {
    expect(production.strategy.canary).toBeUndefined();
    expect(production.strategy.waves).toEqual(['100%']);
    expect(production.strategy.parallel).toBe(10);
  });

  it('rolls back automatically and keeps 5 releases', () => {
    expect(production.rollback).toBe('auto');
    expect(production.keepReleases).toBe(5);
  });

  it('has no health check and no monitor unless configured', () => {
    expect(production.health).toBeUndefined();
    expect(production.monitor).toBeUndefined();
  });

  it('gives integration steps a 15 minute timeout and no steps', () => {
    expect(config.integration.timeout).toBe(900_000);
    expect(config.integration.steps).toEqual([]);
  });

  it('fills in the health check defaults from the url alone', () => {
    const health = parseConfig(minimal('health: { url: "http://{host}:8080/health" }\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'))
      .environments.production!.health;
    expect(health).toEqual({ url: 'http://{host}:8080/health', expectStatus: 200, timeout: 5000, retries: 10, interval: 2000 });
  });

  it('gives a canary 60 seconds of bake and automatic promotion when only its size is set', () => {
    const strategy = parseConfig(minimal('strategy: { canary: { servers: 2 } }\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'))
      .environments.production!.strategy;
    expect(strategy.canary).toEqual({ servers: 2, bake: 60_000, promote: 'auto' });
  });

  it('gives a monitor a 30 second interval and 3 failures when it is present but empty', () => {
    const monitor = parseConfig(minimal('monitor: {}\n    servers: { local: [{ name: web-1, path: ./web-1 }] }')).environments.production!.monitor;
    expect(monitor).toEqual({ interval: 30_000, failures: 3 });
  });

  it('serves a local server on 127.0.0.1 unless it names a host', () => {
    const local = parseConfig(minimal('servers:\n      local: [{ name: web-1, path: ./web-1 }, { name: web-2, path: ./web-2, host: 127.0.0.3 }]'))
      .environments.production!.servers.local;
    expect(local).toEqual([
      { name: 'web-1', path: './web-1', host: '127.0.0.1' },
      { name: 'web-2', path: './web-2', host: '127.0.0.3' },
    ]);
  });

  it('accepts a static server without a path when the environment has one for it to inherit', () => {
    const production = parseConfig(minimal('path: /srv/shop\n    servers:\n      static: [{ host: 10.0.0.5 }, { host: 10.0.0.6, path: /opt/shop }]'))
      .environments.production!;
    expect(production.path).toBe('/srv/shop');
    expect(production.servers.static).toEqual([{ host: '10.0.0.5' }, { host: '10.0.0.6', path: '/opt/shop' }]);
  });

  it('accepts static servers without an environment path when every server has its own', () => {
    const production = parseConfig(minimal('servers:\n      static: [{ host: 10.0.0.5, path: /srv/a }]')).environments.production!;
    expect(production.servers.static).toEqual([{ host: '10.0.0.5', path: '/srv/a' }]);
  });
});

describe('parseConfig errors', () => {
  it('names the health url key and says it must be a URL', () => {
    const error = configError(minimal('health: { url: "not a url" }\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'));
    expect(error.message.startsWith('environments.production.health.url: must be a URL')).toBe(true);
    expectOneLine(error);
  });

  it('refuses a health url that is not http or https', () => {
    const error = configError(minimal('health: { url: "ftp://{host}/health" }\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'));
    expect(error.message.startsWith('environments.production.health.url: must be a URL')).toBe(true);
  });

  it('names an unknown key in an environment', () => {
    const error = configError(minimal('foo: bar\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'));
    expect(error.message).toBe('environments.production.foo: unknown key');
  });

  it('names an unknown key at the top level', () => {
    const error = configError(`${minimal()}\nfrobnicate: true\n`);
    expect(error.message).toBe('frobnicate: unknown key');
  });

  it('names an unknown key deep inside the strategy', () => {
    const error = configError(minimal('strategy: { canary: { servers: 1, soak: 5s } }\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'));
    expect(error.message).toBe('environments.production.strategy.canary.soak: unknown key');
  });

  it('suggests the nearest key that place allows', () => {
    const error = configError(minimal('aproval: { mode: required }\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'));
    expect(error.message).toBe('environments.production.aproval: unknown key (did you mean approval?)');
    expectOneLine(error);
  });

  it('suggests keys of that place only, through lists and alternatives', () => {
    // `name` is a key of a local server, `timeout` one of health: each is suggested where it belongs.
    const error = configError(minimal('health: { url: "http://{host}/", timout: 5s }\n    servers: { local: [{ nmae: web-1, path: ./web-1 }] }'));
    expect(error.problems).toContain('environments.production.health.timout: unknown key (did you mean timeout?)');
    expect(error.problems).toContain('environments.production.servers.local.0.nmae: unknown key (did you mean name?)');
  });

  it('suggests nothing for a key far from every key there', () => {
    const error = configError(`${minimal()}\nfrobnicate: true\n`);
    expect(error.problems).toEqual(['frobnicate: unknown key']);
  });

  it('reports every problem of the config, one line each', () => {
    const error = configError(
      minimal('aproval: { mode: required }\n    keepReleases: 1\n    health: { url: "not a url" }\n    servers: { local: [{ name: web-1, path: ./web-1 }] }').replace('channels: { deploys: C0DEPLOYS }', 'channels: { deploys: C0DEPLOYS, alert: C0ALERTS }'),
    );
    expect([...error.problems].sort()).toEqual([
      'channels.alert: unknown key (did you mean alerts?)',
      'environments.production.aproval: unknown key (did you mean approval?)',
      'environments.production.health.url: must be a URL (http or https; {host} is replaced by each server)',
      'environments.production.keepReleases: must be at least 2 (the live release and the one before it)',
    ]);
    expect(error.message.split('\n')).toEqual(error.problems);
  });

  it('suggests the nearest key in the apps form too', () => {
    const error = thrownBy(() => parseAppsConfig('defaultap: shop\nchannels: { deploys: C1 }\napps:\n  shop:\n    repo: /tmp/shop\n    enviroments: {}\n'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(expect.arrayContaining(['defaultap: unknown key (did you mean defaultApp?)', 'apps.shop.enviroments: unknown key (did you mean environments?)']));
  });

  it('refuses keepReleases of 1 and names the key', () => {
    const error = configError(minimal('keepReleases: 1\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'));
    expect(error.message.startsWith('environments.production.keepReleases: ')).toBe(true);
    expect(error.message).toContain('at least 2');
    expectOneLine(error);
  });

  it('names a health timeout that is not a duration and quotes the value', () => {
    const error = configError(minimal('health: { url: "http://{host}/", timeout: soon }\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'));
    expect(error.message.startsWith('environments.production.health.timeout: must be a duration')).toBe(true);
    expect(error.message).toContain('"soon"');
    expectOneLine(error);
  });

  it('names an integration timeout given as a bare number without calling it missing', () => {
    const error = configError(`${minimal()}\nintegration: { timeout: 15 }\n`);
    expect(error.message.startsWith('integration.timeout: must be')).toBe(true);
    expect(error.message).not.toContain('is required');
  });

  it('says a key present with the wrong type must be of the right type, not that it is required', () => {
    const error = configError(minimal('keepReleases: five\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'));
    expect(error.message).toBe('environments.production.keepReleases: must be a number');
  });

  it('names the servers key when both static and local are given', () => {
    const error = configError(
      minimal('path: /srv/shop\n    servers:\n      static: [{ host: 10.0.0.5 }]\n      local: [{ name: web-1, path: ./web-1 }]'),
    );
    expect(error.message).toBe('environments.production.servers: must have exactly one of ec2, gce, azure, static or local');
  });

  it('names the servers key when none of ec2, static or local is given', () => {
    const error = configError(minimal('path: /srv/shop\n    servers: {}'));
    expect(error.message).toBe('environments.production.servers: must have exactly one of ec2, gce, azure, static or local');
  });

  it('says servers is required when an environment has none', () => {
    const error = configError(minimal('path: /srv/shop'));
    expect(error.message).toBe('environments.production.servers: is required');
  });

  it('names defaultEnvironment when it names no configured environment', () => {
    const error = configError(minimal().replace('channels:', 'defaultEnvironment: staging\nchannels:'));
    expect(error.message.startsWith('defaultEnvironment: ')).toBe(true);
    expect(error.message).toContain('production');
    expectOneLine(error);
  });

  it('says app is required when it is missing', () => {
    const error = configError(minimal().replace('app: shop\n', ''));
    expect(error.message).toBe('app: is required');
  });

  it('names the environment path when static servers have nowhere to deploy', () => {
    const error = configError(minimal('servers:\n      static: [{ host: 10.0.0.5 }]'));
    expect(error.message.startsWith('environments.production.path: ')).toBe(true);
  });

  it('names an approval mode that is neither auto nor required and lists the choices', () => {
    const error = configError(minimal('approval: { mode: sometimes }\n    servers: { local: [{ name: web-1, path: ./web-1 }] }'));
    expect(error.message).toBe('environments.production.approval.mode: must be one of "auto", "required"');
  });

  it('names the source and the line of invalid YAML', () => {
    const error = configError('app: shop\nrepo: ./shop.git\nchannels: { deploys: C0DEPLOYS\n', '/etc/igor/igor.yml');
    expect(error.message).toMatch(/^\/etc\/igor\/igor\.yml:\d+:\d+: not valid YAML/);
    expectOneLine(error);
  });

  it('reports the line where the YAML goes wrong', () => {
    const error = configError('app: shop\nrepo: ./shop.git\nenvironments:\n  production:\n    path: [a\n  staging: b: c\n', 'igor.yml');
    const line = Number(/^igor\.yml:(\d+):/.exec(error.message)?.[1]);
    expect(line).toBeGreaterThanOrEqual(5);
  });

  it('names igor.yml as the source when none is given', () => {
    const error = configError('app: [shop\n');
    expect(error.message.startsWith('igor.yml:')).toBe(true);
  });
});

describe('servers.gce and servers.azure', () => {
  it('parses servers.gce with its defaults', () => {
    const config = parseConfig(minimal('path: /srv/shop\n    servers:\n      gce: { project: acme-shop, zones: [europe-west1-b], filter: "labels.app=shop AND labels.env=production" }'));
    expect(config.environments.production!.servers.gce).toEqual({
      project: 'acme-shop',
      zones: ['europe-west1-b'],
      filter: 'labels.app=shop AND labels.env=production',
      address: 'internal',
    });
  });

  it('parses servers.azure with its defaults and endpoints', () => {
    const config = parseConfig(
      minimal(
        'path: /srv/shop\n    servers:\n      azure: { subscription: sub-1, tags: { app: shop }, endpoint: "https://management.usgovcloudapi.net", authorityHost: "https://login.microsoftonline.us" }',
      ),
    );
    expect(config.environments.production!.servers.azure).toEqual({
      subscription: 'sub-1',
      tags: { app: 'shop' },
      address: 'private',
      endpoint: 'https://management.usgovcloudapi.net',
      authorityHost: 'https://login.microsoftonline.us',
    });
  });

  it('refuses a gce environment with no zones', () => {
    const error = configError(minimal('path: /srv/shop\n    servers:\n      gce: { project: acme-shop, zones: [] }'));
    expect(error.message).toBe('environments.production.servers.gce.zones: must have at least 1 item(s)');
  });

  it('refuses an endpoint with a path', () => {
    const error = configError(minimal('path: /srv/shop\n    servers:\n      gce: { project: acme-shop, zones: [z], endpoint: "https://compute.example.com/compute/v1" }'));
    expect(error.message).toBe('environments.production.servers.gce.endpoint: must be a scheme and host (and port) only, with no path');
  });

  it('refuses an address kind of the other cloud', () => {
    const error = configError(minimal('path: /srv/shop\n    servers:\n      azure: { subscription: sub-1, address: internal }'));
    expect(error.message).toMatch(/^environments\.production\.servers\.azure\.address: /);
  });

  it('refuses gce and azure together', () => {
    const error = configError(minimal('path: /srv/shop\n    servers:\n      gce: { project: p, zones: [z] }\n      azure: { subscription: s }'));
    expect(error.message).toBe('environments.production.servers: must have exactly one of ec2, gce, azure, static or local');
  });

  it('requires a path for a cloud environment', () => {
    for (const servers of ['azure: { subscription: s }', 'gce: { project: p, zones: [z] }', 'ec2: { region: eu-west-1 }']) {
      const error = configError(minimal(`servers:\n      ${servers}`));
      expect(error.message).toBe('environments.production.path: is required for ec2, gce, azure and static servers');
    }
  });
});
