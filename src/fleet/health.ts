import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthConfig } from '../config/schema.js';
import { HostPhaseError } from './errors.js';

/** The release a health check expects to find answering, for `health.expectBody`. */
export interface ExpectedRelease {
  sha: string;
  release: string;
}

/** How much of a health answer is read to match `expectBody`. */
const BODY_READ_LIMIT = 64 * 1024;

/** The health URL of one server: `{host}` filled in. */
export function healthUrl(health: HealthConfig, address: string): string {
  return health.url.replaceAll('{host}', address);
}

/**
 * `health.expectBody` as a regular expression, `{sha}` and `{release}` filled in with the release
 * expected (escaped, so they match only themselves); null without `expectBody`. Without a release
 * to expect (the monitor before any deploy), the placeholders match any word.
 * @example expectedBody({ …, expectBody: '"revision":"{sha}"' }, { sha: 'abc…', release: '…' }) // /"revision":"abc…"/
 */
export function expectedBody(health: Pick<HealthConfig, 'expectBody'>, expected: ExpectedRelease | null): RegExp | null {
  if (!health.expectBody) return null;
  const fill = (value: string | undefined) => (value ? value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '[\\w.-]+');
  return new RegExp(health.expectBody.replaceAll('{sha}', fill(expected?.sha)).replaceAll('{release}', fill(expected?.release)));
}

/**
 * Polls `url` until it answers `expectStatus` (and, with `expectBody`, a body that matches), at
 * most `retries + 1` times, `interval` apart. Throws a {@link HostPhaseError} with the last answer
 * when it never does, or when `signal` aborts.
 */
export async function waitUntilHealthy(url: string, health: HealthConfig, expected: ExpectedRelease | null = null, signal?: AbortSignal): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt <= health.retries; attempt++) {
    // A stopped deployment stops waiting for health too.
    if (signal?.aborted) throw new HostPhaseError('health', 'the wait for health was stopped: the deployment was stopped');
    if (attempt > 0) await sleep(health.interval, undefined, signal ? { signal } : {}).catch(() => undefined);
    if (signal?.aborted) throw new HostPhaseError('health', 'the wait for health was stopped: the deployment was stopped');
    last = await probe(url, health, expected);
    if (last === '') return;
  }
  throw new HostPhaseError('health', `${url} ${last} after ${health.retries + 1} attempt(s)`);
}

/** One health request: '' when healthy, else what was wrong. */
export async function probe(url: string, health: Pick<HealthConfig, 'expectStatus' | 'timeout' | 'expectBody'>, expected: ExpectedRelease | null = null): Promise<string> {
  const body = expectedBody(health, expected);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(health.timeout), redirect: 'manual' });
    if (response.status !== health.expectStatus) {
      await response.body?.cancel();
      return `answered ${response.status}, expected ${health.expectStatus}`;
    }
    if (!body) {
      await response.body?.cancel();
      return '';
    }
    const text = await readSome(response);
    // A health answer from another process on the port (an old release that did not stop) is not this release.
    return body.test(text) ? '' : `answered ${JSON.stringify(text.slice(0, 200))}, which does not match health.expectBody (${body.source})`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    if ((error as Error).name === 'TimeoutError') return `did not answer within ${health.timeout}ms`;
    return `could not be reached (${cause ?? (error as Error).message})`;
  }
}

/** The start of a response body, at most {@link BODY_READ_LIMIT} bytes. */
async function readSome(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < BODY_READ_LIMIT) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, BODY_READ_LIMIT).toString('utf8');
}
