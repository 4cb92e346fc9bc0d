import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkRef, InvalidRefError } from '../../src/integration/refs.js';

const VALID = ['main', 'feature/x-1', 'release/2026.11', 'v1.2.3', '0123456789abcdef0123456789abcdef01234567', 'refs/heads/status'];

/** Each refused ref with a fragment of the reason igor gives. */
const REFUSED: [label: string, ref: string, why: string][] = [
  ['a command after ";"', 'main;rm -rf /', 'it contains ";"'],
  ['a command substitution', '$(reboot)', 'it contains "$"'],
  ['backticks', '`id`', 'it contains "`"'],
  ['a git option', '--upload-pack=touch /tmp/x', 'it starts with "-"'],
  ['a short option', '-x', 'it starts with "-"'],
  ['a space', 'a b', 'it contains whitespace'],
  ['".."', 'a..b', 'it contains ".."'],
  ['a component starting with "."', 'a/.hidden', 'the component ".hidden" starts with "."'],
  ['a name ending with ".lock"', 'x.lock', 'the component "x.lock" ends with ".lock"'],
  ['an empty component in the middle', 'a//b', 'it has an empty path component'],
  ['a leading "/"', '/a', 'it has an empty path component'],
  ['a trailing "/"', 'a/', 'it has an empty path component'],
  ['a trailing "."', 'a.', 'it ends with "."'],
  ['"@" alone', '@', '"@" alone is not a ref'],
  ['a reflog selector', 'a@{1}', 'it contains "{"'],
  ['"~"', 'a~1', 'it contains "~"'],
  ['"^"', 'a^', 'it contains "^"'],
  ['":"', 'a:b', 'it contains ":"'],
  ['"*"', 'a*', 'it contains "*"'],
  ['"?"', 'a?', 'it contains "?"'],
  ['"["', 'a[', 'it contains "["'],
  ['a backslash', 'a\\b', 'it contains "\\"'],
  ['a newline', 'main\nrm -rf /', 'it contains whitespace'],
  ['a tab', 'a\tb', 'it contains whitespace'],
  ['a NUL', 'a\x00b', 'it contains control characters'],
  ['an escape character', 'a\x1bb', 'it contains control characters'],
  ['DEL', 'a\x7fb', 'it contains control characters'],
  ['the empty string', '', 'it is empty'],
  ['300 characters', 'a'.repeat(300), 'it is longer than 255 characters'],
];

/** The InvalidRefError `checkRef` throws for `ref`. */
function refusal(ref: string): InvalidRefError {
  try {
    checkRef(ref);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRefError);
    return error as InvalidRefError;
  }
  throw new Error(`expected ${JSON.stringify(ref)} to be refused`);
}

describe('checkRef', () => {
  it.each(VALID)('accepts %s', (ref) => {
    expect(() => checkRef(ref)).not.toThrow();
  });

  it('accepts a 255-character ref', () => {
    expect(() => checkRef('a'.repeat(255))).not.toThrow();
  });

  it.each(REFUSED)('refuses a ref with %s and says why', (_label, ref, why) => {
    const error = refusal(ref);
    expect(error.message).toContain(`\`${ref.slice(0, 80)}\` is not a ref igor will deploy: `);
    expect(error.message).toContain(why);
  });

  it('quotes only the first 80 characters of a very long ref', () => {
    const error = refusal('b'.repeat(300));
    expect(error.message).toContain(`\`${'b'.repeat(80)}\``);
    expect(error.message).not.toContain('b'.repeat(81));
  });

  it('accepts only refs that git itself accepts', () => {
    for (const ref of VALID) {
      expect(() => execFileSync('git', ['check-ref-format', '--allow-onelevel', ref], { stdio: 'ignore' })).not.toThrow();
    }
  });
});
