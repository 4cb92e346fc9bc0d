import { describe, expect, it } from 'vitest';
import { dictionary, isReservedName, ownEntry } from '../../src/shared/names.js';

describe('names a plain object answers by itself', () => {
  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])('knows %s is reserved', (name) => {
    expect(isReservedName(name)).toBe(true);
  });

  it.each(['staging', 'production', 'tostring', 'proto', 'keys'])('lets %s through', (name) => {
    expect(isReservedName(name)).toBe(false);
  });

  it('keeps a dictionary free of anything its keys did not put there', () => {
    const record = dictionary<string>([['staging', 'yes']]);
    expect(record.constructor).toBeUndefined();
    expect(record.toString).toBeUndefined();
    record.__proto__ = 'a key like any other';
    expect(Object.keys(record)).toEqual(['staging', '__proto__']);
    expect(({} as Record<string, unknown>).staging).toBeUndefined();
  });

  it('reads only own entries of a plain object', () => {
    const plain: Record<string, string> = { staging: 'yes' };
    expect(ownEntry(plain, 'staging')).toBe('yes');
    expect(ownEntry(plain, 'constructor')).toBeUndefined();
    expect(ownEntry(plain, '__proto__')).toBeUndefined();
  });
});
