import { joinPhrases, phrase, type Phrase } from '../shared/phrase.js';
import type { BadRelease } from './types.js';

/**
 * The warning for a deploy of a commit whose release failed or was rolled back before: in its
 * approval request, or in its thread when nobody is asked. Null when there is nothing to warn of.
 * @example rolledBackBefore([{ environment: 'production', release: 'R1', why: 'rolled back by deployment 4' }])
 * // 'This commit was rolled back before: R1 in production (rolled back by deployment 4).'
 */
export function rolledBackBefore(bad: readonly BadRelease[] | undefined): Phrase | null {
  if (!bad?.length) return null;
  return phrase`This commit was rolled back before: ${joinPhrases(bad.map((entry) => phrase`${entry.release} in ${entry.environment} (${entry.why})`), '; ')}.`;
}
