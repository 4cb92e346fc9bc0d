import express, { Router } from 'express';
import type { Logger } from 'pino';
import type { Alarms } from '../../alarms/service.js';
import { formatIssue } from '../../config/load.js';
import { requireBearer } from '../../http/auth.js';
import { ALERTS_PER_PAYLOAD, BODY_LIMITS } from '../../http/body.js';
import { HttpError } from '../../http/errors.js';
import { alertmanagerPayload } from './payload.js';
import { alarmFromAlert, overflowAlarm } from './to-alarm.js';

/**
 * `POST /api/alerts/alertmanager`: Alertmanager's webhook, bearer `IGOR_ALERTS_TOKEN`. The whole
 * payload is checked before anything is stored: a malformed one changes nothing.
 */
export function alertmanagerRoutes(options: { alarms: Alarms; token: string | undefined; log: Logger }): Router {
  const router = Router();
  router.use(requireBearer({ token: options.token, allowLoopbackWithoutToken: false, what: 'the Alertmanager webhook (IGOR_ALERTS_TOKEN)' }));
  router.use(express.json({ limit: BODY_LIMITS.alertmanager }));
  router.post('/', async (request, response) => {
    const parsed = alertmanagerPayload.safeParse(request.body, { reportInput: true });
    if (!parsed.success) throw new HttpError(400, `not an Alertmanager version 4 payload: ${formatIssue(parsed.error.issues[0]!)}`);
    const payload = parsed.data;
    const shown = payload.alerts.slice(0, ALERTS_PER_PAYLOAD);
    const unshown = payload.alerts.length - shown.length + payload.truncatedAlerts;
    const outcomes = await options.alarms.batch(async () => {
      const counts = { fired: 0, resolved: 0, summarised: unshown };
      for (const alert of shown) {
        const input = alarmFromAlert(alert);
        if (alert.status === 'firing') {
          await options.alarms.raise(input);
          counts.fired++;
        } else if (await options.alarms.resolveKey(input.key, 'Alertmanager says it is resolved')) {
          counts.resolved++;
        }
      }
      const summary = overflowAlarm(payload, unshown);
      if (unshown > 0) await options.alarms.raise(summary);
      else await options.alarms.resolveKey(summary.key, 'every alert of the group fits in a payload again');
      return counts;
    });
    options.log.info({ groupKey: payload.groupKey, status: payload.status, alerts: payload.alerts.length, ...outcomes }, 'Alertmanager webhook');
    response.json({ status: 'ok', ...outcomes });
  });
  return router;
}
