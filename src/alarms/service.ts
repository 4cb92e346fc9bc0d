import type { Logger } from 'pino';
import { RefusedError } from '../shared/refusal.js';
import type { Clock } from '../shared/clock.js';
import type { AlarmsData } from './model.js';
import type { Store } from '../store/db.js';
import type { Via } from '../shared/actor.js';
import { phrase, time, user as person, type Phrase } from '../shared/phrase.js';
import { fireAgain, isLive, newAlarm, type Alarm, type AlarmEvent, type AlarmInput } from './model.js';

/** What the alarm service tells the chat: each is a message posted, updated or replied to. */
export type AlarmChange =
  | { type: 'raised'; alarm: Alarm; silenced: boolean }
  | { type: 'fired-again'; alarm: Alarm; silenced: boolean }
  | { type: 'updated'; alarm: Alarm; text: Phrase }
  | { type: 'resolved'; alarm: Alarm; text: Phrase }
  | { type: 'reminder'; alarm: Alarm };

/** How many resolved alarms the store keeps. */
const RESOLVED_KEPT = 500;

/**
 * How many alarms may fire at once in one environment (or with none). Past it, new ones are
 * counted in one summary alarm of that environment: nobody reads a hundred alarm messages, and
 * Slack would throttle them.
 */
export const LIVE_PER_ENVIRONMENT = 20;

/**
 * One alarm model for every source. A report for a key that is live updates that alarm; after it
 * resolved, the same key starts a new occurrence. Every action is kept in the alarm's history.
 */
export function createAlarms(options: { store: Store<AlarmsData>; clock: Clock; log: Logger }) {
  const { store, clock } = options;
  const listeners = new Set<(change: AlarmChange) => void>();
  const emit = (change: AlarmChange) => {
    for (const listener of listeners) listener(change);
  };
  const now = () => clock.now();
  /** Changes waiting for the one write at the end of a {@link batch}; null outside one. */
  let batched: AlarmChange[] | null = null;

  /** Saves, then announces: inside a batch, both wait for the batch's one write. */
  async function commit(change: AlarmChange | null): Promise<void> {
    if (batched) {
      if (change) batched.push(change);
      return;
    }
    await store.write();
    if (change) emit(change);
  }

  function overflowKey(input: Pick<AlarmInput, 'app' | 'environment'>): string {
    return `overflow:${input.app ? `${input.app}/` : ''}${input.environment ?? '(none)'}`;
  }

  /** The summary alarm that counts what did not get an alarm of its own in a full environment. */
  async function overflow(input: AlarmInput): Promise<Alarm> {
    const key = overflowKey(input);
    const live = liveByKey(key);
    const where = input.environment ? `${input.app ? `${input.app}/` : ''}${input.environment}` : 'no environment';
    const summary = (count: number) => `${count} more alarm(s) are firing in ${where} than igor shows one by one (at most ${LIVE_PER_ENVIRONMENT})`;
    if (live) {
      fireAgain(live, { ...input, key, summary: summary(live.count + 1), detail: `latest: ${input.summary}`, hosts: [], deploymentId: null }, now());
      await commit({ type: 'fired-again', alarm: live, silenced: silenced(key) });
      return live;
    }
    const alarm = newAlarm(`A${store.data.nextAlarmId++}`, { ...input, key, summary: summary(1), detail: `latest: ${input.summary}`, hosts: [], runbookUrl: null, deploymentId: null, labels: {} }, now());
    store.data.alarms.push(alarm);
    prune();
    await commit({ type: 'raised', alarm, silenced: silenced(key) });
    return alarm;
  }

  function liveByKey(key: string): Alarm | undefined {
    return store.data.alarms.find((alarm) => alarm.key === key && isLive(alarm));
  }

  function silenced(key: string): boolean {
    const silence = store.data.silences[key];
    if (!silence) return false;
    if (Date.parse(silence.until) > now().getTime()) return true;
    delete store.data.silences[key];
    return false;
  }

  function found(id: string): Alarm {
    const alarm = store.data.alarms.find((entry) => entry.id === id);
    if (!alarm) throw new RefusedError('not-found', `there is no alarm ${id}`);
    return alarm;
  }

  function prune(): void {
    const resolved = store.data.alarms.filter((alarm) => !isLive(alarm));
    const excess = resolved.length - RESOLVED_KEPT;
    if (excess > 0) {
      const doomed = new Set(resolved.slice(0, excess));
      store.data.alarms = store.data.alarms.filter((alarm) => !doomed.has(alarm));
    }
  }

  return {
    on(listener: (change: AlarmChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Raises an alarm, or counts the live one with the same key again. */
    async raise(input: AlarmInput): Promise<Alarm> {
      const live = liveByKey(input.key);
      if (live) {
        fireAgain(live, input, now());
        await commit({ type: 'fired-again', alarm: live, silenced: silenced(input.key) });
        return live;
      }
      const crowd = store.data.alarms.filter((alarm) => isLive(alarm) && (alarm.app ?? null) === (input.app ?? null) && alarm.environment === input.environment && alarm.key !== overflowKey(input));
      // The crowd includes summaries of payloads: they are alarms people see too.
      if (!input.summarises && crowd.length >= LIVE_PER_ENVIRONMENT) return overflow(input);
      const alarm = newAlarm(`A${store.data.nextAlarmId++}`, input, now());
      store.data.alarms.push(alarm);
      prune();
      options.log.warn({ alarm: alarm.id, key: alarm.key, severity: alarm.severity, app: alarm.app, environment: alarm.environment }, alarm.summary);
      await commit({ type: 'raised', alarm, silenced: silenced(input.key) });
      return alarm;
    },
    /**
     * Whether no alarm with this key was ever raised, as far as igor can still tell for something
     * that happened at `at`: true when none is kept and igor would still keep one raised then
     * (resolved alarms are pruned oldest first).
     */
    neverRaised(key: string, at: string): boolean {
      if (store.data.alarms.some((alarm) => alarm.key === key)) return false;
      const resolved = store.data.alarms.filter((alarm) => !isLive(alarm));
      if (resolved.length < RESOLVED_KEPT) return true;
      return Date.parse(at) > Date.parse(resolved[0]!.since);
    },
    /**
     * Runs `work` (raises and resolves) with one store write at its end, and announces its changes
     * after that write: a payload of many alerts costs one write, not one per alert.
     */
    async batch<T>(work: () => Promise<T>): Promise<T> {
      if (batched) return work();
      batched = [];
      try {
        return await work();
      } finally {
        const changes = batched;
        batched = null;
        await store.write();
        for (const change of changes) emit(change);
      }
    },
    /** Resolves the live alarm with this key, if any (a source saying it is fine again). */
    async resolveKey(key: string, detail: string): Promise<Alarm | null> {
      const live = liveByKey(key);
      if (!live) return null;
      return this.resolve(live.id, null, detail);
    },
    async resolve(id: string, user: string | null, detail: string | null = null, via?: Via): Promise<Alarm> {
      const alarm = found(id);
      if (!isLive(alarm)) throw new RefusedError('conflict', `alarm ${id} is resolved already`);
      const at = now().toISOString();
      Object.assign(alarm, { state: 'resolved', resolvedAt: at });
      alarm.history.push({ at, action: 'resolved', user, detail, ...viaFields(via) });
      await commit({ type: 'resolved', alarm, text: phrase`:white_check_mark: Resolved${user ? phrase` by ${person(user)}` : ''}${detail ? phrase`: ${detail}` : ''}.` });
      return alarm;
    },
    async acknowledge(id: string, user: string, via?: Via): Promise<Alarm> {
      const alarm = found(id);
      if (alarm.state === 'resolved') throw new RefusedError('conflict', `alarm ${id} is resolved already`);
      if (alarm.state === 'acknowledged') throw new RefusedError('conflict', phrase`alarm ${id} is acknowledged already by ${person(alarm.acknowledgedBy ?? 'someone')}`);
      const at = now().toISOString();
      Object.assign(alarm, { state: 'acknowledged', acknowledgedBy: user, acknowledgedAt: at });
      alarm.history.push({ at, action: 'acknowledged', user, detail: null, ...viaFields(via) });
      await commit({ type: 'updated', alarm, text: phrase`:eyes: ${person(user)} has it.` });
      return alarm;
    },
    /** Silences the alarm's key: it notifies nobody until the silence ends. */
    async silence(id: string, user: string, durationMs: number, via?: Via): Promise<Alarm> {
      const alarm = found(id);
      if (alarm.state === 'resolved') throw new RefusedError('conflict', `alarm ${id} is resolved already`);
      const at = now();
      const until = new Date(at.getTime() + durationMs).toISOString();
      store.data.silences[alarm.key] = { until, by: user };
      alarm.history.push({ at: at.toISOString(), action: 'silenced', user, detail: `until ${until}`, ...viaFields(via) });
      await commit({ type: 'updated', alarm, text: phrase`:mute: Silenced by ${person(user)} until ${time(until)}.` });
      return alarm;
    },
    /** Records that a reminder went out, and asks the chat to send it. */
    async remind(alarm: Alarm): Promise<void> {
      const at = now().toISOString();
      alarm.remindedAt = at;
      alarm.history.push({ at, action: 'reminded', user: null, detail: null });
      await store.write();
      if (!silenced(alarm.key)) emit({ type: 'reminder', alarm });
    },
    /** Persists changes made to alarms outside the service (their chat message refs). */
    save: () => store.write(),
    silencedUntil(key: string): string | null {
      return silenced(key) ? store.data.silences[key]!.until : null;
    },
    get: (id: string) => store.data.alarms.find((alarm) => alarm.id === id),
    found,
    /** Newest first. */
    list(filter: { state?: string; environment?: string } = {}): Alarm[] {
      return store.data.alarms
        .filter((alarm) => (!filter.state || alarm.state === filter.state) && (!filter.environment || alarm.environment === filter.environment))
        .slice()
        .reverse();
    },
    live: () => store.data.alarms.filter(isLive),
  };
}
export type Alarms = ReturnType<typeof createAlarms>;

function viaFields(via: Via | undefined): Pick<AlarmEvent, 'via' | 'token'> {
  return via ? { via: via.via, token: via.token ?? null } : {};
}
