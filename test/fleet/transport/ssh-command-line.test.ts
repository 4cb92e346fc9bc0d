import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLine } from '../../../src/fleet/transport/ssh.js';
import type { ExecOptions } from '../../../src/fleet/types.js';

/** Prints what it was given: its arguments, its working directory and the IGOR_TEST_* variables. */
const REPORTER = `process.stdout.write(JSON.stringify({
  argv: process.argv.slice(1),
  cwd: process.cwd(),
  env: Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('IGOR_TEST_'))),
}))`;

interface Report {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

let dir: string;
let marker: string;

/** Runs the line through `bash -c` as sshd would, with the reporter as the command. */
async function run(args: readonly string[], options: ExecOptions = {}): Promise<Report> {
  const line = commandLine([process.execPath, '-e', REPORTER, ...args], options);
  const result = await execa('bash', ['-c', line], { cwd: dir, env: { HOME: dir, PATH: process.env.PATH ?? '' }, extendEnv: false });
  return JSON.parse(result.stdout) as Report;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-command-line-'));
  marker = join(dir, `should-not-exist-${process.pid}-${Date.now()}`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('commandLine', () => {
  it('passes shell syntax through as literal arguments and runs none of it', async () => {
    const args = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `; touch ${marker}`,
      `&& touch ${marker}`,
      `| touch ${marker}`,
      `> ${marker}`,
      `\n touch ${marker}`,
      `"; touch ${marker}; echo "`,
      `'; touch ${marker}; echo '`,
      `$(touch ${marker})'!'`,
      `!touch ${marker}`,
      `\${IFS}touch\${IFS}${marker}`,
    ];
    const report = await run(args);
    expect(report.argv).toEqual(args);
    expect(existsSync(marker)).toBe(false);
  });

  it('keeps quotes, spaces, newlines and backslashes exactly', async () => {
    const args = ["it's", '"quoted"', `it's "both"`, 'a  b\tc', 'line 1\nline 2\r\n', 'back\\slash', '\\', '\\n', "'", '"', '!', "'!'"];
    expect((await run(args)).argv).toEqual(args);
  });

  it('keeps characters that mean something to a shell word by word', async () => {
    const args = ['$HOME', '~', '~/x', '*', '/*', '?', '[a]', '{a,b}', '#', 'a#b', '%', 'a=b', 'x:y', 'C:\\x', '-n', '--', '@', '^', '<>', '&'];
    expect((await run(args)).argv).toEqual(args);
  });

  it('passes an empty argument as an empty argument', async () => {
    expect((await run(['', 'after'])).argv).toEqual(['', 'after']);
  });

  it('passes unicode through unchanged', async () => {
    const args = ['héllo', '日本', 'emoji 🚀', '\u2028'];
    expect((await run(args)).argv).toEqual(args);
  });

  it('sets environment values literally, spaces and "$" included', async () => {
    const env = {
      IGOR_TEST_SPACES: 'with some spaces',
      IGOR_TEST_DOLLAR: '$HOME and ${PATH}',
      IGOR_TEST_SUBSTITUTION: `$(touch ${marker})`,
      IGOR_TEST_BACKTICKS: `\`touch ${marker}\``,
      IGOR_TEST_QUOTES: `it's "quoted"`,
      IGOR_TEST_NEWLINE: 'one\ntwo',
      IGOR_TEST_EQUALS: 'a=b=c',
      IGOR_TEST_EMPTY: '',
    };
    const report = await run(['arg'], { env });
    expect(report.env).toEqual(env);
    expect(report.argv).toEqual(['arg']);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs the command in a working directory with spaces and shell syntax in its name', async () => {
    // bash runs in `dir`, so the relative `touch` would create the marker there.
    const cwd = join(dir, `release with spaces $(touch ${basename(marker)}) it's`);
    await mkdir(cwd);
    const report = await run(['x'], { cwd });
    expect(report.cwd).toBe(realpathSync(cwd));
    expect(existsSync(marker)).toBe(false);
  });

  it('runs in a working directory whose name starts with "-"', async () => {
    const cwd = join(dir, '-P');
    await mkdir(cwd);
    const report = await run([], { cwd: '-P' });
    expect(report.cwd).toBe(realpathSync(cwd));
  });

  it('does not run the command when the working directory does not exist', async () => {
    const line = commandLine(['touch', marker], { cwd: join(dir, 'missing') });
    const result = await execa('bash', ['-c', line], { cwd: dir, reject: false });
    expect(result.exitCode).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it('combines working directory and environment', async () => {
    const cwd = join(dir, 'both here');
    await mkdir(cwd);
    const report = await run(['$1'], { cwd, env: { IGOR_TEST_RELEASE: '20261126T102030Z-abcdef0' } });
    expect(report).toEqual({ argv: ['$1'], cwd: realpathSync(cwd), env: { IGOR_TEST_RELEASE: '20261126T102030Z-abcdef0' } });
  });
});
