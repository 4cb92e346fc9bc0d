import { codeMrkdwn, mention } from '../chat/mrkdwn.js';
import type { FlagsSlice } from './model.js';
import type { Store } from '../store/db.js';
import type { FlagSetting } from './model.js';

/** How one flag moved over a period: its value before, its value now, and who touched it last. */
export interface FlagDrift {
  key: string;
  from: FlagSetting | null;
  to: FlagSetting | null;
  /** How many changes in the period. */
  changes: number;
  lastBy: string;
  lastAt: string;
}

/**
 * The flags of `environment` changed after `sinceIso` (every change when it is null), by key.
 * `/deploy status` shows them next to the live release, since a flag can change what runs as
 * much as a deploy.
 * @example flagsChangedSince(store, 'shop', 'production', live.finishedAt) // [{ key: 'new-checkout', from: 'off', to: '25%', changes: 1, … }]
 */
export function flagsChangedSince(store: Store<FlagsSlice>, app: string, environment: string, sinceIso: string | null): FlagDrift[] {
  const since = sinceIso ? Date.parse(sinceIso) : Number.NEGATIVE_INFINITY;
  const drifts = new Map<string, FlagDrift>();
  for (const change of store.data.flags.history) {
    if (change.app !== app || change.environment !== environment || !(Date.parse(change.at) > since)) continue;
    const drift = drifts.get(change.key);
    if (drift) Object.assign(drift, { to: change.to, changes: drift.changes + 1, lastBy: change.user, lastAt: change.at });
    else drifts.set(change.key, { key: change.key, from: change.from, to: change.to, changes: 1, lastBy: change.user, lastAt: change.at });
  }
  return [...drifts.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** One line of mrkdwn for a status message, or null when nothing changed: "flags changed since: `a` off → 25% (<@U1>)". */
export function flagsChangedText(drifts: FlagDrift[]): string | null {
  if (drifts.length === 0) return null;
  const items = drifts.map(
    (drift) => `${codeMrkdwn(drift.key)} ${drift.from ?? 'not set'} → ${drift.to ?? 'deleted'} (${mention(drift.lastBy)}${drift.changes > 1 ? `, ${drift.changes} changes` : ''})`,
  );
  return `:triangular_flag_on_post: flags changed since: ${items.join(', ')}`;
}
