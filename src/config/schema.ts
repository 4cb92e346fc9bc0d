import { z } from 'zod';
import { dictionary, isReservedName } from '../shared/names.js';
import { nearest } from '../shared/nearest.js';
import { parseDuration } from './duration.js';
import { freezeSchema } from './freeze-schema.js';
import { repositoryKey } from './repository-key.js';

/** A duration string (`500ms`, `5s`, `10m`) parsed to milliseconds. */
const duration = z
  .string({ error: 'must be a duration such as 500ms, 5s or 10m' })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be a duration such as 500ms, 5s or 10m, not "${text}"` });
      return z.NEVER;
    }
    return ms;
  })
  // What the README's reference calls the kind of value (scripts/docs/config-reference.ts).
  .meta({ title: 'duration' });

const nonEmpty = z.string().min(1, { error: 'must not be empty' });

/** A Slack user group by handle (`@sre`) or id (`S0SRE`), or a local `groups` entry by handle. */
export const GROUP_ENTRY = /^(@[a-z0-9][a-z0-9._-]*|S[A-Z0-9]{2,})$/;

/**
 * People who may do something: Slack user ids (`U0ALICE`), or user groups, by handle (`@sre`) or
 * id (`S0SRE`), whose members are asked of Slack (or of `groups` in local mode) when it matters.
 */
const userIds = z.array(
  nonEmpty.refine((entry) => !entry.startsWith('@') || GROUP_ENTRY.test(entry), { error: 'a user group is written as its handle, like @sre (lower-case letters, digits, ".", "_" or "-")' }),
);

/** `people: { U0ALICE: Alice }`: the names people go by where Slack cannot say (local mode). */
const people = z
  .record(z.string().regex(/^[UW][A-Z0-9]{2,}$/, { error: 'people are keyed by Slack user id, like U0ALICE' }), nonEmpty)
  .transform((entries) => dictionary(Object.entries(entries)));

/** `groups: { sre: [U0ALICE] }`: user groups where Slack cannot say (local mode), by handle without its `@`. */
const groups = z
  .record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'groups are keyed by handle without its @, like sre' }), z.array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, { error: 'must be a Slack user id, like U0ALICE' })))
  .transform((entries) => dictionary(Object.entries(entries)));

/** A health URL may carry `{host}`; it must be a URL once the host is filled in. */
const healthUrl = z.string().refine(
  (url) => {
    try {
      const parsed = new URL(url.replaceAll('{host}', 'host.invalid'));
      return parsed.protocol === 'http:' || parsed.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: 'must be a URL (http or https; {host} is replaced by each server)' },
);

const health = z.strictObject({
  url: healthUrl,
  expectStatus: z.number().int().min(100).max(599).default(200),
  /** A regular expression the answer's body must match; `{sha}` and `{release}` are the release expected. */
  expectBody: z
    .string()
    .refine(
      (pattern) => {
        try {
          new RegExp(pattern.replaceAll('{sha}', 'x').replaceAll('{release}', 'x'));
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be a regular expression ({sha} and {release} stand for the release expected)' },
    )
    .optional(),
  timeout: duration.prefault('5s'),
  retries: z.number().int().min(0).default(10),
  interval: duration.prefault('2s'),
});

/** `"25%"` or a host count. */
const wave = z.union([
  z.string().regex(/^(100|[1-9]?\d)%$/, { error: 'must be a share such as "25%" or a host count' }),
  z.number().int().positive(),
]);

/** A share: `"1%"`, or a fraction between 0 and 1. Parsed to a fraction. */
const share = z.union([
  z
    .string()
    .regex(/^\d+(\.\d+)?%$/, { error: 'must be a share such as "1%" or a fraction such as 0.01' })
    .transform((text) => Number(text.slice(0, -1)) / 100)
    .refine((value) => value <= 1, { error: 'must be at most 100%' }),
  z.number().min(0).max(1),
]).meta({ title: 'share' });

/** A URL path on the canary's own origin: never `//other.host`, never a full URL. */
const probePath = z.string().regex(/^\/(?!\/)[^\s#\\]*$/, { error: 'must be a path on the host such as / or /api/items (no scheme, no host)' });

const analysisQuery = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$/, { error: 'must be a short name of letters, digits, " ", ".", "_" or "-"' }),
    query: nonEmpty,
    max: z.number().optional(),
    compare: z.literal('baseline').optional(),
    maxRatio: z.number().positive().optional(),
  })
  .refine((query) => query.max !== undefined || query.compare === 'baseline', { error: 'needs max, or compare: baseline with maxRatio' })
  .refine((query) => (query.compare === 'baseline') === (query.maxRatio !== undefined), { error: 'compare: baseline and maxRatio go together' });

/** `strategy.canary.analysis`: the canary judged during its bake, by load and by metrics. */
const analysis = z
  .strictObject({
    baseline: z.enum(['previous', 'none']).default('previous'),
    load: z
      .strictObject({
        path: probePath.default('/'),
        /** Requests per second, to the canary and to the baseline each. */
        rate: z.number().positive().max(1_000),
        duration: duration.prefault('20s'),
        concurrency: z.number().int().positive().max(200).default(10),
        maxLatencyRatio: z.number().min(1).default(1.25),
        maxErrorRate: share.prefault('1%'),
        maxP95: duration.optional(),
        /** A p95 difference below this never fails the canary: microsecond noise is not a regression. */
        latencyFloor: duration.prefault('5ms'),
        timeout: duration.prefault('2s'),
      })
      .refine((load) => load.rate * (load.duration / 1_000) <= 100_000, { error: 'rate × duration must stay within 100000 requests' })
      .optional(),
    prometheus: z
      .strictObject({
        url: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of Prometheus' }),
        step: duration.optional(),
        timeout: duration.prefault('5s'),
        onNoData: z.enum(['fail', 'pass']).default('fail'),
        queries: z.array(analysisQuery).min(1),
      })
      .refine((prometheus) => new Set(prometheus.queries.map((query) => query.name)).size === prometheus.queries.length, { error: 'query names must differ' })
      .optional(),
    /** What `{instance}` becomes; `{host}` is the server's address. Default: host:port of the health URL. */
    instanceFormat: nonEmpty.optional(),
  })
  .refine((analysis) => analysis.load || analysis.prometheus, { error: 'needs load, prometheus or both' });

const strategy = z.strictObject({
  canary: z
    .strictObject({
      servers: z.number().int().positive().default(1),
      bake: duration.prefault('60s'),
      promote: z.enum(['auto', 'manual']).default('auto'),
      analysis: analysis.optional(),
    })
    .optional(),
  waves: z.array(wave).min(1).default(['100%']),
  parallel: z.number().int().positive().default(10),
});

const ec2Servers = z.strictObject({
  region: nonEmpty.optional(),
  filters: z.record(z.string(), z.array(z.string())).default({}),
  address: z.enum(['private', 'public']).default('private'),
});

/** An API base URL with no path: a private endpoint or a sovereign cloud's host. */
const baseUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://compute.example.com' }).refine(
  (url) => {
    const { pathname, search, hash } = new URL(url);
    return pathname === '/' && !search && !hash;
  },
  { error: 'must be a scheme and host (and port) only, with no path' },
);

/** `servers.gce`: the RUNNING instances of a project's zones, optionally narrowed by a Compute API filter. */
const gceServers = z.strictObject({
  project: nonEmpty,
  zones: z.array(nonEmpty).min(1),
  filter: nonEmpty.optional(),
  address: z.enum(['internal', 'external']).default('internal'),
  /** Another Compute API host (Private Service Connect, a sovereign cloud); default https://compute.googleapis.com. */
  endpoint: baseUrl.optional(),
});

/** `servers.azure`: the running VMs of a subscription (or one resource group) that carry every tag. */
const azureServers = z.strictObject({
  subscription: nonEmpty,
  resourceGroup: nonEmpty.optional(),
  tags: z.record(z.string(), z.string()).default({}),
  address: z.enum(['private', 'public']).default('private'),
  /** Another Resource Manager host (a sovereign cloud, Azure Stack); default https://management.azure.com. */
  endpoint: baseUrl.optional(),
  /** Another Entra ID host for tokens (sovereign clouds); default https://login.microsoftonline.com. */
  authorityHost: baseUrl.optional(),
});

const staticServer = z.strictObject({
  host: nonEmpty,
  port: z.number().int().min(1).max(65535).optional(),
  user: nonEmpty.optional(),
  path: nonEmpty.optional(),
  name: nonEmpty.optional(),
  health: health.optional(),
});

const localServer = z.strictObject({
  name: nonEmpty,
  path: nonEmpty,
  host: nonEmpty.default('127.0.0.1'),
  health: health.optional(),
});

const servers = z
  .strictObject({
    ec2: ec2Servers.optional(),
    gce: gceServers.optional(),
    azure: azureServers.optional(),
    static: z.array(staticServer).min(1).optional(),
    local: z.array(localServer).min(1).optional(),
  })
  .refine((s) => [s.ec2, s.gce, s.azure, s.static, s.local].filter(Boolean).length === 1, {
    error: 'must have exactly one of ec2, gce, azure, static or local',
  });

const approval = z.strictObject({
  mode: z.enum(['auto', 'required']).default('auto'),
  approvers: userIds.default([]),
  allowSelfApproval: z.boolean().default(false),
  expiresAfter: duration.prefault('30m'),
  autoApprove: z.strictObject({ refs: z.array(nonEmpty).default([]) }).optional(),
});

/** `artifacts.s3`: igor uploads each release's artifact here once; every server downloads it from a presigned URL. */
const s3Artifacts = z.strictObject({
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name (3-63 lower-case letters, digits, "." or "-")' }),
  /** Keys are `<prefix><app>/<environment>/<release>-<sha256>.tar.gz`; a prefix usually ends with `/`. */
  prefix: z.string().regex(/^[^\s]*$/, { error: 'must have no spaces' }).default(''),
  region: nonEmpty.optional(),
  /** How long each server's download URL is valid. */
  urlExpiresIn: duration.prefault('5m').refine((ms) => ms >= 60_000 && ms <= 3_600_000, { error: 'must be between 1m and 1h' }),
});

/** Where servers get the artifact from: without `s3`, igor uploads it to each server over SSH. */
const artifacts = z.strictObject({ s3: s3Artifacts.optional() });

/** `user@host:port` (user and port optional), as OpenSSH's ProxyJump. */
const jumpHost = z
  .string()
  .regex(/^(?:[A-Za-z0-9._-]+@)?(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/, { error: 'must be a bastion as user@host:port (user and port optional), as OpenSSH\'s ProxyJump' });

/** Names people type after `/deploy` and in URLs: environments and apps alike. */
const NAME = /^[a-z0-9][a-z0-9_-]*$/;
const environmentKey = z.string().regex(NAME, { error: 'environment names are lower-case letters, digits, "-" or "_"' });

/**
 * `requires: [staging]` or `{ environments: [staging], soak: 30m }`: the environments a commit must
 * be live and healthy on (for at least `soak`) before it may go to this one. Read as the long form.
 */
const requires = z
  .union([
    z.array(environmentKey).min(1, { error: 'must name at least one environment' }),
    z.strictObject({ environments: z.array(environmentKey).min(1, { error: 'must name at least one environment' }), soak: duration.prefault('0s') }),
  ])
  .transform((gate) => (Array.isArray(gate) ? { environments: gate, soak: 0 } : gate));

const environment = z.strictObject({
  channel: nonEmpty.optional(),
  /** Where people reach the environment (`https://staging.shop.example.com`): GitHub's link to it. */
  url: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL where people reach this environment' }).optional(),
  deployers: userIds.optional(),
  approval: approval.prefault({}),
  servers,
  ssh: z
    .strictObject({
      user: nonEmpty.optional(),
      port: z.number().int().min(1).max(65535).default(22),
      privateKeyPath: nonEmpty.optional(),
      knownHosts: nonEmpty.optional(),
      /** A bastion every connection goes through (OpenSSH's ProxyJump). */
      jump: jumpHost.optional(),
      /** Authenticate with an ssh-agent instead of a key file: `true` is SSH_AUTH_SOCK, a string is the agent's socket. */
      agent: z.union([z.boolean(), nonEmpty]).optional(),
    })
    .refine((ssh) => !(ssh.agent && ssh.privateKeyPath), { error: 'takes agent or privateKeyPath, not both' })
    .prefault({}),
  /** Overrides the top-level `artifacts` for this environment. */
  artifacts: artifacts.optional(),
  path: nonEmpty.optional(),
  keepReleases: z.number().int().min(2, { error: 'must be at least 2 (the live release and the one before it)' }).default(5),
  steps: z.array(nonEmpty).default([]),
  restart: nonEmpty.optional(),
  // Each command igor runs on a host (a step, the restart, the switch) is killed after this long.
  stepTimeout: duration.prefault('10m'),
  health: health.optional(),
  strategy: strategy.prefault({}),
  rollback: z.enum(['auto', 'manual']).default('auto'),
  monitor: z.strictObject({ interval: duration.prefault('30s'), failures: z.number().int().positive().default(3) }).optional(),
  flags: z.strictObject({ push: z.boolean().default(false) }).optional(),
  autoDeploy: z.strictObject({ branch: nonEmpty }).optional(),
  /** When deploys here wait (queued) instead of starting: see src/pipeline/freeze.ts. */
  freeze: freezeSchema.default([]),
  requires: requires.optional(),
});

const integrationStep = z.strictObject({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be a name of letters, digits, ".", "_" or "-"' }), run: nonEmpty });

const appKey = z.string().regex(NAME, { error: 'app names are lower-case letters, digits, "-" or "_"' });

const integration = z
  .strictObject({
    setup: z.array(nonEmpty).default([]),
    steps: z.array(integrationStep).default([]),
    teardown: z.array(nonEmpty).default([]),
    timeout: duration.prefault('15m'),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
  })
  .prefault({});

const environments = z
  .record(environmentKey, environment)
  // A prototype-free record: no environment name a person types can reach Object.prototype.
  .transform((entries) => dictionary(Object.entries(entries)));

const alarms = z.strictObject({ remindAfter: duration.optional() });

/** What GitHub's deployments view is told: which environments are the ones end users reach. */
const github = z.strictObject({ productionEnvironments: z.array(environmentKey).optional() });

/** The environments GitHub shows as production when `github.productionEnvironments` is not set. */
export const DEFAULT_PRODUCTION_ENVIRONMENTS: readonly string[] = ['production'];

/** `github.productionEnvironments`, when set, names only environments that exist (in some app). */
function checkProductionEnvironments(settings: z.output<typeof github> | undefined, environmentNames: readonly string[], ctx: z.RefinementCtx): void {
  const unknown = (settings?.productionEnvironments ?? []).filter((name) => !environmentNames.includes(name));
  if (unknown.length === 0) return;
  const guess = nearest(unknown[0]!, environmentNames);
  ctx.addIssue({
    code: 'custom',
    path: ['github', 'productionEnvironments'],
    message: `names no environment: ${unknown.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}; configured: ${[...new Set(environmentNames)].join(', ')}`,
  });
}

/** What one app's environments must satisfy together; `at` is where the app sits in igor.yml. */
function checkEnvironments(app: { defaultEnvironment?: string | undefined; environments: Record<string, z.output<typeof environment>> }, ctx: z.RefinementCtx, at: PropertyKey[]): void {
  const names = Object.keys(app.environments);
  for (const name of names.filter(isReservedName)) ctx.addIssue({ code: 'custom', path: [...at, 'environments', name], message: 'is a reserved name: choose another environment name' });
  if (names.length === 0) ctx.addIssue({ code: 'custom', path: [...at, 'environments'], message: 'must name at least one environment' });
  if (app.defaultEnvironment && !names.includes(app.defaultEnvironment)) {
    ctx.addIssue({ code: 'custom', path: [...at, 'defaultEnvironment'], message: `names no environment (configured: ${names.join(', ')})` });
  }
  for (const [name, env] of Object.entries(app.environments)) {
    // Cloud servers have no path of their own; static ones may each have one.
    const needsPath = !env.servers.local && !env.path && !(env.servers.static?.every((s) => s.path) ?? false);
    if (needsPath) ctx.addIssue({ code: 'custom', path: [...at, 'environments', name, 'path'], message: 'is required for ec2, gce, azure and static servers' });
    // The probe targets the health URL's origin: without a health check it would not know where the app listens.
    // Read as the long form by now: the problem is named on `requires`, with the name that is wrong.
    for (const required of env.requires?.environments ?? []) {
      const path = [...at, 'environments', name, 'requires'];
      if (required === name) ctx.addIssue({ code: 'custom', path, message: `names ${name} itself: a commit must be live on another environment first` });
      else if (!names.includes(required)) {
        const guess = nearest(required, names.filter((other) => other !== name));
        ctx.addIssue({ code: 'custom', path, message: `names ${required}, no environment of this app${guess ? ` (did you mean ${guess}?)` : ''}; configured: ${names.join(', ')}` });
      }
    }
    if (env.strategy.canary?.analysis && !env.health) {
      ctx.addIssue({ code: 'custom', path: [...at, 'environments', name, 'health'], message: 'is required with strategy.canary.analysis (the analysis loads the origin of the health URL)' });
    }
  }
}

/** The single-app form: `app`, `repo`, `integration` and `environments` at the top. */
export const configSchema = z
  .strictObject({
    app: nonEmpty,
    repo: nonEmpty,
    defaultEnvironment: nonEmpty.optional(),
    channels: z.strictObject({ deploys: nonEmpty, alerts: nonEmpty.optional() }),
    integration,
    environments,
    alarms: alarms.optional(),
    artifacts: artifacts.optional(),
    github: github.optional(),
    people: people.optional(),
    groups: groups.optional(),
  })
  .superRefine((config, ctx) => {
    checkEnvironments(config, ctx, []);
    checkProductionEnvironments(config.github, Object.keys(config.environments), ctx);
  });

/** One app under `apps:`: its name is its key; `channels` and `artifacts` override the shared ones. */
const appSchema = z.strictObject({
  repo: nonEmpty,
  defaultEnvironment: nonEmpty.optional(),
  channels: z.strictObject({ deploys: nonEmpty.optional(), alerts: nonEmpty.optional() }).optional(),
  integration,
  environments,
  artifacts: artifacts.optional(),
});

/** The keys of the single-app form that belong under `apps.<name>` in the apps form. */
export const SINGLE_APP_KEYS = ['app', 'repo', 'defaultEnvironment', 'integration', 'environments'] as const;

/** The apps form: `apps: { <name>: { repo, environments, … } }`, `defaultApp`, and what they share. */
export const appsSchema = z
  .strictObject({
    defaultApp: nonEmpty.optional(),
    apps: z.record(appKey, appSchema).transform((entries) => dictionary(Object.entries(entries))),
    channels: z.strictObject({ deploys: nonEmpty, alerts: nonEmpty.optional() }),
    alarms: alarms.optional(),
    artifacts: artifacts.optional(),
    github: github.optional(),
    people: people.optional(),
    groups: groups.optional(),
  })
  .superRefine((config, ctx) => {
    const names = Object.keys(config.apps);
    for (const name of names.filter(isReservedName)) ctx.addIssue({ code: 'custom', path: ['apps', name], message: 'is a reserved name: choose another app name' });
    if (names.length === 0) ctx.addIssue({ code: 'custom', path: ['apps'], message: 'must name at least one app' });
    if (config.defaultApp !== undefined && !names.includes(config.defaultApp)) {
      ctx.addIssue({ code: 'custom', path: ['defaultApp'], message: `names no app (configured: ${names.join(', ')})` });
    }
    for (const [name, app] of Object.entries(config.apps)) checkEnvironments(app, ctx, ['apps', name]);
    checkProductionEnvironments(config.github, Object.values(config.apps).flatMap((app) => Object.keys(app.environments)), ctx);
    // Two apps of one repository with an environment of the same name would be one target twice:
    // a push or a deploy could not tell which one it means.
    const seen = new Map<string, { app: string; environments: string[] }>();
    for (const [name, app] of Object.entries(config.apps)) {
      const repo = repositoryKey(app.repo);
      const earlier = seen.get(repo);
      const shared = earlier ? Object.keys(app.environments).filter((env) => earlier.environments.includes(env)) : [];
      if (earlier && shared.length) {
        ctx.addIssue({ code: 'custom', path: ['apps', name, 'repo'], message: `is also the repo of apps.${earlier.app}, and both have the environment ${shared.join(', ')}: give one of them other environment names` });
      }
      if (!earlier) seen.set(repo, { app: name, environments: Object.keys(app.environments) });
    }
  });

export type Config = z.output<typeof configSchema>;
export type EnvironmentConfig = Config['environments'][string];
export type HealthConfig = z.output<typeof health>;
export type S3ArtifactsConfig = z.output<typeof s3Artifacts>;
export type ArtifactsConfig = z.output<typeof artifacts>;
export type GceServersConfig = z.output<typeof gceServers>;
export type AzureServersConfig = z.output<typeof azureServers>;
export type StrategyConfig = EnvironmentConfig['strategy'];
export type AnalysisConfig = z.output<typeof analysis>;
export type LoadConfig = NonNullable<AnalysisConfig['load']>;
export type PrometheusConfig = NonNullable<AnalysisConfig['prometheus']>;
export type AnalysisQueryConfig = PrometheusConfig['queries'][number];
