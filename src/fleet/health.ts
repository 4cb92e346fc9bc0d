import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthConfig } from '../config/schema.js';
import { HostPhaseError } from './errors.js';

/** The health URL of one server: `{host}` filled in. */
export function healthUrl(health: HealthConfig, address: string): string {
  return health.url.replaceAll('{host}', address);
}

/**
 * Polls `url` until it answers `expectStatus`, at most `retries + 1` times, `interval` apart.
 * Throws a {@link HostPhaseError} with the last answer when it never does.
 */
export async function waitUntilHealthy(url: string, health: HealthConfig): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt <= health.retries; attempt++) {
    if (attempt > 0) await sleep(health.interval);
    last = await probe(url, health);
    if (last === '') return;
  }
  throw new HostPhaseError('health', `${url} ${last} after ${health.retries + 1} attempt(s)`);
}

/** One health request: '' when healthy, else what was wrong. */
export async function probe(url: string, health: Pick<HealthConfig, 'expectStatus' | 'timeout'>): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(health.timeout), redirect: 'manual' });
    await response.body?.cancel();
    return response.status === health.expectStatus ? '' : `answered ${response.status}, expected ${health.expectStatus}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    if ((error as Error).name === 'TimeoutError') return `did not answer within ${health.timeout}ms`;
    return `could not be reached (${cause ?? (error as Error).message})`;
  }
}
