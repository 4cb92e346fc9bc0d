/** Units accepted in config durations, in milliseconds. */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/**
 * Parses a config duration such as `500ms`, `5s`, `10m`, `1h`.
 * Returns `undefined` for anything else so the schema can name the key.
 * @example parseDuration('2s') // 2000
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** `90000` → `1m 30s`: durations as people read them in messages. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest ? `${minutes}m ${rest}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${minutes % 60}m`;
}

/** `7600` → `7.6s`, `84000` → `1m 24s`: how long something took, to a tenth of a second under a minute. */
export function formatElapsed(ms: number): string {
  return ms < 59_950 ? `${(Math.max(ms, 0) / 1_000).toFixed(1)}s` : formatDuration(ms);
}
