import { FlagdCore, MemoryStorage } from '@openfeature/flagd-core';
import { describe, expect, it } from 'vitest';
import { etagOf, FLAGD_SCHEMA, flagdDocument, flagdFlag, flagdJson, matchesIfNoneMatch } from '../../src/flags/flagd.js';
import type { FlagRecord, FlagSetting } from '../../src/flags/model.js';

const record = (value: FlagSetting): FlagRecord => ({ value, updatedBy: 'U0ALICE', updatedAt: '2025-01-01T00:00:00.000Z' });

describe('the flagd document', () => {
  it('writes off as an enabled flag whose default variant is off, with no targeting', () => {
    expect(flagdFlag('off')).toEqual({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' });
  });

  it('writes on as an enabled flag whose default variant is on, with no targeting', () => {
    expect(flagdFlag('on')).toEqual({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' });
  });

  it('writes N% as a fractional rule with on first, so raising N keeps who had it', () => {
    expect(flagdFlag('25%')).toEqual({
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { fractional: [['on', 25], ['off', 75]] },
    });
    expect(flagdFlag('0%').targeting).toEqual({ fractional: [['on', 0], ['off', 100]] });
    expect(flagdFlag('100%').targeting).toEqual({ fractional: [['on', 100], ['off', 0]] });
  });

  it('names the flagd schema and orders keys, so the same flags always give the same bytes', () => {
    const one = flagdJson({ b: record('on'), a: record('25%') });
    const two = flagdJson({ a: record('25%'), b: record('on') });
    expect(one).toBe(two);
    expect(Object.keys(flagdDocument({ b: record('on'), a: record('off') }).flags)).toEqual(['a', 'b']);
    expect(JSON.parse(one)).toMatchObject({ $schema: FLAGD_SCHEMA });
    expect(flagdJson({})).toBe(`${JSON.stringify({ $schema: FLAGD_SCHEMA, flags: {} }, null, 2)}\n`);
  });

  it('is a document flagd-core accepts under strict validation and evaluates as meant', () => {
    const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
    const storage = new MemoryStorage(quiet);
    // Strict validation throws on anything flagd's JSON schema (flags and targeting) refuses.
    expect(storage.setConfigurations(flagdJson({ on: record('on'), off: record('off'), some: record('50%') }), true)).toEqual(['off', 'on', 'some']);
    expect(() => storage.setConfigurations('{"flags": {"bad": {"state": "MAYBE", "variants": {}}}}', true)).toThrow();
    const core = new FlagdCore(storage, quiet);
    expect(core.resolveBooleanEvaluation('on', false, {}).value).toBe(true);
    expect(core.resolveBooleanEvaluation('off', true, {}).value).toBe(false);
    const rollout = core.resolveBooleanEvaluation('some', false, { targetingKey: 'user-1' });
    expect(rollout.reason).toBe('TARGETING_MATCH');
    expect(['on', 'off']).toContain(rollout.variant);
  });
});

describe('ETags', () => {
  it('are strong, quoted, and change with the bytes', () => {
    expect(etagOf('a')).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(etagOf('a')).toBe(etagOf('a'));
    expect(etagOf('a')).not.toBe(etagOf('b'));
  });

  it('match If-None-Match lists, weak forms and *', () => {
    const tag = etagOf('x');
    expect(matchesIfNoneMatch(tag, tag)).toBe(true);
    expect(matchesIfNoneMatch(`"other", ${tag}`, tag)).toBe(true);
    expect(matchesIfNoneMatch(`W/${tag}`, tag)).toBe(true);
    expect(matchesIfNoneMatch('*', tag)).toBe(true);
    expect(matchesIfNoneMatch('"other"', tag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, tag)).toBe(false);
  });
});
