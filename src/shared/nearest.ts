import { distance } from 'fastest-levenshtein';

/**
 * The candidate a mistyped word most likely meant (`mian` → `main`, `prodution` → `production`),
 * or undefined when none is close: one edit for words of three letters, else two or a third of the
 * word's length (a swapped pair of letters is two edits).
 * @example nearest('stagign', ['staging', 'production']) // 'staging'
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = word.length <= 3 ? 1 : Math.max(2, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const edits = distance(word.toLowerCase(), candidate.toLowerCase());
    if (edits <= limit && (!best || edits < best.distance)) best = { candidate, distance: edits };
  }
  return best?.candidate;
}
