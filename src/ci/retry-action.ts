import type { ActionOutcome } from '../chat/actions.js';
import { mrkdwn } from '../chat/mrkdwn.js';
import { RefusedError } from '../shared/refusal.js';

/** What a Retry button of a failed test run calls. */
export interface CiRetry {
  retry(runId: string, user: string): Promise<{ id: string }>;
}

/**
 * The `igor.ci-retry` button, chat-neutral: the Slack listener and the local console both call
 * it. A refusal (unknown or unfinished run) is an outcome told privately to the presser.
 * @example await ciRetryAction(github)('12', 'U0BOB') // { ok: true, text: 'Test run 13 retries run 12.' }
 */
export function ciRetryAction(ci: CiRetry): (runId: string, user: string) => Promise<ActionOutcome> {
  return async (runId, user) => {
    try {
      const run = await ci.retry(runId, user);
      return { ok: true, text: `Test run ${run.id} retries run ${runId}.` };
    } catch (error) {
      if (error instanceof RefusedError) return { ok: false, text: mrkdwn(error.words) };
      throw error;
    }
  };
}
