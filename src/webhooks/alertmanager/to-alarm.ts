import type { AlarmInput, AlarmSeverity } from '../../alarms/model.js';
import type { AlertmanagerAlert } from './payload.js';

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
    environment: labels.environment ?? labels.env ?? null,
    hosts: host ? [host] : [],
    summary: annotations.summary ?? annotations.title ?? labels.alertname ?? 'Alertmanager alert',
    detail: annotations.description ?? annotations.message ?? null,
    runbookUrl: annotations.runbook_url ?? annotations.runbook ?? null,
    link: alert.generatorURL || null,
    labels,
  };
}
