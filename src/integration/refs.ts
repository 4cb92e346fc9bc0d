/** A ref igor will not look up; `message` is the answer to give the user. */
export class InvalidRefError extends Error {
  override name = 'InvalidRefError';
}

// Characters a shell would act on: refused outright so such a "ref" never reaches any process.
const SHELL_METACHARACTERS = /[;$`|&<>'"(){}!\\*?[\]~^:\s]/;

/**
 * Checks a branch, tag or commit name with git's ref-name rules (`git check-ref-format`), and more
 * strictly: no leading `-` (it would be read as an option) and no shell metacharacters.
 * Throws {@link InvalidRefError} saying what is wrong.
 * @example checkRef('release/2026.11') // ok
 * @example checkRef('main;rm -rf /')   // throws
 */
export function checkRef(ref: string): void {
  const fail = (why: string) => {
    throw new InvalidRefError(`\`${ref.slice(0, 80)}\` is not a ref igor will deploy: ${why}`);
  };
  if (ref.length === 0) fail('it is empty');
  if (ref.length > 255) fail('it is longer than 255 characters');
  if (ref.startsWith('-')) fail('it starts with "-"');
  const metacharacter = SHELL_METACHARACTERS.exec(ref)?.[0];
  if (metacharacter !== undefined) fail(`it contains ${/\s/.test(metacharacter) ? 'whitespace' : `"${metacharacter}"`}; refs have no spaces nor any of ; $ \` | & < > ' " ( ) { } ! \\ * ? [ ] ~ ^ :`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(ref)) fail('it contains control characters');
  if (ref.includes('..')) fail('it contains ".."');
  if (ref.includes('@{')) fail('it contains "@{"');
  if (ref === '@') fail('"@" alone is not a ref');
  if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//')) fail('it has an empty path component');
  if (ref.endsWith('.')) fail('it ends with "."');
  for (const component of ref.split('/')) {
    if (component.startsWith('.')) fail(`the component "${component}" starts with "."`);
    if (component.endsWith('.lock')) fail(`the component "${component}" ends with ".lock"`);
  }
}
