import { describe, expect, it } from 'vitest';
import { flagKeyProblem, isRollout, parseFlagSetting, shareOf } from '../../src/flags/model.js';

describe('flag keys', () => {
  it.each(['new-checkout', 'search.v2', 'A_B', '1st-try', 'x', 'a'.repeat(100)])('accepts %s', (key) => {
    expect(flagKeyProblem(key)).toBeNull();
  });

  it.each([
    ['', /it is empty/],
    ['new checkout', /`new checkout` has " "/],
    ['new/checkout', /has "\/"/],
    ['ünïcode', /has "ü"/],
    ['emoji-🚩', /has "🚩"/],
    ['.hidden', /starts with "\."/],
    ['..', /starts with "\."/],
    ['-flag', /starts with "-"/],
    ['a'.repeat(101), /at most 100 characters; `a+`… has 101/],
  ])('refuses %j, naming what is wrong', (key, message) => {
    expect(flagKeyProblem(key)).toMatch(/^a flag key is letters, digits, "-", "_" and "\.", starting with a letter or digit/);
    expect(flagKeyProblem(key)).toMatch(message);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', 'prototype'])('refuses %s, a name every plain object answers', (key) => {
    expect(flagKeyProblem(key)).toBe(`\`${key}\` is a reserved name: choose another flag key`);
  });
});

describe('flag values', () => {
  it('reads on, off and whole percentages into one canonical form', () => {
    expect(parseFlagSetting('on')).toBe('on');
    expect(parseFlagSetting(' Off ')).toBe('off');
    expect(parseFlagSetting('25%')).toBe('25%');
    expect(parseFlagSetting('025%')).toBe('25%');
    expect(parseFlagSetting('0%')).toBe('0%');
    expect(parseFlagSetting('100%')).toBe('100%');
  });

  it.each(['', 'true', 'enabled', '25', '101%', '1000%', '2.5%', '-1%', '25 %', '%'])('refuses %j', (text) => {
    expect(parseFlagSetting(text)).toBeNull();
  });

  it('knows the share of users each value turns on, and which values are rollouts', () => {
    expect([shareOf('on'), shareOf('off'), shareOf('25%')]).toEqual([100, 0, 25]);
    expect([isRollout('on'), isRollout('off'), isRollout('0%'), isRollout('100%')]).toEqual([false, false, true, true]);
  });
});
