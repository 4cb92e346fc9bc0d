import { Router } from 'express';
import type { Alarms } from '../../alarms/service.js';
import { HttpError } from '../errors.js';
import { viaOf } from '../../shared/actor.js';
import { apiActor } from '../api-tokens.js';

const HOUR_MS = 3_600_000;

/** `/api/alarms`: list, and act as the buttons do. */
export function alarmRoutes(alarms: Alarms): Router {
  const router = Router();
  router.get('/', (request, response) => {
    const state = typeof request.query.state === 'string' ? request.query.state : undefined;
    const environment = typeof request.query.environment === 'string' ? request.query.environment : undefined;
    response.json({ alarms: alarms.list({ state, environment }).map((alarm) => ({ ...alarm, silencedUntil: alarms.silencedUntil(alarm.key) })) });
  });
  router.get('/:id', (request, response) => {
    const alarm = alarms.found(request.params.id);
    response.json({ ...alarm, silencedUntil: alarms.silencedUntil(alarm.key) });
  });
  router.post('/:id/:action', async (request, response) => {
    const { id, action } = request.params;
    const actor = apiActor(request, response);
    const { user } = actor;
    const via = viaOf(actor);
    if (action === 'acknowledge') await alarms.acknowledge(id, user, via);
    else if (action === 'resolve') await alarms.resolve(id, user, null, via);
    else if (action === 'silence') {
      const minutes = (request.body as { minutes?: unknown }).minutes;
      if (minutes !== undefined && (typeof minutes !== 'number' || minutes <= 0)) throw new HttpError(400, 'minutes must be a positive number');
      await alarms.silence(id, user, minutes ? minutes * 60_000 : HOUR_MS, via);
    } else throw new HttpError(404, `alarms have no action ${action}: acknowledge, silence or resolve`);
    const alarm = alarms.found(id);
    response.json({ ...alarm, silencedUntil: alarms.silencedUntil(alarm.key) });
  });
  return router;
}
