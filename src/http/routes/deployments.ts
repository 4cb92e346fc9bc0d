import { Router } from 'express';
import { actOnDeployment, DEPLOYMENT_ACTIONS, isDeploymentAction } from '../../pipeline/actions.js';
import type { Pipelines } from '../../pipeline/pipelines.js';
import type { Deployment } from '../../pipeline/types.js';
import { apiActor } from '../api-tokens.js';
import { HttpError } from '../errors.js';
import { sendLogFile, STEP_NAME } from '../log-file.js';

/** Where the API serves a step's log, from igor's public address: made here, at the edge, never stored. */
export function stepLogUrl(publicUrl: string, id: string, step: string): string {
  return `${publicUrl}/api/deployments/${encodeURIComponent(id)}/logs/${encodeURIComponent(step)}`;
}

/** A deployment as the API shows it: the record without chat bookkeeping; `testedIn` is where its tests passed (`test run 3`) when they were not run again. */
export function deploymentView(deployment: Deployment, publicUrl: string) {
  const { thread: _thread, hosts, testedIn, steps, waiting, ...rest } = deployment;
  const queued = deployment.state === 'queued' ? waiting : null;
  return {
    ...rest,
    // Records of older igors stored a logUrl of their own address: each step's is made afresh.
    steps: steps.map(({ name, state, startedAt, finishedAt }) => ({ name, state, startedAt, finishedAt, logUrl: stepLogUrl(publicUrl, deployment.id, name) })),
    // Where the tests passed, without igor's own log paths.
    testedIn: testedIn ? testedIn.source : null,
    analysis: rest.analysis ?? null,
    githubDeploymentId: rest.githubDeploymentId ?? null,
    // While it waits in its environment's queue: for a freeze to end (when), or for its turn.
    waiting: queued ? { since: queued.since, frozenUntil: queued.frozenUntil, freezeReason: queued.freezeReason, breakGlass: queued.breakGlass } : null,
    frozenUntil: queued?.frozenUntil ?? null,
    artifactSha256: rest.artifactSha256 ?? null,
    promotedFrom: rest.promotedFrom ?? null,
    hosts: hosts.map(({ phase: _phase, ...host }) => host),
  };
}

/** `/api/deployments`: list, show, start, and step logs; `publicUrl` is igor's address for links. */
export function deploymentRoutes(pipelines: Pipelines, publicUrl: () => string): Router {
  const view = (deployment: Deployment) => deploymentView(deployment, publicUrl());
  const router = Router();

  router.get('/', (request, response) => {
    const { app, environment } = request.query;
    if (app !== undefined && typeof app !== 'string') throw new HttpError(400, 'app must be one name');
    if (environment !== undefined && typeof environment !== 'string') throw new HttpError(400, 'environment must be one name');
    const limit = Math.min(Number(request.query.limit) || 50, 500);
    response.json({ deployments: pipelines.listFor({ app, environment, limit }).map(view) });
  });

  router.post('/', async (request, response) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.ref !== 'string' || body.ref === '') throw new HttpError(400, 'ref is required: a branch, tag or commit');
    if (body.environment !== undefined && typeof body.environment !== 'string') throw new HttpError(400, 'environment must be a string');
    if (body.app !== undefined && typeof body.app !== 'string') throw new HttpError(400, 'app must be a string');
    if (body.queue !== undefined && typeof body.queue !== 'boolean') throw new HttpError(400, 'queue must be true or false');
    const actor = apiActor(request, response, { fallback: 'api' });
    const deployment = await pipelines.of(body.app).request({ ref: body.ref, environment: body.environment, actor, queue: body.queue === true });
    response.status(202).json({ id: deployment.id, deployment: view(deployment) });
  });

  router.post('/:id/:action', async (request, response) => {
    const { id, action } = request.params;
    const user = apiActor(request, response);
    found(pipelines, id);
    if (!isDeploymentAction(action)) throw new HttpError(404, `deployments have no action ${action}: ${DEPLOYMENT_ACTIONS.join(', ')}`);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.reason !== undefined && typeof body.reason !== 'string') throw new HttpError(400, 'reason must be a string');
    const result = await actOnDeployment(pipelines, action, id, user, { reason: body.reason });
    if ('started' in result && result.started) {
      response.status(202).json({ id: result.started.id, deployment: view(result.started) });
      return;
    }
    response.json({ ...(result.action === 'approve' ? { outcome: result.outcome } : {}), deployment: view(result.deployment) });
  });

  router.get('/:id', (request, response) => {
    response.json(view(found(pipelines, request.params.id)));
  });

  router.get('/:id/logs/:step', async (request, response) => {
    const deployment = found(pipelines, request.params.id);
    const { step } = request.params;
    if (!STEP_NAME.test(step) || !deployment.steps.some((entry) => entry.name === step)) throw new HttpError(404, `deployment ${deployment.id} has no step ${step}`);
    await sendLogFile(response, pipelines.ofDeployment(deployment.id).logPath(deployment.id, step), `the ${step} step of deployment ${deployment.id} has no log yet`);
  });

  return router;
}

function found(pipelines: Pipelines, id: string): Deployment {
  const deployment = pipelines.get(id);
  if (!deployment) throw new HttpError(404, `there is no deployment ${id}`);
  return deployment;
}
