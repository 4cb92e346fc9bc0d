import type { Logger } from 'pino';
import { dueReminder, type Alarm } from '../alarms/model.js';
import type { AlarmChange, Alarms } from '../alarms/service.js';
import { findEnvironment } from '../config/environments.js';
import type { Config } from '../config/schema.js';
import { alarmMessage } from './alarm-messages.js';
import { plain } from './messages.js';
import { escapeMrkdwn, mention, mrkdwn } from './mrkdwn.js';
import type { Chat } from './port.js';

export interface AlarmAnnouncerOptions {
  chat: Chat;
  config: Config;
  alarms: Alarms;
  log: Logger;
  /** How often the outbox retries alarms whose message could not be posted. */
  retryEveryMs?: number;
}

/**
 * Puts alarms in the alerts channel: one message per occurrence, updated in place, with its story
 * in the thread. An alarm whose message could not be posted (Slack down, rate limited past the
 * client's own retries) stays in the store without a message: the outbox posts it when Slack
 * answers again, also after a restart. Silenced alarms notify nobody.
 */
export function createAlarmAnnouncer(options: AlarmAnnouncerOptions) {
  const { chat, config, alarms, log } = options;
  const channel = config.channels.alerts ?? config.channels.deploys;
  const busy = new Map<string, Promise<void>>();
  const stale = new Set<string>();

  function serial(alarm: Alarm, work: () => Promise<void>): Promise<void> {
    const next = (busy.get(alarm.id) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      log.warn({ err: error, alarm: alarm.id }, 'could not tell the chat about an alarm; the outbox will retry');
    });
    busy.set(alarm.id, next);
    return next;
  }

  const render = (alarm: Alarm) => alarmMessage(alarm, alarms.silencedUntil(alarm.key));

  async function post(alarm: Alarm): Promise<void> {
    if (alarm.message || alarm.state === 'resolved' || alarms.silencedUntil(alarm.key)) return;
    alarm.message = await chat.post(channel, render(alarm));
    await alarms.save();
  }

  async function refresh(alarm: Alarm): Promise<void> {
    if (!alarm.message) return;
    stale.add(alarm.id);
    await chat.update(alarm.message, render(alarm));
    stale.delete(alarm.id);
  }

  function mentionsFor(alarm: Alarm): string {
    const environment = alarm.environment ? findEnvironment(config, alarm.environment) : undefined;
    const people = environment ? (environment.approval.approvers.length ? environment.approval.approvers : (environment.deployers ?? [])) : [];
    return people.length ? people.map(mention).join(' ') : '<!here>';
  }

  function handle(change: AlarmChange): void {
    const { alarm } = change;
    switch (change.type) {
      case 'raised':
        if (!change.silenced) void serial(alarm, () => post(alarm));
        return;
      case 'fired-again':
        void serial(alarm, () => (alarm.message ? refresh(alarm) : change.silenced ? Promise.resolve() : post(alarm)));
        return;
      case 'updated':
      case 'resolved':
        void serial(alarm, async () => {
          await refresh(alarm);
          if (alarm.message) await chat.reply(alarm.message, plain(mrkdwn(change.text)));
        });
        return;
      case 'reminder':
        void serial(alarm, async () => {
          if (alarm.message) await chat.reply(alarm.message, plain(`:bell: ${mentionsFor(alarm)} still firing since ${escapeMrkdwn(alarm.since)} and nobody has acknowledged it.`));
        });
        return;
    }
  }

  /** Posts what could not be posted, brings stale messages up to date, sends due reminders. */
  async function drain(): Promise<void> {
    const remindAfter = config.alarms?.remindAfter;
    for (const alarm of alarms.live()) {
      if (!alarm.message) await serial(alarm, () => post(alarm));
      else if (stale.has(alarm.id)) await serial(alarm, () => refresh(alarm));
      if (remindAfter && alarm.message && dueReminder(alarm, remindAfter, new Date())) await alarms.remind(alarm);
    }
  }

  const unsubscribe = alarms.on(handle);
  let timer: NodeJS.Timeout | null = null;
  let draining: Promise<void> | null = null;
  const tick = () => {
    draining ??= drain().finally(() => (draining = null));
  };
  return {
    start(): void {
      tick();
      timer = setInterval(tick, options.retryEveryMs ?? 5_000);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      unsubscribe();
      await draining;
      await Promise.all(busy.values());
    },
  };
}
