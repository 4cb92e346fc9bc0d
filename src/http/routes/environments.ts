import { Router } from 'express';
import type { Pipeline } from '../../pipeline/service.js';
import { HttpError } from '../errors.js';
import { apiActor } from '../api-tokens.js';
import { environmentView } from './environment-view.js';

/** `/api/environments[/:env]`, as `/deploy status`; `/api/environments/:env/(lock|unlock)`, as `/deploy lock` and `/deploy unlock`. */
export function environmentRoutes(pipeline: Pipeline, names: readonly string[]): Router {
  const router = Router();
  // Each host is asked with a short timeout: a silent one is `unreachable`, and nothing waits on a deployment.
  const view = async (name: string) => environmentView(name, await pipeline.liveNow(name), pipeline.lockOf(name), pipeline.manualLockOf(name));
  router.get('/', async (_request, response) => {
    response.json({ environments: await Promise.all(names.map(view)) });
  });
  router.get('/:environment', async (request, response) => {
    response.json(await view(pipeline.environmentName(request.params.environment)));
  });
  router.post('/:environment/:action', async (request, response) => {
    const { environment, action } = request.params;
    const user = apiActor(request, response);
    const reason = (request.body as { reason?: unknown }).reason;
    if (reason !== undefined && typeof reason !== 'string') throw new HttpError(400, 'reason must be a string');
    if (action === 'lock') await pipeline.lock(environment, user, reason ?? null);
    else if (action === 'unlock') await pipeline.unlock(environment, user);
    else throw new HttpError(404, `environments have no action ${action}: lock or unlock`);
    response.json({ environment, lock: pipeline.manualLockOf(environment) });
  });
  return router;
}
