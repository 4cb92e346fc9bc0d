import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/chat/commands/usage.js';
import { parseFlagsCommand } from '../../src/flags/grammar.js';

describe('the /flags grammar', () => {
  it('lists the default environment with no words, and a named one with one word', () => {
    expect(parseFlagsCommand('')).toEqual({ kind: 'list' });
    expect(parseFlagsCommand('   ')).toEqual({ kind: 'list' });
    expect(parseFlagsCommand('production')).toEqual({ kind: 'list', environment: 'production' });
  });

  it('reads set with on, off and a percentage, with and without an environment', () => {
    expect(parseFlagsCommand('set new-checkout on')).toEqual({ kind: 'set', key: 'new-checkout', value: 'on' });
    expect(parseFlagsCommand('set new-checkout OFF staging')).toEqual({ kind: 'set', key: 'new-checkout', value: 'off', environment: 'staging' });
    expect(parseFlagsCommand('set search.v2_beta 25% production')).toEqual({ kind: 'set', key: 'search.v2_beta', value: '25%', environment: 'production' });
    expect(parseFlagsCommand('  set  x   0%  ')).toEqual({ kind: 'set', key: 'x', value: '0%' });
    expect(parseFlagsCommand('set x 100%')).toEqual({ kind: 'set', key: 'x', value: '100%' });
    expect(parseFlagsCommand('set x 007%')).toEqual({ kind: 'set', key: 'x', value: '7%' });
  });

  it('reads delete and help', () => {
    expect(parseFlagsCommand('delete new-checkout')).toEqual({ kind: 'delete', key: 'new-checkout' });
    expect(parseFlagsCommand('delete new-checkout staging')).toEqual({ kind: 'delete', key: 'new-checkout', environment: 'staging' });
    expect(parseFlagsCommand('help')).toEqual({ kind: 'help' });
  });

  it.each([
    ['set', /expected `\/flags set <key> on\|off\|<0-100>% \[env\]`/],
    ['set new-checkout', /expected `\/flags set <key>/],
    ['set new-checkout maybe', /the value of `new-checkout` is on, off, or a share of users such as 25%.*not `maybe`/],
    ['set new-checkout 101%', /not `101%`/],
    ['set new-checkout 12.5%', /not `12.5%`/],
    ['set new-checkout 25', /not `25`/],
    ['set new-checkout -5%', /not `-5%`/],
    ['set new checkout on', /a flag key has no spaces \(got `new checkout`\)/],
    ['set new-checkout on staging extra', /a flag key has no spaces/],
    ['set new/checkout on', /a flag key is letters, digits, "-", "_" and "\.".*`new\/checkout` has "\/"/],
    ['set ..secret on', /starting with a letter or digit.*starts with "\."/],
    ['delete', /expected `\/flags delete <key> \[env\]`/],
    ['delete a staging extra', /expected `\/flags delete <key> \[env\]`/],
    ['delete new$checkout', /`new\$checkout` has "\$"/],
    ['help me', /expected `\/flags help`/],
    ['staging production', /expected `\/flags \[env\]`, `\/flags set .*`, got `staging production`/],
  ])('refuses `%s` with a message saying what was expected', (text, message) => {
    expect(() => parseFlagsCommand(text)).toThrow(UsageError);
    expect(() => parseFlagsCommand(text)).toThrow(message);
  });
});
