import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['0s', 0],
    ['15m', 900_000],
  ])('reads %s as %i milliseconds', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('ignores whitespace around the duration', () => {
    expect(parseDuration('  30s ')).toBe(30_000);
  });

  it.each(['', '5', 'soon', '5 s', '1.5s', '-5s', '5S', '5sec', '5m30s', 's', '1w', 'ms'])('returns undefined for %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [999, '999ms'],
    [1_000, '1s'],
    [5_000, '5s'],
    [59_000, '59s'],
    [60_000, '1m'],
    [90_000, '1m 30s'],
    [600_000, '10m'],
    [3_600_000, '1h 0m'],
    [5_400_000, '1h 30m'],
  ])('writes %i milliseconds as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('rounds to whole seconds from one second up', () => {
    expect(formatDuration(1_499)).toBe('1s');
    expect(formatDuration(1_500)).toBe('2s');
  });

  it('gives the same text for a duration parsed from config', () => {
    for (const text of ['500ms', '5s', '10m']) expect(formatDuration(parseDuration(text)!)).toBe(text);
  });
});
