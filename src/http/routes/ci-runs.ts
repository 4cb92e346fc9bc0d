import { Router } from 'express';
import type { IntegrationServer } from '../../ci/server.js';
import type { CiRun } from '../../ci/types.js';
import { HttpError } from '../errors.js';
import { sendLogFile, STEP_NAME } from '../log-file.js';
import { apiActor } from '../api-tokens.js';

/**
 * `/api/ci/runs`: every app's test runs (`?app=` one app's, `?branch=` one branch's), their logs,
 * and the Retry button. `servers` maps each app to its integration server; `appNamed` refuses a
 * name igor does not serve, naming the nearest. A run's id is igor-wide, so its routes need no app.
 */
export function ciRunRoutes(servers: ReadonlyMap<string, IntegrationServer>, appNamed: (name: string) => string): Router {
  const router = Router();

  router.get('/', (request, response) => {
    const { app, branch } = request.query;
    if (app !== undefined && typeof app !== 'string') throw new HttpError(400, 'app must be one name');
    if (branch !== undefined && typeof branch !== 'string') throw new HttpError(400, 'branch must be one name');
    const limit = Math.min(Number(request.query.limit) || 50, 500);
    const scope = app === undefined ? [...servers.values()] : [servers.get(appNamed(app))!];
    const runs = scope.flatMap((ci) => ci.list({ branch, limit }));
    // Ids count up across apps: newest first is the highest id.
    runs.sort((a, b) => Number(b.id) - Number(a.id));
    response.json({ runs: runs.slice(0, limit) });
  });

  router.get('/:id', (request, response) => {
    response.json(found(servers, request.params.id).run);
  });

  router.post('/:id/:action', async (request, response) => {
    const { id, action } = request.params;
    if (action !== 'retry') throw new HttpError(404, `test runs have no action ${action}: retry`);
    const { ci, run } = found(servers, id);
    const retried = await ci.retry(run.id, apiActor(request, response).user);
    response.status(202).json({ id: retried.id, run: retried });
  });

  router.get('/:id/logs/:step', async (request, response) => {
    const { ci, run } = found(servers, request.params.id);
    const { step } = request.params;
    if (!STEP_NAME.test(step)) throw new HttpError(404, `test run ${run.id} has no step ${step}`);
    await sendLogFile(response, ci.logPath(run.id, step), `test run ${run.id} has no log of a step ${step}`);
  });

  return router;
}

function found(servers: ReadonlyMap<string, IntegrationServer>, id: string): { ci: IntegrationServer; run: CiRun } {
  for (const ci of servers.values()) {
    const run = ci.get(id);
    if (run) return { ci, run };
  }
  throw new HttpError(404, `there is no test run ${id}`);
}
