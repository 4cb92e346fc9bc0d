import { Router } from 'express';
import type { Pipeline } from '../../pipeline/service.js';
import { HttpError } from '../errors.js';
import { apiActor } from '../api-tokens.js';
import { deploymentView } from './deployments.js';

/** `POST /api/rollback { environment, release?, user }`, as `/rollback`. */
export function rollbackRoutes(pipeline: Pipeline, publicUrl: () => string): Router {
  const router = Router();
  router.post('/', async (request, response) => {
    const body = (request.body ?? {}) as { environment?: unknown; release?: unknown };
    if (body.environment !== undefined && typeof body.environment !== 'string') throw new HttpError(400, 'environment must be a string');
    if (body.release !== undefined && body.release !== null && typeof body.release !== 'string') throw new HttpError(400, 'release must be a release id or a commit');
    const deployment = await pipeline.requestRollback({ environment: body.environment, release: body.release ?? null, actor: apiActor(request, response) });
    response.status(202).json({ id: deployment.id, deployment: deploymentView(deployment, publicUrl()) });
  });
  return router;
}
