import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleGit } from 'simple-git';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { createExampleRepository } from '../../src/example/repository.js';
import { createMirror, type Mirror } from '../../src/integration/mirror.js';
import { integrationStepNames, runIntegration, type IntegrationJob, type StepEvent } from '../../src/integration/runner.js';

type Integration = Config['integration'];

let root: string;
let mirror: Mirror;
/** The example app's first commit, and a later one on main. */
let firstSha: string;
let secondSha: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'igor-runner-'));
  const source = join(root, 'source');
  firstSha = await createExampleRepository(source);
  const git = simpleGit(source);
  await writeFile(join(source, 'second.txt'), 'second\n');
  await git.add('.');
  await git.commit('second');
  secondSha = (await git.revparse(['HEAD'])).trim();
  mirror = createMirror({ repo: source, cacheDir: join(root, 'cache') });
  await mirror.fetch();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dir: string;
/** Pid files of processes the steps start; whatever they name is killed after each test. */
let pidFiles: string[];
let savedEnv: NodeJS.ProcessEnv;

beforeEach(async () => {
  dir = await mkdtemp(join(root, 'run-'));
  pidFiles = [];
  savedEnv = { ...process.env };
});

afterEach(async () => {
  for (const file of pidFiles) {
    const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (pid > 0 && isRunning(pid)) process.kill(pid, 'SIGKILL');
  }
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
  await rm(dir, { recursive: true, force: true });
});

function integration(overrides: Partial<Integration>): Integration {
  return { setup: [], steps: [], teardown: [], timeout: 60_000, env: {}, ...overrides };
}

function job(overrides: Partial<IntegrationJob> = {}): IntegrationJob {
  return {
    deploymentId: '7',
    app: 'shop',
    environment: 'staging',
    ref: 'main',
    sha: firstSha,
    workspace: join(dir, 'workspaces', '7'),
    logDir: join(dir, 'logs', '7'),
    signal: new AbortController().signal,
    path: process.env.PATH ?? '/usr/bin:/bin',
    home: dir,
    ...overrides,
  };
}

/** Runs the integration and records every step event as `type:step`. */
async function run(config: Integration, jobOverrides: Partial<IntegrationJob> = {}) {
  const events: StepEvent[] = [];
  const theJob = job(jobOverrides);
  const result = await runIntegration(config, mirror, theJob, (event) => events.push(event));
  return { result, events, trail: events.map((event) => `${event.type}:${event.step}`), job: theJob };
}

/** Appends `word` to the trace file outside the workspace, so it survives the workspace's removal. */
const trace = (word: string) => `echo ${word} >> "$TRACE"`;
async function traced(): Promise<string[]> {
  return (await readFile(join(dir, 'trace'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

/** A step that starts a long child in its own process group, records the child's pid, and waits. */
function longChild(pidFile: string): string {
  pidFiles.push(pidFile);
  return `sleep 300 & echo $! > "${pidFile}"; wait`;
}

/** Alive means in the process table and not a zombie waiting to be reaped by init. */
function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

async function untilFileExists(path: string): Promise<void> {
  while (!existsSync(path) || (await readFile(path, 'utf8')).trim() === '') await sleep(20);
}

describe('integrationStepNames', () => {
  it('lists setup, the steps in order, then teardown', () => {
    const config = integration({ setup: ['true'], steps: [{ name: 'install', run: 'true' }, { name: 'unit', run: 'true' }], teardown: ['true'] });
    expect(integrationStepNames(config)).toEqual(['setup', 'install', 'unit', 'teardown']);
  });

  it('leaves out setup and teardown when none are configured', () => {
    expect(integrationStepNames(integration({ steps: [{ name: 'unit', run: 'true' }] }))).toEqual(['unit']);
  });
});

describe('runIntegration', () => {
  it('runs setup, the steps in order and teardown in a fresh checkout of exactly the sha', async () => {
    const workspace = join(dir, 'workspaces', '7');
    await mkdir(workspace, { recursive: true });
    await writeFile(join(workspace, 'stale.txt'), 'left over from an earlier run\n');
    const step = (word: string) =>
      [
        trace(word),
        'echo "$PWD" >> "$TRACE"',
        'git rev-parse HEAD >> "$TRACE"',
        'test -e second.txt && echo has-second >> "$TRACE" || true',
        'test -e stale.txt && echo has-stale >> "$TRACE" || true',
        'test -z "$(git status --porcelain)" && echo clean >> "$TRACE" || true',
      ].join('; ');
    const config = integration({
      setup: [trace('setup-1'), trace('setup-2')],
      steps: [
        { name: 'install', run: step('install') },
        { name: 'unit', run: step('unit') },
      ],
      teardown: [trace('teardown')],
      env: { TRACE: join(dir, 'trace') },
    });

    const { result, trail } = await run(config, { sha: firstSha });

    expect(result).toEqual({ ok: true });
    expect(trail).toEqual(['started:setup', 'succeeded:setup', 'started:install', 'succeeded:install', 'started:unit', 'succeeded:unit', 'started:teardown', 'succeeded:teardown']);
    expect(await traced()).toEqual(['setup-1', 'setup-2', 'install', workspace, firstSha, 'clean', 'unit', workspace, firstSha, 'clean', 'teardown']);
    expect(existsSync(workspace)).toBe(false);
  });

  it('checks out the later commit when given its sha', async () => {
    const config = integration({ steps: [{ name: 'unit', run: 'git rev-parse HEAD >> "$TRACE"; cat second.txt >> "$TRACE"' }], env: { TRACE: join(dir, 'trace') } });
    const { result } = await run(config, { sha: secondSha });
    expect(result).toEqual({ ok: true });
    expect(await traced()).toEqual([secondSha, 'second']);
  });

  it('stops at a failing step, skips the rest, runs teardown, and reports the exit code and the log tail', async () => {
    const config = integration({
      steps: [
        { name: 'install', run: trace('install') },
        { name: 'unit', run: `${trace('unit')}; echo "to stdout"; echo "to stderr" >&2; exit 3` },
        { name: 'load', run: trace('load') },
      ],
      teardown: [trace('teardown')],
      env: { TRACE: join(dir, 'trace') },
    });

    const { result, trail, job: theJob } = await run(config);

    expect(trail).toEqual(['started:install', 'succeeded:install', 'started:unit', 'failed:unit', 'skipped:load', 'started:teardown', 'succeeded:teardown']);
    expect(await traced()).toEqual(['install', 'unit', 'teardown']);
    expect(result).toMatchObject({ ok: false, step: 'unit', reason: 'exited with code 3', cancelled: false });
    expect(result.ok || result.logTail).toContain('to stdout');
    expect(result.ok || result.logTail).toContain('to stderr');
    expect(existsSync(theJob.workspace)).toBe(false);
  });

  it("writes each step's stdout and stderr to <logDir>/<step>.log", async () => {
    const config = integration({
      setup: ['echo setup says hi'],
      steps: [
        { name: 'install', run: 'echo installing; echo warning >&2' },
        { name: 'unit', run: 'echo testing' },
      ],
      teardown: ['echo bye >&2'],
    });
    const { result, job: theJob } = await run(config);
    expect(result).toEqual({ ok: true });
    const log = (step: string) => readFile(join(theJob.logDir, `${step}.log`), 'utf8');
    expect(await log('setup')).toBe('setup says hi\n');
    expect(await log('install')).toContain('installing\n');
    expect(await log('install')).toContain('warning\n');
    expect(await log('unit')).toBe('testing\n');
    expect(await log('teardown')).toBe('bye\n');
  });

  it('runs teardown after a setup failure and skips every step', async () => {
    const config = integration({
      setup: [trace('setup'), 'exit 2', trace('never')],
      steps: [
        { name: 'install', run: trace('install') },
        { name: 'unit', run: trace('unit') },
      ],
      teardown: [trace('teardown')],
      env: { TRACE: join(dir, 'trace') },
    });

    const { result, trail, job: theJob } = await run(config);

    expect(result).toMatchObject({ ok: false, step: 'setup', reason: 'exited with code 2', cancelled: false });
    expect(trail).toEqual(['started:setup', 'failed:setup', 'skipped:install', 'skipped:unit', 'started:teardown', 'succeeded:teardown']);
    expect(await traced()).toEqual(['setup', 'teardown']);
    expect(existsSync(theJob.workspace)).toBe(false);
  });

  it('fails a step that exceeds the timeout and kills its whole process group', async () => {
    const pidFile = join(dir, 'timeout.pid');
    const config = integration({
      steps: [
        { name: 'load', run: longChild(pidFile) },
        { name: 'after', run: trace('after') },
      ],
      teardown: [trace('teardown')],
      timeout: 500,
      env: { TRACE: join(dir, 'trace') },
    });

    const { result, trail, job: theJob } = await run(config);

    expect(result).toMatchObject({ ok: false, step: 'load', cancelled: false });
    expect(result.ok || result.reason).toContain('timed out');
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
    expect(trail).toEqual(['started:load', 'failed:load', 'skipped:after', 'started:teardown', 'succeeded:teardown']);
    expect(await traced()).toEqual(['teardown']);
    expect(existsSync(theJob.workspace)).toBe(false);
  });

  it('on cancel kills the running step with its whole process group, skips the rest and still runs teardown', async () => {
    const pidFile = join(dir, 'cancel.pid');
    const controller = new AbortController();
    const config = integration({
      steps: [
        { name: 'install', run: trace('install') },
        { name: 'load', run: longChild(pidFile) },
        { name: 'after', run: trace('after') },
      ],
      teardown: [trace('teardown')],
      env: { TRACE: join(dir, 'trace') },
    });

    const running = run(config, { signal: controller.signal });
    await untilFileExists(pidFile);
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(isRunning(pid)).toBe(true);
    controller.abort();
    const { result, trail, job: theJob } = await running;

    expect(result).toMatchObject({ ok: false, step: 'load', reason: 'cancelled', cancelled: true });
    expect(isRunning(pid)).toBe(false);
    expect(trail).toEqual(['started:install', 'succeeded:install', 'started:load', 'failed:load', 'skipped:after', 'started:teardown', 'succeeded:teardown']);
    expect(await traced()).toEqual(['install', 'teardown']);
    expect(existsSync(theJob.workspace)).toBe(false);
  });

  it('runs no step when cancelled before the first one, but still runs teardown and removes the workspace', async () => {
    const controller = new AbortController();
    controller.abort();
    const config = integration({
      setup: [trace('setup')],
      steps: [{ name: 'unit', run: trace('unit') }],
      teardown: [trace('teardown')],
      env: { TRACE: join(dir, 'trace') },
    });

    const { trail, job: theJob } = await run(config, { signal: controller.signal });

    expect(trail).toEqual(['skipped:setup', 'skipped:unit', 'started:teardown', 'succeeded:teardown']);
    expect(await traced()).toEqual(['teardown']);
    expect(existsSync(theJob.workspace)).toBe(false);
  });

  it("gives the steps only PATH, HOME, CI=true, the deployment's IGOR_* and integration.env, none of igor's secrets", async () => {
    process.env.SLACK_BOT_TOKEN = 'xoxb-secret-slack';
    process.env.SLACK_SIGNING_SECRET = 'secret-signing';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-aws';
    process.env.GITHUB_TOKEN = 'secret-github';
    process.env.IGOR_API_TOKEN = 'secret-igor-api';
    const config = integration({ steps: [{ name: 'env', run: 'env' }], env: { DATABASE_URL: 'postgres://test' } });

    const { result, job: theJob } = await run(config, { home: join(dir, 'home') });

    expect(result).toEqual({ ok: true });
    const output = await readFile(join(theJob.logDir, 'env.log'), 'utf8');
    expect(output).not.toContain('secret');
    const seen = Object.fromEntries(
      output
        .trimEnd()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    ) as Record<string, string>;
    // bash itself exports PWD, SHLVL and `_`; a login shell may rewrite PATH.
    const bashOwn = ['PWD', 'SHLVL', '_'];
    const unexpected = Object.keys(seen).filter((key) => !['PATH', 'HOME', 'CI', 'DATABASE_URL', ...bashOwn].includes(key) && !key.startsWith('IGOR_'));
    expect(unexpected).toEqual([]);
    expect(Object.keys(seen).filter((key) => /TOKEN|SECRET|SLACK|AWS|GITHUB/.test(key))).toEqual([]);
    expect(seen).toMatchObject({ HOME: join(dir, 'home'), CI: 'true', DATABASE_URL: 'postgres://test', IGOR_SHA: firstSha, IGOR_APP: 'shop', IGOR_ENVIRONMENT: 'staging' });
    expect(seen.PATH).toBeTruthy();
  });
});
