import express, { Router } from 'express';
import type { Logger } from 'pino';
import type { Alarms } from '../../alarms/service.js';
import { formatIssue } from '../../config/load.js';
import { requireBearer } from '../../http/auth.js';
import { HttpError } from '../../http/errors.js';
import { alertmanagerPayload } from './payload.js';
import { alarmFromAlert } from './to-alarm.js';

/**
 * `POST /api/alerts/alertmanager`: Alertmanager's webhook, bearer `IGOR_ALERTS_TOKEN`. The whole
 * payload is checked before anything is stored: a malformed one changes nothing.
 */
export function alertmanagerRoutes(options: { alarms: Alarms; token: string | undefined; log: Logger }): Router {
  const router = Router();
  router.use(requireBearer({ token: options.token, allowLoopbackWithoutToken: false, what: 'the Alertmanager webhook (IGOR_ALERTS_TOKEN)' }));
  router.use(express.json({ limit: '5mb' }));
  router.post('/', async (request, response) => {
    const parsed = alertmanagerPayload.safeParse(request.body, { reportInput: true });
    if (!parsed.success) throw new HttpError(400, `not an Alertmanager version 4 payload: ${formatIssue(parsed.error.issues[0]!)}`);
    const payload = parsed.data;
    const outcomes = { fired: 0, resolved: 0 };
    for (const alert of payload.alerts) {
      const input = alarmFromAlert(alert);
      if (alert.status === 'firing') {
        await options.alarms.raise(input);
        outcomes.fired++;
      } else if (await options.alarms.resolveKey(input.key, 'Alertmanager says it is resolved')) {
        outcomes.resolved++;
      }
    }
    options.log.info({ groupKey: payload.groupKey, status: payload.status, alerts: payload.alerts.length, ...outcomes }, 'Alertmanager webhook');
    response.json({ status: 'ok', ...outcomes });
  });
  return router;
}
