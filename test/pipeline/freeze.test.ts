import { describe, expect, it } from 'vitest';
import { freezeSchema } from '../../src/config/freeze-schema.js';
import { activeFreeze, nextFreeze } from '../../src/pipeline/freeze.js';

const windows = (raw: unknown[]) => freezeSchema.parse(raw);
const at = (iso: string) => new Date(iso);

describe('freeze windows', () => {
  const weekend = windows([{ cron: '0 18 * * 5', duration: '62h', reason: 'weekend' }]);

  it('covers a cron window from each time it fires for its duration, in UTC', () => {
    // 2026-12-04 is a Friday.
    expect(activeFreeze(weekend, at('2026-12-04T17:59:59Z'))).toBeNull();
    expect(activeFreeze(weekend, at('2026-12-04T18:00:00Z'))).toEqual({ start: at('2026-12-04T18:00:00Z'), end: at('2026-12-07T08:00:00Z'), reason: 'weekend' });
    expect(activeFreeze(weekend, at('2026-12-06T23:00:00Z'))?.end).toEqual(at('2026-12-07T08:00:00Z'));
    expect(activeFreeze(weekend, at('2026-12-07T08:00:00Z'))).toBeNull();
  });

  it('reads the cron in the time zone it names, across a change of daylight saving time', () => {
    const berlin = windows([{ cron: '0 18 * * 5', duration: '1h', timezone: 'Europe/Berlin' }]);
    // Winter: Berlin is UTC+1.
    expect(activeFreeze(berlin, at('2026-12-04T17:30:00Z'))?.start).toEqual(at('2026-12-04T17:00:00Z'));
    expect(activeFreeze(berlin, at('2026-12-04T18:30:00Z'))).toBeNull();
    // Summer: UTC+2.
    expect(activeFreeze(berlin, at('2026-07-03T16:30:00Z'))?.start).toEqual(at('2026-07-03T16:00:00Z'));
    const newYork = windows([{ cron: '0 9 * * *', duration: '30m', timezone: 'America/New_York' }]);
    expect(activeFreeze(newYork, at('2026-12-04T14:10:00Z'))?.start).toEqual(at('2026-12-04T14:00:00Z'));
  });

  it('covers an absolute window from its start up to, not including, its end', () => {
    const holidays = windows([{ from: '2026-12-22T00:00:00Z', to: '2027-01-04T00:00:00Z', reason: 'holidays' }]);
    expect(activeFreeze(holidays, at('2026-12-21T23:59:59Z'))).toBeNull();
    expect(activeFreeze(holidays, at('2026-12-22T00:00:00Z'))?.reason).toBe('holidays');
    expect(activeFreeze(holidays, at('2027-01-04T00:00:00Z'))).toBeNull();
    expect(activeFreeze(windows([{ from: '2026-12-22T01:00:00+01:00', to: '2026-12-22T02:00:00+01:00' }]), at('2026-12-22T00:30:00Z'))?.end).toEqual(at('2026-12-22T01:00:00Z'));
  });

  it('follows overlapping and touching windows to where the last of them ends, with the first one\'s reason', () => {
    // The holidays end on a Friday evening at 19:00, inside the weekend that began at 18:00.
    const both = windows([
      { from: '2026-12-22T00:00:00Z', to: '2027-01-08T19:00:00Z', reason: 'holidays' },
      { cron: '0 18 * * 5', duration: '62h', reason: 'weekend' },
    ]);
    expect(activeFreeze(both, at('2026-12-30T12:00:00Z'))).toEqual({ start: at('2026-12-22T00:00:00Z'), end: at('2027-01-11T08:00:00Z'), reason: 'holidays' });
    const touching = windows([
      { from: '2026-12-01T00:00:00Z', to: '2026-12-01T12:00:00Z', reason: 'first' },
      { from: '2026-12-01T12:00:00Z', to: '2026-12-01T18:00:00Z', reason: 'second' },
    ]);
    expect(activeFreeze(touching, at('2026-12-01T06:00:00Z'))).toMatchObject({ end: at('2026-12-01T18:00:00Z'), reason: 'first' });
  });

  it('says when the next window begins and ends', () => {
    expect(nextFreeze(weekend, at('2026-12-01T09:00:00Z'))).toEqual({ start: at('2026-12-04T18:00:00Z'), end: at('2026-12-07T08:00:00Z'), reason: 'weekend' });
    expect(nextFreeze(windows([{ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }]), at('2026-12-01T09:00:00Z'))).toBeNull();
  });
});

describe('the freeze config', () => {
  const problem = (raw: unknown) => {
    const parsed = freezeSchema.safeParse([raw]);
    return parsed.success ? null : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  };

  it('takes cron windows with a duration and an IANA zone, and absolute windows', () => {
    expect(problem({ cron: '0 18 * * 5', duration: '62h', reason: 'weekend', timezone: 'Europe/Berlin' })).toBeNull();
    expect(problem({ from: '2026-12-22T00:00:00Z', to: '2027-01-04T00:00:00Z' })).toBeNull();
  });

  it('names what is wrong: a time zone, a cron expression, a duration, an order of from and to', () => {
    expect(problem({ cron: '0 18 * * 5', duration: '62h', timezone: 'Mars/Olympus' })).toMatch(/IANA time zone/);
    expect(problem({ cron: '0 25 * * 5', duration: '62h' })).toMatch(/cron expression/);
    expect(problem({ cron: '0 18 * * 5', duration: 'all weekend' })).toMatch(/duration/);
    expect(problem({ from: '2027-01-04T00:00:00Z', to: '2026-12-22T00:00:00Z' })).toMatch(/from must come before to/);
    expect(problem({ from: 'next monday', to: '2026-12-22T00:00:00Z' })).toMatch(/.+/);
  });
});
