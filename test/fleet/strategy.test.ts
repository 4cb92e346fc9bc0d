import { describe, expect, it } from 'vitest';
import { planWaves, type Wave } from '../../src/fleet/strategy.js';

const CANARY = { servers: 1, bake: 60_000, promote: 'auto' as const };

function fleet(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `web-${index + 1}`);
}

/** The wave sizes, for assertions that read like the contract. */
function sizes(waves: Wave<string>[]): number[] {
  return waves.map((wave) => wave.hosts.length);
}

function cumulative(waves: Wave<string>[]): number[] {
  let done = 0;
  return waves.map((wave) => (done += wave.hosts.length));
}

describe('planWaves', () => {
  it('rolls out to every host in one wave when there is no canary and one wave of 100%', () => {
    const hosts = fleet(5);
    expect(planWaves(hosts, { waves: ['100%'] })).toEqual([{ name: 'wave 1', hosts }]);
  });

  it('with a 1-host canary and waves 25%, 100% on 8 hosts: canary 1, then 1 more to reach 2, then the other 6', () => {
    const hosts = fleet(8);
    const waves = planWaves(hosts, { canary: CANARY, waves: ['25%', '100%'] });
    expect(waves.map((wave) => wave.name)).toEqual(['canary', 'wave 1', 'wave 2']);
    expect(sizes(waves)).toEqual([1, 1, 6]);
    expect(cumulative(waves)).toEqual([1, 2, 8]);
  });

  it('gives every host exactly once, in fleet order', () => {
    const hosts = fleet(8);
    const waves = planWaves(hosts, { canary: CANARY, waves: ['25%', '50%', '100%'] });
    expect(waves.flatMap((wave) => wave.hosts)).toEqual(hosts);
  });

  it('puts the first hosts of the fleet in the canary', () => {
    const waves = planWaves(fleet(4), { canary: { ...CANARY, servers: 2 }, waves: ['100%'] });
    expect(waves[0]).toEqual({ name: 'canary', hosts: ['web-1', 'web-2'] });
  });

  it('rounds shares up', () => {
    expect(cumulative(planWaves(fleet(10), { waves: ['25%', '100%'] }))).toEqual([3, 10]);
    expect(cumulative(planWaves(fleet(3), { waves: ['1%', '100%'] }))).toEqual([1, 3]);
  });

  it('reads host counts as cumulative counts', () => {
    const waves = planWaves(fleet(10), { waves: [2, 5, 10] });
    expect(sizes(waves)).toEqual([2, 3, 5]);
  });

  it('counts the canary towards a host count', () => {
    const waves = planWaves(fleet(10), { canary: CANARY, waves: [3, 10] });
    expect(cumulative(waves)).toEqual([1, 3, 10]);
  });

  it('mixes shares and counts', () => {
    expect(cumulative(planWaves(fleet(10), { waves: [1, '50%', '100%'] }))).toEqual([1, 5, 10]);
  });

  it('always ends with every host even when the last wave is configured as 50%', () => {
    const waves = planWaves(fleet(8), { waves: ['25%', '50%'] });
    expect(cumulative(waves)).toEqual([2, 8]);
  });

  it('always ends with every host even when the last wave is a count smaller than the fleet', () => {
    expect(cumulative(planWaves(fleet(8), { waves: [3] }))).toEqual([8]);
  });

  it('drops waves that would add no host and keeps the wave numbers of the others', () => {
    const waves = planWaves(fleet(4), { canary: CANARY, waves: ['10%', '25%', '100%'] });
    expect(waves.map((wave) => wave.name)).toEqual(['canary', 'wave 3']);
    expect(sizes(waves)).toEqual([1, 3]);
  });

  it('drops a wave that goes backwards', () => {
    expect(cumulative(planWaves(fleet(10), { waves: ['50%', '20%', '100%'] }))).toEqual([5, 10]);
  });

  it('plans no waves for an empty fleet', () => {
    expect(planWaves([], { waves: ['100%'] })).toEqual([]);
    expect(planWaves([], { canary: CANARY, waves: ['25%', '100%'] })).toEqual([]);
  });

  it('makes the whole fleet the canary when the canary is larger than the fleet', () => {
    const hosts = fleet(2);
    expect(planWaves(hosts, { canary: { ...CANARY, servers: 5 }, waves: ['25%', '100%'] })).toEqual([{ name: 'canary', hosts }]);
  });

  it('caps a count larger than the fleet at the whole fleet', () => {
    expect(cumulative(planWaves(fleet(3), { waves: [10, 20] }))).toEqual([3]);
  });

  it('rolls a single host out in one wave', () => {
    expect(planWaves(['only'], { waves: ['25%', '100%'] })).toEqual([{ name: 'wave 1', hosts: ['only'] }]);
  });
});
