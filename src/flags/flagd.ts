import { createHash } from 'node:crypto';
import { shareOf, type FlagRecord, type FlagSetting } from './model.js';

/** One flag in flagd's flag-definition format: always a boolean flag with variants `on` and `off`. */
export interface FlagdFlag {
  state: 'ENABLED';
  variants: { on: true; off: false };
  defaultVariant: 'on' | 'off';
  targeting?: { fractional: [['on', number], ['off', number]] };
}

/** A whole flagd flag-definition document (https://flagd.dev/schema/v0/flags.json). */
export interface FlagdDocument {
  $schema: string;
  flags: Record<string, FlagdFlag>;
}

export const FLAGD_SCHEMA = 'https://flagd.dev/schema/v0/flags.json';

/**
 * One flag as flagd reads it. `off` and `on` are static; `N%` is a `fractional` rule with `on`
 * first, so the users bucketed into `on` at 25 % are still there at 50 %. Without a targeting key
 * flagd falls back to `defaultVariant`, which is `off` for a rollout.
 * @example flagdFlag('25%') // { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { fractional: [['on', 25], ['off', 75]] } }
 */
export function flagdFlag(value: FlagSetting): FlagdFlag {
  const base = { state: 'ENABLED', variants: { on: true, off: false } } as const;
  if (value === 'on' || value === 'off') return { ...base, defaultVariant: value };
  const share = shareOf(value);
  return { ...base, defaultVariant: 'off', targeting: { fractional: [['on', share], ['off', 100 - share]] } };
}

/** The flagd document of one environment's flags, keys in order so equal flags give equal bytes. */
export function flagdDocument(flags: Record<string, FlagRecord>): FlagdDocument {
  const keys = Object.keys(flags).sort();
  return { $schema: FLAGD_SCHEMA, flags: Object.fromEntries(keys.map((key) => [key, flagdFlag(flags[key]!.value)])) };
}

/** The document as served and pushed: pretty JSON with a final newline. */
export function flagdJson(flags: Record<string, FlagRecord>): string {
  return `${JSON.stringify(flagdDocument(flags), null, 2)}\n`;
}

/** A strong ETag of a body: the same bytes, the same tag. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * Whether an `If-None-Match` header names this ETag (or is `*`). Compared weakly, as RFC 9110
 * asks for `If-None-Match`, so a `W/` prefix added by a proxy still matches.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}
