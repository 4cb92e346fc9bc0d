import { Router } from 'express';
import type { IntegrationServer } from '../../ci/server.js';
import type { CiRun } from '../../ci/types.js';
import { HttpError } from '../errors.js';
import { sendLogFile, STEP_NAME } from '../log-file.js';
import { apiActor } from '../api-tokens.js';

/** `/api/ci/runs`: the integration server's test runs, their logs, and the Retry button. */
export function ciRunRoutes(ci: IntegrationServer): Router {
  const router = Router();

  router.get('/', (request, response) => {
    const branch = typeof request.query.branch === 'string' ? request.query.branch : undefined;
    const limit = Math.min(Number(request.query.limit) || 50, 500);
    response.json({ runs: ci.list({ branch, limit }) });
  });

  router.get('/:id', (request, response) => {
    response.json(found(ci, request.params.id));
  });

  router.post('/:id/:action', async (request, response) => {
    const { id, action } = request.params;
    if (action !== 'retry') throw new HttpError(404, `test runs have no action ${action}: retry`);
    const run = await ci.retry(found(ci, id).id, apiActor(request, response).user);
    response.status(202).json({ id: run.id, run });
  });

  router.get('/:id/logs/:step', async (request, response) => {
    const run = found(ci, request.params.id);
    const { step } = request.params;
    if (!STEP_NAME.test(step)) throw new HttpError(404, `test run ${run.id} has no step ${step}`);
    await sendLogFile(response, ci.logPath(run.id, step), `test run ${run.id} has no log of a step ${step}`);
  });

  return router;
}

function found(ci: IntegrationServer, id: string): CiRun {
  const run = ci.get(id);
  if (!run) throw new HttpError(404, `there is no test run ${id}`);
  return run;
}
