import express, { Router } from 'express';
import { HttpError } from '../http/errors.js';
import { apiActor } from '../http/api-tokens.js';
import { viaOf } from '../shared/actor.js';
import type { FlagChange } from './model.js';
import type { FlagsService } from './service.js';

/** A change as the API shows it: the audit entry without chat bookkeeping. */
export function changeView(change: FlagChange) {
  const { message: _message, ...rest } = change;
  return rest;
}

/**
 * The control API under `/api/flags` (behind the API token), as `/flags` in Slack: list, set,
 * delete, history, and undo. Changes name who acts (`user`), and the deployers rule applies.
 */
export function flagApiRoutes(flags: FlagsService): Router {
  const router = Router();
  router.use(express.json({ limit: '100kb' }));

  router.get('/', (request, response) => {
    const environment = request.query.environment;
    if (environment !== undefined && typeof environment !== 'string') throw new HttpError(400, 'environment must be one name');
    response.json({ flags: flags.list(environment) });
  });

  router.post('/changes/:id/undo', async (request, response) => {
    const actor = apiActor(request, response);
    const change = await flags.undo(request.params.id, actor.user, viaOf(actor));
    response.json({ change: changeView(change), flag: flags.get(change.environment, change.key) });
  });

  router.get('/:environment/:key/history', (request, response) => {
    const { environment, key } = request.params;
    const history = flags.history(environment, key);
    if (history.length === 0) throw new HttpError(404, `the flag ${key} in ${flags.environmentName(environment)} has no history`);
    response.json({ history: history.map(changeView) });
  });

  router.get('/:environment/:key', (request, response) => {
    const { environment, key } = request.params;
    const flag = flags.get(environment, key);
    if (!flag) throw new HttpError(404, `there is no flag ${key} in ${environment}`);
    response.json(flag);
  });

  router.put('/:environment/:key', async (request, response) => {
    const { environment, key } = request.params;
    const value = (request.body as { value?: unknown } | undefined)?.value;
    if (typeof value !== 'string') throw new HttpError(400, 'value is required: "on", "off" or a share such as "25%"');
    const actor = apiActor(request, response);
    const { change, flag } = await flags.set({ environment, key, value, user: actor.user, via: viaOf(actor) });
    response.json({ flag, change: change ? changeView(change) : null });
  });

  router.delete('/:environment/:key', async (request, response) => {
    const { environment, key } = request.params;
    const actor = apiActor(request, response);
    const change = await flags.remove({ environment, key, user: actor.user, via: viaOf(actor) });
    response.json({ change: changeView(change) });
  });

  return router;
}
