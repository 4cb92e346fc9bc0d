import { dictionary } from '../shared/names.js';
import type { ChatThread } from '../pipeline/types.js';
import type { Via } from '../shared/actor.js';

export type AlarmSource = 'monitor' | 'alertmanager' | 'igor';
export type AlarmSeverity = 'critical' | 'warning' | 'info';
export type AlarmState = 'firing' | 'acknowledged' | 'resolved';

export interface AlarmEvent {
  at: string;
  action: 'fired' | 'fired-again' | 'acknowledged' | 'silenced' | 'resolved' | 'reminded';
  user: string | null;
  /** Through what the user acted (absent for igor's own events); for the API, the token's name. */
  via?: Via['via'];
  token?: string | null;
  detail: string | null;
}

/** One occurrence of something wrong, from any source; deduplicated by `key` while it lasts. */
export interface Alarm {
  id: string;
  key: string;
  source: AlarmSource;
  severity: AlarmSeverity;
  /** The app it is about (null for none, and in alarms of an older igor). */
  app?: string | null;
  environment: string | null;
  hosts: string[];
  summary: string;
  detail: string | null;
  /** What to do first: a runbook, or null when the obvious action (a button) is it. */
  runbookUrl: string | null;
  /** Where it came from: Prometheus' graph, igor's deployment page. */
  link: string | null;
  labels: Record<string, string>;
  /** The deployment a `Rollback` would undo, when rolling back is what would fix it. */
  deploymentId: string | null;
  state: AlarmState;
  since: string;
  lastSeen: string;
  count: number;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  remindedAt: string | null;
  history: AlarmEvent[];
  /** Its message in the alerts channel; null until posted (the outbox retries until it is). */
  message: ChatThread | null;
}

/** What a source reports; the service turns it into a new alarm or an update of the live one. */
export interface AlarmInput {
  key: string;
  source: AlarmSource;
  severity: AlarmSeverity;
  app?: string | null;
  environment: string | null;
  hosts?: string[];
  summary: string;
  detail?: string | null;
  runbookUrl?: string | null;
  link?: string | null;
  labels?: Record<string, string>;
  deploymentId?: string | null;
  /** An alarm that sums up others (too many in one environment or one payload): never itself folded into a summary. */
  summarises?: boolean;
}

/** A silence on a key: no notification for it until `until`. */
export interface Silence {
  until: string;
  by: string;
}

export function isLive(alarm: Alarm): boolean {
  return alarm.state !== 'resolved';
}

/** A new alarm from a report. */
export function newAlarm(id: string, input: AlarmInput, now: Date): Alarm {
  const at = now.toISOString();
  return {
    id,
    key: input.key,
    source: input.source,
    severity: input.severity,
    app: input.app ?? null,
    environment: input.environment,
    hosts: input.hosts ?? [],
    summary: input.summary,
    detail: input.detail ?? null,
    runbookUrl: input.runbookUrl ?? null,
    link: input.link ?? null,
    labels: input.labels ?? {},
    deploymentId: input.deploymentId ?? null,
    state: 'firing',
    since: at,
    lastSeen: at,
    count: 1,
    acknowledgedBy: null,
    acknowledgedAt: null,
    resolvedAt: null,
    remindedAt: null,
    history: [{ at, action: 'fired', user: null, detail: null }],
    message: null,
  };
}

/** The live alarm fired again: counted, refreshed, its message updated rather than repeated. */
export function fireAgain(alarm: Alarm, input: AlarmInput, now: Date): void {
  const at = now.toISOString();
  Object.assign(alarm, {
    count: alarm.count + 1,
    lastSeen: at,
    severity: input.severity,
    summary: input.summary,
    detail: input.detail ?? alarm.detail,
    hosts: input.hosts ?? alarm.hosts,
    runbookUrl: input.runbookUrl ?? alarm.runbookUrl,
    link: input.link ?? alarm.link,
    labels: input.labels ?? alarm.labels,
    deploymentId: input.deploymentId ?? alarm.deploymentId,
  });
  alarm.history.push({ at, action: 'fired-again', user: null, detail: null });
}

/** Whether a critical alarm is due a reminder: still firing, nobody has it, `remindAfter` since it fired or was last reminded. */
export function dueReminder(alarm: Alarm, remindAfterMs: number, now: Date): boolean {
  if (alarm.state !== 'firing' || alarm.severity !== 'critical') return false;
  return now.getTime() - Date.parse(alarm.remindedAt ?? alarm.since) >= remindAfterMs;
}

/** The alarms' part of the store. */
export interface AlarmsData {
  nextAlarmId: number;
  alarms: Alarm[];
  /** Silences by alarm key: no notification for that key until the silence ends. */
  silences: Record<string, Silence>;
}

export function emptyAlarmsData(): AlarmsData {
  return { nextAlarmId: 1, alarms: [], silences: dictionary() };
}

/** igor's own keys that name an app's environment or branch since igor serves many apps: `monitor:staging:web-1` became `monitor:shop/staging:web-1`. */
const APP_SCOPED_KEY = /^(monitor|ci):(?![^:]*\/)/;

/**
 * Gives the alarms and silences an igor of one app kept the app's name (`app`): their keys, so a
 * live health alarm still resolves, and a silence still holds. Returns whether any changed.
 */
export function scopeAlarmsData(data: AlarmsData, app: string): boolean {
  const rekey = (key: string) => key.replace(APP_SCOPED_KEY, `$1:${app}/`);
  let changed = false;
  for (const alarm of data.alarms) {
    if (alarm.source === 'alertmanager' || alarm.app !== undefined) continue;
    alarm.app = app;
    alarm.key = rekey(alarm.key);
    changed = true;
  }
  for (const key of Object.keys(data.silences)) {
    const moved = rekey(key);
    if (moved === key) continue;
    data.silences[moved] ??= data.silences[key]!;
    delete data.silences[key];
    changed = true;
  }
  return changed;
}
