import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { textOf } from '../support/fake-slack.js';
import { startCiTestbed, type CiTestbed } from '../support/ci-testbed.js';

let testbed: CiTestbed | undefined;
afterEach(async () => {
  await testbed?.close();
  testbed = undefined;
});

const local = (dir: string, name: string) => ({ local: [{ name: 'web-1', path: join(dir, name) }] });

async function start(environments: (dir: string) => Record<string, unknown>): Promise<CiTestbed> {
  testbed = await startCiTestbed({ environments });
  return testbed;
}

const BROKEN = { 'lib/greeting.js': "exports.greeting = (name) => 'bye, ' + name;\n" };

describe('continuous deployment', () => {
  it('deploys the tested commit of the autoDeploy branch, by its sha, as github:<pusher>', async () => {
    const t = await start((dir) => ({ staging: { servers: local(dir, 'staging'), autoDeploy: { branch: 'main' } }, production: { servers: local(dir, 'production') } }));
    await t.push({ branch: 'main', after: t.sha, pusher: 'ada' });
    const deployment = await t.until(() => t.pipeline.list().find((d) => d.state === 'succeeded'), 'the deployment to succeed');
    expect(deployment).toMatchObject({ environment: 'staging', ref: 'main', sha: t.sha, requestedBy: 'github:ada', approvedBy: 'policy' });
    expect((await readFile(join(t.dir, 'staging', 'current', 'REVISION'), 'utf8')).trim()).toBe(t.sha);
    expect(t.pipeline.list({ environment: 'production' })).toEqual([]);
  });

  it("does not run the tests again: the test run's results, times and logs become the deployment's", async () => {
    const counterDir = await mkdtemp(join(tmpdir(), 'igor-counter-'));
    try {
      const counter = join(counterDir, 'runs');
      testbed = await startCiTestbed({
        integration: { steps: [{ name: 'unit', run: 'echo ran >> "$COUNTER" && npm test' }], env: { COUNTER: counter } },
        environments: (dir) => ({ staging: { servers: local(dir, 'staging'), autoDeploy: { branch: 'main' } } }),
      });
      const t = testbed;
      await t.push({ branch: 'main', after: t.sha });
      const deployment = await t.until(() => t.pipeline.list().find((d) => d.state === 'succeeded'), 'the deployment to succeed');
      expect((await readFile(counter, 'utf8')).trim().split('\n')).toEqual(['ran']);
      expect(deployment.testedIn?.source).toBe('test run 1');
      const ran = t.runs()[0]!.steps!.find((step) => step.name === 'unit')!;
      expect(deployment.steps.find((step) => step.name === 'unit')).toMatchObject({ state: 'succeeded', startedAt: ran.startedAt, finishedAt: ran.finishedAt });
      expect(await readFile(t.pipeline.logPath(deployment.id, 'unit'), 'utf8')).toContain('unit tests passed');
    } finally {
      await rm(counterDir, { recursive: true, force: true });
    }
  });

  it('deploys nothing for a failing push, nor for a push to another branch', async () => {
    const t = await start((dir) => ({ staging: { servers: local(dir, 'staging'), autoDeploy: { branch: 'main' } } }));
    const feature = await t.commit('feature', { 'f.txt': 'f\n' }, 'Feature');
    const broken = await t.commit('main', BROKEN, 'Break main');
    await t.push({ branch: 'main', after: broken });
    await t.push({ branch: 'feature', after: feature });
    await t.until(() => t.runs().length === 2 && t.runs().every((run) => run.state === 'failed' || run.state === 'passed'), 'both runs to finish');
    expect(t.runs().map((run) => run.state)).toEqual(['failed', 'passed']);
    expect(t.pipeline.list()).toEqual([]);
  });

  it('goes through the approval policy: with required approval it stops at the approval request', async () => {
    const t = await start((dir) => ({ production: { servers: local(dir, 'production'), autoDeploy: { branch: 'main' }, approval: { mode: 'required', approvers: ['U0BOB'] } } }));
    await t.push({ branch: 'main', after: t.sha });
    const waiting = await t.until(() => t.pipeline.list().find((d) => d.state === 'awaiting-approval'), 'the approval request');
    expect(waiting).toMatchObject({ environment: 'production', ref: 'main', sha: t.sha });
  });

  it('coalesces pushes that pass while the environment is busy: the newest tested commit is deployed when it frees', async () => {
    const t = await start((dir) => ({ staging: { servers: local(dir, 'staging'), autoDeploy: { branch: 'main' }, approval: { mode: 'required', approvers: ['U0BOB'] } } }));
    await t.push({ branch: 'main', after: t.sha });
    const first = await t.until(() => t.pipeline.list().find((d) => d.state === 'awaiting-approval'), 'the first deployment to wait for approval');

    const b = await t.commit('main', { 'b.txt': 'b\n' }, 'B');
    await t.push({ branch: 'main', after: b });
    await t.until(() => t.store.data.ci.pendingDeploys[`${t.config.app}/staging`]?.sha === b, 'b to wait for staging');
    const c = await t.commit('main', { 'c.txt': 'c\n' }, 'C');
    await t.push({ branch: 'main', after: c });
    await t.until(() => t.store.data.ci.pendingDeploys[`${t.config.app}/staging`]?.sha === c, 'c to take the place of b');
    expect(t.pipeline.list()).toHaveLength(1);

    await t.pipeline.reject(first.id, { user: 'U0BOB', via: 'slack' });
    const next = await t.until(() => t.pipeline.list().find((d) => d.id !== first.id), 'the waiting commit to be requested');
    expect(next).toMatchObject({ environment: 'staging', ref: 'main', sha: c });
    expect(t.store.data.ci.pendingDeploys).toEqual({});
    await t.until(() => t.pipeline.get(next.id)?.state === 'awaiting-approval', 'the second deployment to wait for approval');
    expect(t.pipeline.list().map((d) => d.sha)).toEqual([c, t.sha]);
  });

  it('does not deploy an older commit whose tests pass after a newer push', async () => {
    const t = await start((dir) => ({ staging: { servers: local(dir, 'staging'), autoDeploy: { branch: 'main' } } }));
    const gate = join(t.dir, 'gate');
    t.config.integration.steps.unshift({ name: 'gate', run: 'while [ ! -e "$GATE" ]; do sleep 0.05; done' });
    t.config.integration.env.GATE = gate;
    await t.push({ branch: 'main', after: t.sha });
    await t.until(() => t.runs()[0]!.state === 'running', 'the first run to start');
    const broken = await t.commit('main', BROKEN, 'Break main');
    await t.push({ branch: 'main', after: broken });
    await writeFile(gate, '');
    await t.until(() => t.runs().every((run) => run.state === 'passed' || run.state === 'failed'), 'both runs to finish');
    expect(t.runs().map((run) => run.state)).toEqual(['passed', 'failed']);
    expect(t.pipeline.list()).toEqual([]);
  });

  it('deploys under autoDeploy even though the pusher is no deployer, and tells the deploys channel when a lock refuses it', async () => {
    const t = await start((dir) => ({ staging: { servers: local(dir, 'staging'), autoDeploy: { branch: 'main' }, deployers: ['U0ALICE'] } }));
    await t.pipeline.lock('staging', { user: 'U0ALICE', via: 'slack' }, 'release freeze');
    await t.push({ branch: 'main', after: t.sha, pusher: 'ada' });
    const message = await t.slack.waitFor(() => t.slack.messages('C0DEPLOYS')[0], { what: 'the refusal', timeoutMs: 45_000 });
    expect(textOf(message)).toMatch(/Not deploying `main` at `\w{7}` to staging.*staging is locked by <@U0ALICE> .*release freeze/);
    expect(t.pipeline.list()).toEqual([]);
  });
});
