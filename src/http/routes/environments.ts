import { Router, type Request } from 'express';
import type { Pipeline } from '../../pipeline/service.js';
import { HttpError } from '../errors.js';
import { apiActor } from '../api-tokens.js';
import { environmentView } from './environment-view.js';

/**
 * `/api/environments[/:env]`, as `/deploy status`; `/api/environments/:env/(lock|unlock)`, as
 * `/deploy lock` and `/deploy unlock`: of the app `pipelineOf` picks for the request (mounted where
 * `:app` is in the path, that app; else the default app).
 */
export function environmentRoutes(pipelineOf: (request: Request) => Pipeline): Router {
  const router = Router({ mergeParams: true });
  // Each host is asked with a short timeout: a silent one is `unreachable`, and nothing waits on a deployment.
  const view = async (pipeline: Pipeline, name: string) => ({ app: pipeline.config.app, ...environmentView(name, await pipeline.liveNow(name), pipeline.lockOf(name), pipeline.manualLockOf(name)) });
  router.get('/', async (request, response) => {
    const pipeline = pipelineOf(request);
    response.json({ environments: await Promise.all(Object.keys(pipeline.config.environments).map((name) => view(pipeline, name))) });
  });
  router.get('/:environment', async (request, response) => {
    const pipeline = pipelineOf(request);
    response.json(await view(pipeline, pipeline.environmentName(request.params.environment)));
  });
  router.post('/:environment/:action', async (request, response) => {
    const { action } = request.params;
    const pipeline = pipelineOf(request);
    const environment = pipeline.environmentName(request.params.environment);
    const user = apiActor(request, response);
    const reason = (request.body as { reason?: unknown }).reason;
    if (reason !== undefined && typeof reason !== 'string') throw new HttpError(400, 'reason must be a string');
    if (action === 'lock') await pipeline.lock(environment, user, reason ?? null);
    else if (action === 'unlock') await pipeline.unlock(environment, user);
    else throw new HttpError(404, `environments have no action ${action}: lock or unlock`);
    response.json({ app: pipeline.config.app, environment, lock: pipeline.manualLockOf(environment) });
  });
  return router;
}
