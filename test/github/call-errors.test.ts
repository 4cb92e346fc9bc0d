import { RequestError } from '@octokit/request-error';
import { describe, expect, it } from 'vitest';
import { githubRetryDecision, MAX_BACKOFF_MS } from '../../src/github/call-errors.js';

const NOW = new Date('2026-12-03T10:00:00Z');
const request = { method: 'POST' as const, url: 'https://api.github.com/repos/acme/shop/deployments', headers: {} };

/** The error Octokit throws for an answer with `status` and `headers`. */
function answered(status: number, headers: Record<string, string> = {}, message = 'failed'): RequestError {
  return new RequestError(message, status, { request, response: { status, url: request.url, headers, data: { message } } });
}

/** The error Octokit throws when no answer came (a refused connection, a timeout). */
const unanswered = (message: string) => new RequestError(message, 500, { request });

const decide = (error: unknown, failures = 1) => githubRetryDecision(error, failures, NOW, 'the success status of igor deployment 3', 'acme/shop');

describe('what igor does after a call to GitHub failed', () => {
  it('backs off exponentially on a 5xx, a timeout or a network error, up to a limit', () => {
    expect(decide(answered(502), 1)).toMatchObject({ retry: true, delayMs: 1_000 });
    expect(decide(answered(500), 3)).toMatchObject({ retry: true, delayMs: 4_000 });
    expect(decide(unanswered('connect ECONNREFUSED 127.0.0.1:9'), 2)).toMatchObject({ retry: true, delayMs: 2_000, why: 'connect ECONNREFUSED 127.0.0.1:9' });
    expect(decide(unanswered('The operation was aborted due to timeout'), 30)).toMatchObject({ retry: true, delayMs: MAX_BACKOFF_MS });
    expect(decide(new Error('socket hang up'), 1)).toMatchObject({ retry: true, delayMs: 1_000 });
  });

  it('waits as long as a 429 says in Retry-After', () => {
    expect(decide(answered(429, { 'retry-after': '7' }), 5)).toEqual({ retry: true, delayMs: 7_000, why: 'rate limited (429)' });
  });

  it('waits for the reset of a spent rate limit (403 with x-ratelimit-remaining 0), and for a secondary limit’s Retry-After', () => {
    const reset = String(NOW.getTime() / 1_000 + 90);
    expect(decide(answered(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }))).toEqual({ retry: true, delayMs: 90_000, why: 'rate limited (403)' });
    expect(decide(answered(403, { 'retry-after': '60' }))).toMatchObject({ retry: true, delayMs: 60_000 });
  });

  it('gives up on a refused token, naming GITHUB_TOKEN', () => {
    expect(decide(answered(401, {}, 'Bad credentials'))).toEqual({ retry: false, reason: 'GitHub refused GITHUB_TOKEN (401): the success status of igor deployment 3 was dropped; set a valid token' });
  });

  it('gives up on a 403 or 404 without a rate limit, naming the token’s permission and the repository', () => {
    for (const status of [403, 404]) {
      const decision = decide(answered(status));
      expect(decision).toMatchObject({ retry: false });
      expect(decision.retry === false && decision.reason).toBe(
        `GitHub answered ${status} to the success status of igor deployment 3 for acme/shop: GITHUB_TOKEN needs read and write access to Deployments of acme/shop (and the repository must exist under that name)`,
      );
    }
  });

  it('gives up on a 422 with what GitHub said', () => {
    expect(decide(answered(422, {}, 'Validation Failed: description is too long'))).toEqual({
      retry: false,
      reason: 'GitHub refused the success status of igor deployment 3 for acme/shop (422): Validation Failed: description is too long',
    });
  });
});
