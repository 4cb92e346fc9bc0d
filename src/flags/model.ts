import type { MessageRef } from '../chat/port.js';
import type { Via } from '../shared/actor.js';
import { dictionary, isReservedName, ownEntry } from '../shared/names.js';
import { scopeKey, scopeRecords } from '../shared/scope.js';

/**
 * What a flag is set to: `on` for everyone, `off` for no one, or `N%` of targeting keys
 * (`"25%"`, an integer 0–100). Always written in this canonical form.
 */
export type FlagSetting = 'on' | 'off' | `${number}%`;

/** One flag of one environment, as the store keeps it. */
export interface FlagRecord {
  value: FlagSetting;
  /** Slack user id of who set it last (or `api`). */
  updatedBy: string;
  updatedAt: string;
}

/** Where a change's `flags.json` went when `flags.push` is on: every host, and how it went. */
export interface PushReport {
  /** Set when the hosts could not even be listed. */
  error: string | null;
  hosts: Array<{ host: string; ok: boolean; error: string | null }>;
}

/** One entry of the audit log: a flag set, deleted, or a change undone. */
export interface FlagChange {
  id: string;
  /** The app whose environment it is (set on the changes of an older igor when the store is upgraded). */
  app: string;
  environment: string;
  key: string;
  action: 'set' | 'delete' | 'undo';
  /** `null` where the flag did not exist. */
  from: FlagSetting | null;
  to: FlagSetting | null;
  user: string;
  /** Through what it was made (absent in changes of an older igor); for the API, the token's name. */
  via?: Via['via'];
  token?: string | null;
  at: string;
  /** For `undo`: the change it reverted. */
  undoOf: string | null;
  /** Set once this change was reverted by a later `undo`. */
  undoneBy: { change: string; user: string; at: string } | null;
  /** The announcement in chat, so undoing can update it. */
  message: MessageRef | null;
  /** Null when the environment does not push, or the push has not run yet. */
  push: PushReport | null;
}

/** The store's `flags` field: values per app and environment (`scopeKey`) and key, and the audit log, oldest first. */
export interface FlagsData {
  nextChangeId: number;
  environments: Record<string, Record<string, FlagRecord>>;
  history: FlagChange[];
}

/** The flags' part of the store. */
export interface FlagsSlice {
  /** Feature flags per environment and their audit log (`/flags`, `/api/flags`). */
  flags: FlagsData;
}

export function emptyFlags(): FlagsData {
  return { nextChangeId: 1, environments: dictionary(), history: [] };
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const MAX_KEY_LENGTH = 100;

/**
 * Null when `key` is a valid flag key: letters, digits, `-`, `_` and `.`, starting with a letter or
 * digit (so `.` and `..` never reach a URL path), at most 100 characters; else the sentence why not.
 * @example flagKeyProblem('new-checkout') // null
 * @example flagKeyProblem('new/checkout') // 'a flag key is letters, digits, … `new/checkout` has "/"'
 */
export function flagKeyProblem(key: string): string | null {
  if (KEY.test(key) && key.length <= MAX_KEY_LENGTH && !isReservedName(key)) return null;
  if (isReservedName(key)) return `\`${key}\` is a reserved name: choose another flag key`;
  const rule = 'a flag key is letters, digits, "-", "_" and ".", starting with a letter or digit';
  const shown = `\`${key.slice(0, MAX_KEY_LENGTH)}\``;
  if (key === '') return `${rule}; it is empty`;
  if (key.length > MAX_KEY_LENGTH) return `${rule}, at most ${MAX_KEY_LENGTH} characters; ${shown}… has ${key.length}`;
  const bad = [...key].find((char) => !/[A-Za-z0-9._-]/.test(char));
  if (bad) return `${rule}; ${shown} has ${JSON.stringify(bad)}`;
  return `${rule}; ${shown} starts with ${JSON.stringify(key[0])}`;
}

/**
 * Reads `on`, `off` or `N%` (an integer 0–100) in canonical form; null for anything else.
 * @example parseFlagSetting('ON') // 'on'
 * @example parseFlagSetting('025%') // '25%'
 */
export function parseFlagSetting(text: string): FlagSetting | null {
  const lower = text.trim().toLowerCase();
  if (lower === 'on' || lower === 'off') return lower;
  const match = /^(\d{1,3})%$/.exec(lower);
  if (!match) return null;
  const share = Number(match[1]);
  return share <= 100 ? `${share}%` : null;
}

export const SETTING_RULE = 'on, off, or a share of users such as 25% (a whole number 0–100)';

/** The share of users that get `on`: 100, 0, or N. */
export function shareOf(value: FlagSetting): number {
  if (value === 'on') return 100;
  if (value === 'off') return 0;
  return Number(value.slice(0, -1));
}

/** `25%` and friends are rollouts: they bucket by targeting key. */
export function isRollout(value: FlagSetting): boolean {
  return value.endsWith('%');
}

/** The flags of one app's environment, by key; undefined while none was ever set there. */
export function flagsIn(data: FlagsData, app: string, environment: string): Record<string, FlagRecord> | undefined {
  return ownEntry(data.environments, scopeKey(app, environment));
}

/** Keys the flags an igor of one app kept per bare environment name by app and environment. */
export function scopeFlagsData(data: FlagsData, app: string): boolean {
  const older = data.history.filter((change) => (change as Partial<FlagChange>).app === undefined);
  for (const change of older) change.app = app;
  return scopeRecords(data.environments, app) || older.length > 0;
}
