import type { StrategyConfig } from '../config/schema.js';

/** One batch of a rollout: hosts that go together, bounded by `parallel`. */
export interface Wave<T> {
  name: string;
  hosts: T[];
}

/**
 * Cuts the fleet into the canary and the waves. Waves are cumulative shares of the whole fleet,
 * the canary included, rounded up; counts are cumulative host counts; the last wave is always
 * everything. Empty waves are dropped.
 * @example planWaves(8 hosts, { canary: { servers: 1 }, waves: ['25%', '100%'] }) // canary 1, wave 1 → 2 done, wave 2 → 8
 */
export function planWaves<T>(hosts: readonly T[], strategy: Pick<StrategyConfig, 'canary' | 'waves'>): Wave<T>[] {
  const waves: Wave<T>[] = [];
  let done = 0;
  if (strategy.canary && hosts.length > 0) {
    done = Math.min(strategy.canary.servers, hosts.length);
    waves.push({ name: 'canary', hosts: hosts.slice(0, done) });
  }
  const targets = strategy.waves.map((wave) => cumulativeCount(wave, hosts.length));
  targets[targets.length - 1] = hosts.length;
  targets.forEach((target, index) => {
    if (target <= done) return;
    waves.push({ name: `wave ${index + 1}`, hosts: hosts.slice(done, target) });
    done = target;
  });
  return waves;
}

function cumulativeCount(wave: string | number, total: number): number {
  if (typeof wave === 'number') return Math.min(wave, total);
  const percent = Number(wave.slice(0, -1));
  return Math.min(Math.ceil((percent * total) / 100), total);
}
