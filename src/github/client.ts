import { Octokit } from '@octokit/core';
import type { Logger } from 'pino';

/** GitHub's own API; GitHub Enterprise Server's is `https://HOST/api/v3` (`GITHUB_API_URL`). */
export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

/** How long one call to GitHub may take before it is abandoned (and, where it is retried, tried again). */
export const GITHUB_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The Octokit igor calls GitHub's REST API with: `GITHUB_TOKEN`, `GITHUB_API_URL`, igor's user
 * agent, Octokit's own log lines in igor's log, and a timeout on every request (Octokit sets none).
 * @example await createGithubClient({ token, apiUrl: DEFAULT_GITHUB_API_URL, log }).request('GET /user')
 */
export function createGithubClient(options: { token: string; apiUrl: string; log: Logger; timeoutMs?: number }): Octokit {
  const log = options.log;
  const timeoutMs = options.timeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS;
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'igor',
    log: { debug: (message) => log.debug(message), info: (message) => log.info(message), warn: (message) => log.warn(message), error: (message) => log.error(message) },
  });
  // A fresh signal per request: one made once would have expired for every later call.
  octokit.hook.before('request', (request) => {
    request.request = { ...request.request, signal: request.request?.signal ?? AbortSignal.timeout(timeoutMs) };
  });
  return octokit;
}
