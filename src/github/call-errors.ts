import { RequestError } from '@octokit/request-error';

export type GithubRetryDecision = { retry: true; delayMs: number; why: string } | { retry: false; reason: string };

/** Back-off after a failure GitHub gave no time for: 1 s, 2 s, 4 s, … up to this. */
export const MAX_BACKOFF_MS = 60_000;

/** The longest a rate limit's reset is waited for in one go (GitHub's primary limit resets within the hour). */
const MAX_RATE_LIMIT_WAIT_MS = 3_600_000;

/**
 * What to do after a failed call to GitHub (the `failures`-th in a row), and why. Waited for: a
 * rate limit (429, or 403 with `x-ratelimit-remaining: 0` or a `retry-after`), as long as GitHub
 * says (`retry-after` seconds, else until `x-ratelimit-reset`); a 5xx, a timeout or a network error
 * (Octokit reports those as 500 with no response), with exponential back-off. Given up on: any
 * other 4xx, which no retry can change; `reason` says what to fix, naming `GITHUB_TOKEN` or the
 * repository (`what` is the call, `repository` its `owner/name`).
 */
export function githubRetryDecision(error: unknown, failures: number, now: Date, what: string, repository: string): GithubRetryDecision {
  const backOff = (why: string): GithubRetryDecision => ({ retry: true, delayMs: Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.max(0, failures - 1)), why });
  if (!(error instanceof RequestError)) return backOff((error as Error)?.message ?? String(error));
  const status = error.status;
  const headers = error.response?.headers ?? {};
  const limited = status === 429 || (status === 403 && (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined));
  if (limited) {
    const wait = rateLimitWait(headers, now);
    return wait === null ? backOff(`rate limited (${status})`) : { retry: true, delayMs: wait, why: `rate limited (${status})` };
  }
  if (!error.response || status >= 500) return backOff(error.response ? `GitHub answered ${status}` : error.message);
  if (status === 401) return { retry: false, reason: `GitHub refused GITHUB_TOKEN (401): ${what} was dropped; set a valid token` };
  if (status === 403 || status === 404) {
    return {
      retry: false,
      reason: `GitHub answered ${status} to ${what} for ${repository}: GITHUB_TOKEN needs read and write access to Deployments of ${repository} (and the repository must exist under that name)`,
    };
  }
  return { retry: false, reason: `GitHub refused ${what} for ${repository} (${status}): ${error.message}` };
}

/** How long a rate-limited caller is asked to wait: `retry-after` (seconds or an HTTP date), else until `x-ratelimit-reset`. */
function rateLimitWait(headers: Record<string, string | number | undefined>, now: Date): number | null {
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1_000 : Date.parse(String(retryAfter)) - now.getTime();
    if (Number.isFinite(ms)) return clamp(ms);
  }
  const reset = Number(headers['x-ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) return clamp(reset * 1_000 - now.getTime());
  return null;
}

/** At least a second (a reset just past still needs a moment), at most {@link MAX_RATE_LIMIT_WAIT_MS}. */
function clamp(ms: number): number {
  return Math.min(MAX_RATE_LIMIT_WAIT_MS, Math.max(1_000, ms));
}
