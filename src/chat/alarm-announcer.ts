import type { Logger } from 'pino';
import { dueReminder, type Alarm } from '../alarms/model.js';
import type { AlarmChange, Alarms } from '../alarms/service.js';
import { findEnvironment } from '../config/environments.js';
import type { AppsConfig } from '../config/apps.js';
import { alarmMessage } from './alarm-messages.js';
import { plain } from './messages.js';
import { dateMrkdwn, mention, mrkdwn } from './mrkdwn.js';
import type { Outbox } from './outbox/outbox.js';
import type { MessageRef } from './port.js';
import { isGroupEntry, type UserGroups } from '../shared/user-groups.js';

export interface AlarmAnnouncerOptions {
  outbox: Outbox;
  /** Every app: an alarm of one goes to its alerts channel. */
  apps: AppsConfig;
  alarms: Alarms;
  log: Logger;
  /** To mention a user group named by its handle (`@sre`) in `approvers` by its id, which notifies its members. */
  userGroups?: UserGroups;
  /** How often due reminders are looked for; default 5 s. */
  checkEveryMs?: number;
}

const alarmKey = (id: string) => `alarm:${id}`;

/**
 * Puts alarms in the alerts channel (of the alarm's app; the default app's for an alarm of none): one message per occurrence, updated in place, with its story
 * in the thread, all through the outbox (one lane per alarm), so an alarm raised while Slack is down
 * arrives when it answers again, also after a restart. Silenced alarms notify nobody.
 */
export function createAlarmAnnouncer(options: AlarmAnnouncerOptions) {
  const { outbox, apps, alarms, log } = options;
  const fallback = apps.apps.get(apps.defaultApp ?? [...apps.apps.keys()][0]!)!;
  /** The config of the alarm's app: an Alertmanager label may name an app igor does not serve. */
  const configOf = (alarm: Alarm) => (alarm.app ? apps.apps.get(alarm.app) : undefined) ?? fallback;
  const channelOf = (alarm: Alarm) => configOf(alarm).channels.alerts ?? configOf(alarm).channels.deploys;

  const render = (alarm: Alarm) => alarmMessage(alarm, alarms.silencedUntil(alarm.key));
  const lane = (alarm: Alarm) => alarmKey(alarm.id);
  const where = (alarm: Alarm): MessageRef | string | null => alarm.message ?? (outbox.knows(alarmKey(alarm.id)) ? alarmKey(alarm.id) : null);
  const queued = (work: Promise<void>) => void work.catch((error: unknown) => log.error({ err: error }, 'could not queue a chat message about an alarm'));

  function post(alarm: Alarm): void {
    queued(outbox.post(channelOf(alarm), render(alarm), { key: alarmKey(alarm.id), lane: lane(alarm) }));
  }

  function refresh(alarm: Alarm): void {
    const target = where(alarm);
    if (target) queued(outbox.update(target, render(alarm), { lane: lane(alarm) }));
  }

  function reply(alarm: Alarm, text: string): void {
    const target = where(alarm);
    if (target) queued(outbox.reply(target, plain(text), { lane: lane(alarm) }));
  }

  async function mentionsFor(alarm: Alarm): Promise<string> {
    const environment = alarm.environment ? findEnvironment(configOf(alarm), alarm.environment) : undefined;
    const people = environment ? (environment.approval.approvers.length ? environment.approval.approvers : (environment.deployers ?? [])) : [];
    const mentions = await Promise.all(
      people.map(async (entry) => {
        const group = isGroupEntry(entry) ? await options.userGroups?.idOf(entry) : null;
        return group ? mention(group) : mention(entry);
      }),
    );
    return mentions.length ? mentions.join(' ') : '<!here>';
  }

  function handle(change: AlarmChange): void {
    const { alarm } = change;
    switch (change.type) {
      case 'raised':
        if (!change.silenced) post(alarm);
        return;
      case 'fired-again':
        if (where(alarm)) refresh(alarm);
        else if (!change.silenced) post(alarm);
        return;
      case 'updated':
      case 'resolved':
        refresh(alarm);
        reply(alarm, mrkdwn(change.text));
        return;
      case 'reminder':
        queued(mentionsFor(alarm).then((mentions) => reply(alarm, `:bell: ${mentions} still firing since ${dateMrkdwn(alarm.since)} and nobody has acknowledged it.`)));
        return;
    }
  }

  function posted(key: string, ref: MessageRef): void {
    const alarm = key.startsWith('alarm:') ? alarms.get(key.slice('alarm:'.length)) : undefined;
    if (!alarm) return;
    alarm.message = ref;
    void alarms.save().catch((error: unknown) => log.error({ err: error, alarm: alarm.id }, 'could not save where an alarm message went'));
  }

  async function remind(): Promise<void> {
    const remindAfter = fallback.alarms?.remindAfter;
    if (!remindAfter) return;
    for (const alarm of alarms.live()) if (where(alarm) && dueReminder(alarm, remindAfter, new Date())) await alarms.remind(alarm);
  }

  const unsubscribe = alarms.on(handle);
  const unlisten = outbox.onPosted(posted);
  let timer: NodeJS.Timeout | null = null;
  let reminding: Promise<void> | null = null;
  const tick = () => {
    reminding ??= remind()
      .catch((error: unknown) => log.error({ err: error }, 'could not send alarm reminders'))
      .finally(() => (reminding = null));
  };
  return {
    start(): void {
      // Live alarms an older igor could not post (it kept them without a message) go out now.
      for (const alarm of alarms.live()) if (!where(alarm) && !alarms.silencedUntil(alarm.key)) post(alarm);
      tick();
      timer = setInterval(tick, options.checkEveryMs ?? 5_000);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      unsubscribe();
      unlisten();
      await reminding;
    },
  };
}
