import { Router } from 'express';
import type { Pipelines } from '../../pipeline/pipelines.js';
import { HttpError } from '../errors.js';
import { apiActor } from '../api-tokens.js';
import { deploymentView } from './deployments.js';

/** `POST /api/rollback { app?, environment, release?, user }`, as `/rollback`. */
export function rollbackRoutes(pipelines: Pipelines, publicUrl: () => string): Router {
  const router = Router();
  router.post('/', async (request, response) => {
    const body = (request.body ?? {}) as { app?: unknown; environment?: unknown; release?: unknown };
    if (body.app !== undefined && typeof body.app !== 'string') throw new HttpError(400, 'app must be a string');
    if (body.environment !== undefined && typeof body.environment !== 'string') throw new HttpError(400, 'environment must be a string');
    const pipeline = pipelines.of(body.app);
    if (body.release !== undefined && body.release !== null && typeof body.release !== 'string') throw new HttpError(400, 'release must be a release id or a commit');
    const deployment = await pipeline.requestRollback({ environment: body.environment, release: body.release ?? null, actor: apiActor(request, response) });
    response.status(202).json({ id: deployment.id, deployment: deploymentView(deployment, publicUrl()) });
  });
  return router;
}
