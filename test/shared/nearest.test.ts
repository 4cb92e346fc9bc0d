import { describe, expect, it } from 'vitest';
import { nearest } from '../../src/shared/nearest.js';

describe('nearest', () => {
  it('finds what a mistyped word most likely meant', () => {
    expect(nearest('mian', ['main', 'develop'])).toBe('main');
    expect(nearest('stagign', ['staging', 'production'])).toBe('staging');
    expect(nearest('prodution', ['staging', 'production'])).toBe('production');
    expect(nearest('Staging', ['staging'])).toBe('staging');
  });

  it('says nothing when no candidate is close, or there are none', () => {
    expect(nearest('qa', ['staging', 'production'])).toBeUndefined();
    expect(nearest('xyz', [])).toBeUndefined();
    expect(nearest('__proto__', ['staging'])).toBeUndefined();
  });
});
