import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCiTestbed, type CiTestbed, type CiTestbedOptions } from '../support/ci-testbed.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github.js';

const TOKEN = 'ghp_test_token';
let testbed: CiTestbed | undefined;
let github: FakeGithub | undefined;
afterEach(async () => {
  await testbed?.close();
  await github?.close();
  testbed = undefined;
  github = undefined;
});

async function start(options: CiTestbedOptions = {}) {
  github = await startFakeGithub();
  testbed = await startCiTestbed({ githubToken: TOKEN, githubApiUrl: github.url, ...options });
  return { t: testbed, api: github };
}

describe('commit statuses on GitHub', () => {
  it('sets pending, then success on a passing commit, through the REST API with the token', async () => {
    const { t, api } = await start();
    await t.push({ branch: 'main', after: t.sha });
    await t.until(() => api.statesOf(t.sha).length === 3, 'three statuses');
    expect(api.statesOf(t.sha)).toEqual(['pending: queued: test run 1', 'pending: running the integration steps (test run 1)', 'success: every integration step passed']);
    expect(api.statuses[0]).toMatchObject({ owner: 'Codertocat', repo: 'Hello-World', sha: t.sha, context: 'igor/integration' });
    expect(api.statuses.every((status) => status.authorization?.endsWith(TOKEN))).toBe(true);
  });

  it('sets failure with the failing step on a failing commit', async () => {
    const { t, api } = await start();
    const broken = await t.commit('feature', { 'lib/greeting.js': "exports.greeting = () => 'nope';\n" }, 'Break it');
    await t.push({ branch: 'feature', after: broken });
    await t.until(() => api.statesOf(broken).length === 3, 'three statuses');
    expect(api.statesOf(broken).at(-1)).toBe('failure: unit exited with code 1');
  });

  it('ends the status of a superseded commit in error, saying it was not tested', async () => {
    const { t, api } = await start({ integration: { steps: [{ name: 'gate', run: 'while [ ! -e "$GATE" ]; do sleep 0.05; done' }] } });
    t.config.integration.env.GATE = join(t.dir, 'gate');
    const a = await t.commit('feature', { 'a.txt': 'a\n' }, 'A');
    const b = await t.commit('feature', { 'b.txt': 'b\n' }, 'B');
    const c = await t.commit('feature', { 'c.txt': 'c\n' }, 'C');
    await t.push({ branch: 'feature', after: a });
    await t.until(() => t.runs()[0]!.state === 'running', 'the first run to start');
    await t.push({ branch: 'feature', after: b });
    await t.push({ branch: 'feature', after: c });
    await writeFile(join(t.dir, 'gate'), '');
    await t.until(() => api.statesOf(c).length === 3, 'the last commit to be done');
    expect(api.statesOf(b)).toEqual(['pending: queued: test run 2', `error: not tested: superseded by ${c.slice(0, 7)}`]);
    expect(api.statesOf(a).at(-1)).toMatch(/^success/);
    expect(api.statesOf(c).at(-1)).toMatch(/^success/);
  });

  it('keeps testing when GitHub refuses the token, and says so in the log', async () => {
    const { t, api } = await start();
    api.failNext(401, 3);
    await t.push({ branch: 'main', after: t.sha });
    await t.until(() => t.runs()[0]!.state === 'passed', 'the run to pass');
    await t.until(() => t.logs.filter((line) => line.msg === 'GitHub refused GITHUB_TOKEN (401): the commit status was not set').length === 3, 'three refusals logged');
    expect(api.statuses).toEqual([]);
    expect(JSON.stringify(t.logs)).not.toContain(TOKEN);
  });

  it('sets no status without a token', async () => {
    const { t, api } = await start({ githubToken: undefined });
    await t.push({ branch: 'main', after: t.sha });
    await t.until(() => t.runs()[0]!.state === 'passed', 'the run to pass');
    expect(api.statuses).toEqual([]);
  });
});
