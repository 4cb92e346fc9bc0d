import type { Logger } from 'pino';
import { environmentName as resolveEnvironment } from '../config/environments.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../shared/clock.js';
import { RefusedError } from '../shared/refusal.js';
import { deployRefusal } from '../pipeline/policy.js';
import { membersOf } from '../pipeline/members.js';
import { createLocalUserGroups, type UserGroups } from '../shared/user-groups.js';
import type { FlagsSlice } from './model.js';
import type { Store } from '../store/db.js';
import { dictionary } from '../shared/names.js';
import type { Via } from '../shared/actor.js';
import { code, phrase, time, user as person } from '../shared/phrase.js';
import { flagKeyProblem, flagsIn, parseFlagSetting, SETTING_RULE, type FlagChange, type FlagRecord, type FlagSetting } from './model.js';
import { scopeKey } from '../shared/scope.js';

/** How many changes the audit log keeps, all environments together; the oldest go first. */
export const HISTORY_LIMIT = 5_000;

/** A flag as the API and chat show it. */
export interface FlagView {
  environment: string;
  key: string;
  value: FlagSetting;
  updatedBy: string;
  updatedAt: string;
}

export interface FlagsServiceOptions {
  config: Config;
  store: Store<FlagsSlice>;
  clock: Clock;
  log: Logger;
  /** Who is in the user groups `deployers` names; default: the config's `groups`. */
  userGroups?: UserGroups | undefined;
  /** Hears every change once it is stored: announce it, push `flags.json`. */
  onChange?: (change: FlagChange) => void;
}

/**
 * The flags of every environment and their audit log, kept in the store. Changes obey the same
 * rule as deploys (`environments.<env>.deployers`); anyone may read. Knows nothing of chat or HTTP.
 */
export function createFlagsService(options: FlagsServiceOptions) {
  const { config, store, clock, log } = options;

  const environmentName = (requested: string | undefined) => resolveEnvironment(config, requested);

  /** The flags of one (existing) environment, by key. */
  function flagsOf(environment: string): Record<string, FlagRecord> {
    return flagsIn(store.data.flags, config.app, environment) ?? dictionary();
  }

  function view(environment: string, key: string, record: FlagRecord): FlagView {
    return { environment, key, ...record };
  }

  function list(environment?: string): FlagView[] {
    const names = environment === undefined ? Object.keys(config.environments) : [environmentName(environment)];
    return names.flatMap((name) =>
      Object.entries(flagsOf(name))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, record]) => view(name, key, record)),
    );
  }

  const userGroups = options.userGroups ?? createLocalUserGroups(config.groups);
  async function mayChange(environment: string, user: string): Promise<void> {
    const refusal = deployRefusal(environment, config.environments[environment]!, await membersOf(userGroups, config.environments[environment]!, user), user, 'change flags in');
    if (refusal) throw new RefusedError('forbidden', refusal);
  }

  function checkKey(key: string): void {
    const problem = flagKeyProblem(key);
    if (problem) throw new RefusedError('bad-input', problem);
  }

  /** Stores one change: the flag's new value (or its removal) and the audit entry. */
  async function record(input: Pick<FlagChange, 'environment' | 'key' | 'action' | 'from' | 'to' | 'user' | 'undoOf'> & { via?: Via | undefined }): Promise<FlagChange> {
    const data = store.data.flags;
    const at = clock.now().toISOString();
    const { via, ...fields } = input;
    const change: FlagChange = { id: String(data.nextChangeId++), app: config.app, ...fields, ...(via ? { via: via.via, token: via.token ?? null } : {}), at, undoneBy: null, message: null, push: null };
    const flags = (data.environments[scopeKey(config.app, input.environment)] ??= dictionary());
    if (input.to === null) delete flags[input.key];
    else flags[input.key] = { value: input.to, updatedBy: input.user, updatedAt: at };
    if (input.undoOf) {
      const original = data.history.find((entry) => entry.id === input.undoOf);
      if (original) original.undoneBy = { change: change.id, user: input.user, at };
    }
    data.history.push(change);
    if (data.history.length > HISTORY_LIMIT) data.history.splice(0, data.history.length - HISTORY_LIMIT);
    await store.write();
    log.info({ change: change.id, environment: change.environment, key: change.key, action: change.action, from: change.from, to: change.to, user: change.user, via: change.via, token: change.token }, 'flag changed');
    options.onChange?.(change);
    return change;
  }

  return {
    /** The app's config (the single-app form). */
    config,
    environmentName,
    flagsOf,
    /** Every flag of one environment, or of all, by environment and key. */
    list,
    get(environment: string, key: string): FlagView | null {
      const name = environmentName(environment);
      const record = flagsOf(name)[key];
      return record ? view(name, key, record) : null;
    },
    /**
     * Creates or changes a flag. Setting the value it already has changes nothing and records
     * nothing (`change: null`).
     */
    async set(input: { environment?: string | undefined; key: string; value: string; user: string; via?: Via }): Promise<{ change: FlagChange | null; flag: FlagView }> {
      const environment = environmentName(input.environment);
      await mayChange(environment, input.user);
      checkKey(input.key);
      const value = parseFlagSetting(input.value);
      if (!value) throw new RefusedError('bad-input', `a flag's value is ${SETTING_RULE}; got "${input.value.slice(0, 100)}"`);
      const current = flagsOf(environment)[input.key];
      if (current?.value === value) return { change: null, flag: view(environment, input.key, current) };
      const change = await record({ environment, key: input.key, action: 'set', from: current?.value ?? null, to: value, user: input.user, undoOf: null, via: input.via });
      return { change, flag: view(environment, input.key, flagsOf(environment)[input.key]!) };
    },
    async remove(input: { environment?: string | undefined; key: string; user: string; via?: Via }): Promise<FlagChange> {
      const environment = environmentName(input.environment);
      await mayChange(environment, input.user);
      checkKey(input.key);
      const current = flagsOf(environment)[input.key];
      if (!current) throw new RefusedError('not-found', `there is no flag ${input.key} in ${environment}`);
      return record({ environment, key: input.key, action: 'delete', from: current.value, to: null, user: input.user, undoOf: null, via: input.via });
    },
    /**
     * Reverts one change: the flag goes back to what it was before it (or away, if it was new).
     * Refused when the flag changed again since, so a later change is never silently lost.
     */
    async undo(changeId: string, user: string, via?: Via): Promise<FlagChange> {
      const original = store.data.flags.history.find((change) => change.id === changeId && change.app === config.app);
      if (!original) throw new RefusedError('not-found', `there is no flag change ${changeId}`);
      const environment = environmentName(original.environment);
      await mayChange(environment, user);
      if (original.undoneBy) {
        throw new RefusedError('conflict', phrase`change ${changeId} was undone already by ${person(original.undoneBy.user)} (change ${original.undoneBy.change}, ${time(original.undoneBy.at)})`);
      }
      const current = flagsOf(environment)[original.key] ?? null;
      if ((current?.value ?? null) !== original.to) {
        const now = current ? phrase`it is ${current.value} since ${person(current.updatedBy)} set it (${time(current.updatedAt)})` : phrase`it was deleted since`;
        throw new RefusedError('conflict', phrase`${code(original.key)} in ${environment} changed after change ${changeId} (${now}): undo the later change, or set it with ${code('/flags set')}`);
      }
      return record({ environment, key: original.key, action: 'undo', from: original.to, to: original.from, user, undoOf: original.id, via });
    },
    change(id: string): FlagChange | undefined {
      return store.data.flags.history.find((change) => change.id === id && change.app === config.app);
    },
    /** The audit log of one flag, newest first. */
    history(environment: string, key: string): FlagChange[] {
      const name = environmentName(environment);
      checkKey(key);
      return store.data.flags.history.filter((change) => change.app === config.app && change.environment === name && change.key === key).reverse();
    },
  };
}
export type FlagsService = ReturnType<typeof createFlagsService>;
