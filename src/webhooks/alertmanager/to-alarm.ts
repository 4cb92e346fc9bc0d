import type { AlarmInput, AlarmSeverity } from '../../alarms/model.js';
import { createHash } from 'node:crypto';
import type { AlertmanagerAlert, AlertmanagerPayload } from './payload.js';

const SEVERITIES: ReadonlyMap<string, AlarmSeverity> = new Map([
  ['critical', 'critical'],
  ['page', 'critical'],
  ['error', 'critical'],
  ['warning', 'warning'],
  ['warn', 'warning'],
  ['info', 'info'],
  ['none', 'info'],
]);

/**
 * One Alertmanager alert as an igor alarm. Keyed by the alert's fingerprint, not the group: a
 * group can say `resolved` while silenced alerts in it still fire. The environment is the label
 * `environment`, else `env`.
 */
export function alarmFromAlert(alert: AlertmanagerAlert): AlarmInput {
  const { labels, annotations } = alert;
  const host = labels.instance ?? labels.host ?? labels.hostname;
  return {
    key: `alertmanager:${alert.fingerprint}`,
    source: 'alertmanager',
    severity: SEVERITIES.get((labels.severity ?? '').toLowerCase()) ?? 'warning',
    app: labels.app ?? null,
    environment: labels.environment ?? labels.env ?? null,
    hosts: host ? [host] : [],
    summary: annotations.summary ?? annotations.title ?? labels.alertname ?? 'Alertmanager alert',
    detail: annotations.description ?? annotations.message ?? null,
    runbookUrl: annotations.runbook_url ?? annotations.runbook ?? null,
    link: alert.generatorURL || null,
    labels,
  };
}

/**
 * One alarm for the alerts of a payload igor did not turn into alarms one by one: those past
 * {@link ALERTS_PER_PAYLOAD}, and those Alertmanager itself left out (`truncatedAlerts`, its
 * `max_alerts`). Keyed by the group, so the next payload of the group updates it.
 */
export function overflowAlarm(payload: AlertmanagerPayload, count: number): AlarmInput {
  const group = Object.entries(payload.groupLabels).map(([key, value]) => `${key}=${value}`).join(', ') || payload.groupKey;
  const labels = payload.commonLabels;
  return {
    key: `alertmanager-group:${createHash('sha256').update(payload.groupKey).digest('hex').slice(0, 16)}`,
    source: 'alertmanager',
    severity: SEVERITIES.get((labels.severity ?? '').toLowerCase()) ?? 'warning',
    app: labels.app ?? null,
    environment: labels.environment ?? labels.env ?? null,
    summary: `${count} more alert(s) of ${group} than igor shows one by one`,
    detail: `Alertmanager sent ${payload.alerts.length} alert(s) in one payload${payload.truncatedAlerts ? ` and left out ${payload.truncatedAlerts}` : ''}; see ${payload.externalURL || 'Alertmanager'} for all of them.`,
    link: payload.externalURL || null,
    labels: payload.groupLabels,
    summarises: true,
  };
}
