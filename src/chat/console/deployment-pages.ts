import { join } from 'node:path';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { ApiToken } from '../../http/api-tokens.js';
import { isUserId, type Directory } from '../../shared/directory.js';
import { HttpError } from '../../http/errors.js';
import { logExists, STEP_NAME } from '../../http/log-file.js';
import { deploymentView } from '../../http/routes/deployments.js';
import type { Pipelines } from '../../pipeline/pipelines.js';
import { timeSpent } from '../../pipeline/queries.js';
import { ACTIVE } from '../../pipeline/states.js';
import type { Deployment } from '../../pipeline/types.js';
import { latencyChart } from './analysis-chart.js';
import { consoleGuard } from './auth.js';
import { createEventStream } from './event-stream.js';
import { consoleFiles, PUBLIC } from './files.js';
import { followLog } from './log-follow.js';
import { readHostTimeline } from './timeline.js';

/** Scripts and styles only from this server; no inline script can run even if escaping failed somewhere. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export interface DeploymentPagesOptions {
  pipelines: Pipelines;
  /** `IGOR_API_TOKEN`: with it, the page asks for it; without it, only loopback gets in, in local mode. */
  apiTokens: readonly ApiToken[];
  localMode: boolean;
  /** Whether the chat console is served too (the page then links back to it). */
  withConsole: boolean;
  /** igor's address, for the links in the deployment's view. */
  publicUrl: () => string;
  /** The names people go by: the pages show them rather than ids. */
  directory?: Directory;
}

/** A deployment as one row of the list. */
function listed(deployment: Deployment) {
  const { id, app, kind, environment, ref, sha, release, state, requestedBy, createdAt, finishedAt } = deployment;
  return { id, app, kind, environment, ref, sha, release, state, requestedBy, createdAt, finishedAt };
}

/** Sends a page of the console with its security headers. */
export function sendPage(response: Response, file: string): void {
  response.set(PAGE_HEADERS).sendFile(join(PUBLIC, file));
}

/** The list page's filters: one app, one environment (of that app, else of the default app). */
const listQuery = z.object({
  app: z.string({ error: 'app must be one name' }).min(1, { error: 'app must not be empty' }).optional(),
  environment: z.string({ error: 'environment must be one name' }).min(1, { error: 'environment must not be empty' }).optional(),
});
/** How many deployments the list shows, newest first. */
const LIST_LIMIT = 200;

/**
 * Each deployment's page, in local mode and with Slack alike (the links in messages lead here):
 * its steps, the wait for approval and the bake, logs streamed while they run, and a per-host
 * timeline; and the list of deployments (`/console/deployments`), filtered by app and environment.
 * Also serves the console's files. Mount at `/`; `close()` ends the open event streams.
 */
export function createDeploymentPages(options: DeploymentPagesOptions): { router: Router; close(): void } {
  const { pipelines } = options;
  const router = Router();
  const guard = consoleGuard({ tokens: options.apiTokens, localMode: options.localMode });
  const stream = createEventStream();
  const stopListening = pipelines.all().map((pipeline) =>
    pipeline.on((event) => {
      if (event.type === 'created' || event.type === 'changed' || event.type === 'finished') {
        stream.send('deployment', { id: event.deployment.id, state: event.deployment.state, updatedAt: event.deployment.updatedAt });
      }
    }),
  );
  const logPath = (deployment: Deployment, step: string) => pipelines.ofDeployment(deployment.id).logPath(deployment.id, step);

  router.use(consoleFiles());

  // Before the routes of one deployment, whose id these names are not.
  router.get('/console/deployments', (_request, response) => sendPage(response, 'deployments.html'));

  router.get('/console/deployments/list', guard, async (request, response) => {
    const query = listQuery.safeParse(request.query);
    if (!query.success) throw new HttpError(400, query.error.issues[0]!.message);
    const deployments = pipelines.listFor({ ...query.data, limit: LIST_LIMIT });
    response.json({
      apps: pipelines.all().map(({ config }) => ({ name: config.app, environments: Object.keys(config.environments) })),
      console: options.withConsole,
      deployments: deployments.map(listed),
      names: await namesOf(deployments.map((deployment) => deployment.requestedBy)),
    });
  });

  // Changes of every deployment after a `hello`; the list refreshes on each.
  router.get('/console/deployments/events', guard, (_request, response) => {
    stream.open(response, { event: 'hello', data: {} });
  });

  router.get('/console/deployments/:id', (_request, response) => sendPage(response, 'deployment.html'));

  router.get('/console/deployments/:id/data', guard, async (request, response) => {
    const deployment = found(String(request.params.id));
    const logs = await Promise.all(deployment.steps.map(async (step) => ((await logExists(logPath(deployment, step.name))) ? step.name : null)));
    response.json({
      deployment: deploymentView(deployment, options.publicUrl()),
      timeline: await readHostTimeline(logPath(deployment, deployment.kind === 'rollback' ? 'rollback' : 'deploy')),
      logs: logs.filter(Boolean),
      active: ACTIVE.has(deployment.state),
      console: options.withConsole,
      analysisChart: latencyChart(deployment.analysis),
      // Where the time went: the wait for approval and the bake are drawn apart from the work.
      timeSpent: timeSpent(deployment),
      names: await namesOf([deployment.requestedBy, deployment.approvedBy, deployment.rejectedBy]),
    });
  });

  // Changes of every deployment after a `hello`; the page picks its own.
  router.get('/console/deployments/:id/events', guard, (request, response) => {
    stream.open(response, { event: 'hello', data: { id: found(String(request.params.id)).id } });
  });

  router.get('/console/deployments/:id/logs/:step', guard, async (request, response) => {
    const deployment = found(String(request.params.id));
    const step = String(request.params.step);
    if (!STEP_NAME.test(step) || !deployment.steps.some((entry) => entry.name === step)) throw new HttpError(404, `deployment ${deployment.id} has no step ${step}`);
    const path = logPath(deployment, step);
    const stillWriting = () => {
      const record = deployment.steps.find((entry) => entry.name === step);
      return ACTIVE.has(deployment.state) && (record?.state === 'running' || record?.state === 'pending');
    };
    if (!stillWriting() && !(await logExists(path))) throw new HttpError(404, `the ${step} step of deployment ${deployment.id} has no log`);
    await followLog(path, stillWriting, response);
  });

  /** The names of these people, by id, for the page to show (a prototype-free record). */
  async function namesOf(ids: ReadonlyArray<string | null | undefined>): Promise<Record<string, string>> {
    const people = [...new Set(ids.filter((id): id is string => Boolean(id) && isUserId(id!)))];
    const names: Record<string, string> = Object.create(null) as Record<string, string>;
    if (!options.directory) return names;
    await options.directory.load(people);
    for (const id of people) names[id] = options.directory.nameOf(id);
    return names;
  }

  function found(id: string): Deployment {
    const deployment = pipelines.get(id);
    if (!deployment) throw new HttpError(404, `there is no deployment ${id}`);
    return deployment;
  }

  return {
    router,
    close() {
      for (const stop of stopListening) stop();
      stream.close();
    },
  };
}
