import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configKeys, configReference, END, START, withReference } from '../../scripts/docs/config-reference.js';
import { KEY_DOCS } from '../../scripts/docs/config-keys.js';

const README = new URL('../../README.md', import.meta.url);

describe("the README's reference of igor.yml", () => {
  it('is the table npm run docs:config makes from the schema (run it after changing src/config/schema.ts)', async () => {
    const readme = await readFile(README, 'utf8');
    expect(readme).toContain(START);
    expect(withReference(readme, configReference())).toBe(readme);
  });

  it('has one row for every key of both forms, with its type and default read from the schema', () => {
    const table = configReference();
    const row = (path: string) => table.split('\n').find((line) => line.startsWith(`| \`${path}\` |`));
    expect(row('environments.<env>.approval.mode')).toBe('| `environments.<env>.approval.mode` | auto \\| required | `auto` | `required` | `auto`: granted by policy at once; `required`: an approver presses `Approve` |');
    expect(row('environments.<env>.keepReleases')).toMatch(/^\| `environments\.<env>\.keepReleases` \| integer ≥ 2 \| `5` \|/);
    expect(row('integration.timeout')).toMatch(/\| duration \| `15m` \|/);
    expect(row('environments.<env>.strategy.canary.analysis.load.maxErrorRate')).toMatch(/\| share \| `1%` \|/);
    expect(row('app')).toMatch(/\| text \| required \|/);
    expect(row('defaultApp')).toBeDefined();
    // A mapping written as another is one row pointing there, its keys listed once.
    expect(row('apps.<app>.environments')).toMatch(/\| as `environments` \| required \|/);
    expect(row('environments.<env>.servers.local[].health')).toMatch(/\| as `environments.<env>.health` \|/);
    expect(table).not.toContain('environments.<env>.servers.local[].health.url');
    expect(table.split('\n').length - 2).toBe(configKeys().length);
  });

  it('describes exactly the keys of the schema', () => {
    expect([...KEY_DOCS.keys()].sort()).toEqual(configKeys().map((key) => key.path).sort());
  });

  it('puts the table between the markers, and refuses a README without them', () => {
    expect(withReference(`a\n${START}\nold\n${END}\nb`, 'new')).toBe(`a\n${START}\nnew\n${END}\nb`);
    expect(() => withReference('no markers', 'new')).toThrow(/config-reference/);
  });
});
