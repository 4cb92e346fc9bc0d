/**
 * The release id: the deployment's start time in UTC and the first 7 hex digits of the sha,
 * so names sort by time. Every host of one deployment gets the same id.
 * @example releaseName(new Date('2026-11-26T10:20:30Z'), 'abcdef0123…') // '20261126T102030Z-abcdef0'
 */
export function releaseName(startedAt: Date, sha: string): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${sha.slice(0, 7)}`;
}

const RELEASE = /^\d{8}T\d{6}Z-[0-9a-f]{7}$/;

export function isReleaseName(name: string): boolean {
  return RELEASE.test(name);
}

/**
 * Which releases to delete so that at most `keep` stay, never the live one nor the one before it.
 * Folders that are not igor releases are never touched.
 */
export function releasesToPrune(existing: readonly string[], keep: number, live: string | null, previous: string | null): string[] {
  const protectedNames = new Set([live, previous].filter((name): name is string => name !== null));
  const newestFirst = existing.filter(isReleaseName).sort().reverse();
  const kept = new Set<string>(protectedNames);
  for (const name of newestFirst) {
    if (kept.size >= keep) break;
    kept.add(name);
  }
  return newestFirst.filter((name) => !kept.has(name));
}
