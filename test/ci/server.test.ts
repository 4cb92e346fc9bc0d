import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createGithubIntegration } from '../../src/ci/github-integration.js';
import type { CiRun } from '../../src/ci/types.js';
import { createOutbox } from '../../src/chat/outbox/outbox.js';
import { createConsoleChat } from '../../src/chat/console/chat.js';
import { createMirror } from '../../src/integration/mirror.js';
import { systemClock } from '../../src/shared/clock.js';
import { buttonsOf, textOf } from '../support/fake-slack.js';
import { startCiTestbed, SIGNING_SECRET, type CiTestbed, type CiTestbedOptions } from '../support/ci-testbed.js';
import { pressButton } from '../support/slack-requests.js';

let testbed: CiTestbed | undefined;
afterEach(async () => {
  await testbed?.close();
  testbed = undefined;
});

async function start(options: CiTestbedOptions = {}): Promise<CiTestbed> {
  testbed = await startCiTestbed(options);
  return testbed;
}

/** A step that waits until the file `$GATE` exists, then runs the app's own tests. */
const GATED = { steps: [{ name: 'gate', run: 'while [ ! -e "$GATE" ]; do sleep 0.05; done' }, { name: 'unit', run: 'npm test' }] };

async function gated(options: CiTestbedOptions = {}) {
  const t = await start({ integration: GATED, ...options });
  const gate = join(t.dir, 'gate');
  t.config.integration.env.GATE = gate;
  return { t, open: () => writeFile(gate, '') };
}

const BROKEN = { 'lib/greeting.js': "exports.greeting = (name) => 'bye, ' + name;\n" };
const REPAIRED = { 'lib/greeting.js': "exports.greeting = (name) => 'hello, ' + name;\n" };

const byId = (t: CiTestbed, id: string): CiRun => t.runs().find((run) => run.id === id)!;
const states = (t: CiTestbed) => t.runs().map((run) => `${run.branch}@${run.sha.slice(0, 7)} ${run.state}`);

describe('tests on every push', () => {
  it('runs the integration steps on the pushed commit in a workspace of its own, with logs per step', async () => {
    const t = await start();
    expect((await t.push({ branch: 'main', after: t.sha, pusher: 'ada' })).status).toBe(200);
    const run = await t.until(() => t.runs().find((r) => r.state === 'passed'), 'the run to pass');
    expect(run).toMatchObject({ id: '1', branch: 'main', sha: t.sha, requestedBy: 'github:ada', repository: { owner: 'Codertocat', name: 'Hello-World' } });
    expect(await readFile(join(t.dataDir, 'logs', 'ci-1', 'unit.log'), 'utf8')).toContain('unit tests passed');
    expect(existsSync(join(t.dataDir, 'ci', '1'))).toBe(false);
    // A passing branch that never failed is not worth a message.
    expect(t.slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it('queues a burst of pushes one at a time, a newer push superseding the queued older one of its branch', async () => {
    const { t, open } = await gated();
    const a = await t.commit('feature', { 'a.txt': 'a\n' }, 'A');
    const b = await t.commit('feature', { 'b.txt': 'b\n' }, 'B');
    const c = await t.commit('feature', { 'c.txt': 'c\n' }, 'C');
    const other = await t.commit('other', { 'd.txt': 'd\n' }, 'D');
    await t.push({ branch: 'feature', after: a });
    await t.until(() => byId(t, '1').state === 'running', 'the first run to start');
    await t.push({ branch: 'feature', after: b, before: a });
    await t.push({ branch: 'other', after: other });
    await t.push({ branch: 'feature', after: c, before: b });
    expect(states(t)).toEqual([`feature@${a.slice(0, 7)} running`, `feature@${b.slice(0, 7)} superseded`, `other@${other.slice(0, 7)} queued`, `feature@${c.slice(0, 7)} queued`]);
    expect(byId(t, '2').reason).toBe(`superseded by ${c.slice(0, 7)}`);

    await open();
    await t.until(() => t.runs().every((run) => run.state !== 'queued' && run.state !== 'running'), 'every run to finish');
    expect(states(t)).toEqual([`feature@${a.slice(0, 7)} passed`, `feature@${b.slice(0, 7)} superseded`, `other@${other.slice(0, 7)} passed`, `feature@${c.slice(0, 7)} passed`]);
    // One at a time: each run started after the one before it finished, in the order they were pushed.
    const ran = t.runs().filter((run) => run.startedAt);
    expect(ran.map((run) => run.id)).toEqual(['1', '3', '4']);
    for (let i = 1; i < ran.length; i++) expect(Date.parse(ran[i]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(ran[i - 1]!.finishedAt!));
  });

  it('runs as many at once as the concurrency option allows', async () => {
    const { t, open } = await gated({ concurrency: 2 });
    const x = await t.commit('x', { 'x.txt': 'x\n' }, 'X');
    const y = await t.commit('y', { 'y.txt': 'y\n' }, 'Y');
    const z = await t.commit('z', { 'z.txt': 'z\n' }, 'Z');
    for (const [branch, after] of [['x', x], ['y', y], ['z', z]] as const) await t.push({ branch, after });
    await t.until(() => t.runs().filter((run) => run.state === 'running').length === 2, 'two runs to start');
    expect(t.runs().map((run) => run.state)).toEqual(['running', 'running', 'queued']);
    await open();
    await t.until(() => t.runs().every((run) => run.state === 'passed'), 'every run to pass');
  });

  it('cancels the queued runs of a deleted branch, and stops its running one', async () => {
    const { t, open } = await gated();
    const main = await t.commit('main', { 'm.txt': 'm\n' }, 'M');
    const doomed = await t.commit('doomed', { 'd.txt': 'd\n' }, 'D');
    await t.push({ branch: 'main', after: main });
    await t.until(() => byId(t, '1').state === 'running', 'the main run to start');
    await t.push({ branch: 'doomed', after: doomed });
    expect(byId(t, '2').state).toBe('queued');
    // As GitHub sends it: `before` is the head that was deleted (so two deletions are two bodies).
    expect((await t.push({ branch: 'doomed', deleted: true, before: doomed })).status).toBe(200);
    expect(byId(t, '2')).toMatchObject({ state: 'cancelled', reason: 'the branch was deleted' });
    await open();
    await t.until(() => byId(t, '1').state === 'passed', 'the main run to pass');
    expect(byId(t, '2').startedAt).toBeNull();

    const later = await t.commit('doomed', { 'e.txt': 'e\n' }, 'E');
    await rm(join(t.dir, 'gate'));
    await t.push({ branch: 'doomed', after: later });
    await t.until(() => byId(t, '3').state === 'running', 'the run of the new doomed head to start');
    await t.push({ branch: 'doomed', deleted: true, before: later });
    await t.until(() => byId(t, '3').state === 'cancelled', 'the running run to be stopped');
    expect(t.slack.callsOf('chat.postMessage')).toEqual([]);
  });

  it('tests the new head after a force push', async () => {
    const t = await start();
    const first = await t.commit('feature', { 'f.txt': 'one\n' }, 'First try');
    await t.push({ branch: 'feature', after: first });
    await t.until(() => byId(t, '1').state === 'passed', 'the first head to pass');
    await t.resetBack('feature');
    const rewritten = await t.commit('feature', { 'f.txt': 'two\n' }, 'Second try');
    await t.push({ branch: 'feature', after: rewritten, before: first, forced: true, subject: 'Second try' });
    const run = await t.until(() => (byId(t, '2')?.state === 'passed' ? byId(t, '2') : undefined), 'the rewritten head to pass');
    expect(run).toMatchObject({ sha: rewritten, forced: true, subject: 'Second try' });
  });

  it('tells the deploys channel exactly twice for a branch that fails and is fixed: the failure with step, log tail and Retry, then "fixed"', async () => {
    const t = await start();
    const broken = await t.commit('feature', BROKEN, 'Say bye instead');
    await t.push({ branch: 'feature', after: broken, author: 'Ada', subject: 'Say bye instead' });
    const failure = await t.slack.waitFor(() => t.slack.messages('C0DEPLOYS')[0], { what: 'the failure message', timeoutMs: 45_000 });
    const text = textOf(failure);
    expect(text).toContain('tests failed on `feature`');
    expect(text).toContain(broken.slice(0, 7));
    expect(text).toContain('Say bye instead');
    expect(text).toContain('by Ada');
    expect(text).toContain('`unit` exited with code 1');
    expect(text).toContain('AssertionError');
    expect(buttonsOf(failure)).toMatchObject([{ text: 'Retry', action_id: 'igor.ci-retry', value: '1' }]);
    // The message is posted before igor hears back and records where it is.
    await t.until(() => byId(t, '1').message, 'the run to know its message');
    expect(byId(t, '1')).toMatchObject({ state: 'failed', failedStep: 'unit', message: { channel: 'C0DEPLOYS', ts: failure.ts } });

    // Failing again is told again; only then does a fix count as "fixed".
    await t.push({ branch: 'main', after: t.sha });
    await t.until(() => byId(t, '2')?.state === 'passed', 'main to pass');
    const repaired = await t.commit('feature', REPAIRED, 'Say hello again');
    await t.push({ branch: 'feature', after: repaired, author: 'Ada', subject: 'Say hello again' });
    const fixed = await t.slack.waitFor(() => t.slack.messages('C0DEPLOYS')[1], { what: 'the fixed message', timeoutMs: 45_000 });
    expect(textOf(fixed)).toContain('`feature` is fixed at');
    expect(textOf(fixed)).toContain(repaired.slice(0, 7));
    expect(textOf(fixed)).toContain('`unit` had failed');
    expect(buttonsOf(fixed)).toEqual([]);

    const more = await t.commit('feature', { 'g.txt': 'g\n' }, 'Still fine');
    await t.push({ branch: 'feature', after: more });
    await t.until(() => byId(t, '4')?.state === 'passed', 'the next push to pass');
    expect(t.slack.messages()).toHaveLength(2);
    expect(t.slack.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('retries a failed run with its Retry button: the same commit, asked by the presser, acknowledged in the thread', async () => {
    const t = await start({ integration: { steps: [{ name: 'flaky', run: 'test -e "$FIXED"' }] } });
    t.config.integration.env.FIXED = join(t.dir, 'fixed');
    await t.push({ branch: 'main', after: t.sha });
    const failure = await t.slack.waitFor(() => t.slack.messages('C0DEPLOYS')[0], { what: 'the failure message', timeoutMs: 45_000 });
    await writeFile(join(t.dir, 'fixed'), '');
    const button = buttonsOf(failure)[0]!;
    const pressed = await pressButton(t.eventsUrl, SIGNING_SECRET, {
      actionId: button.action_id!,
      value: button.value!,
      userId: 'U0BOB',
      channelId: failure.channel,
      messageTs: failure.ts,
      responseUrl: t.slack.responseUrl(),
      text: 'Retry',
    });
    expect(pressed.status).toBe(200);
    const retry = await t.until(() => (byId(t, '2')?.state === 'passed' ? byId(t, '2') : undefined), 'the retry to pass');
    expect(retry).toMatchObject({ sha: t.sha, branch: 'main', retryOf: '1', requestedBy: 'U0BOB' });
    const replies = await t.slack.waitFor(() => (t.slack.replies('C0DEPLOYS', failure.ts).length ? t.slack.replies('C0DEPLOYS', failure.ts) : undefined), { what: 'the retry note' });
    expect(textOf(replies[0])).toContain('<@U0BOB> retries this: test run 2');
    const fixed = await t.slack.waitFor(() => t.slack.messages('C0DEPLOYS')[1], { what: 'the fixed message' });
    expect(textOf(fixed)).toContain('retried by <@U0BOB>');

    await pressButton(t.eventsUrl, SIGNING_SECRET, { actionId: 'igor.ci-retry', value: '99', userId: 'U0BOB', channelId: 'C0DEPLOYS', messageTs: failure.ts, responseUrl: t.slack.responseUrl(), text: 'Retry' });
    const refusal = await t.slack.waitFor(() => t.slack.ephemerals('U0BOB')[0], { what: 'the refusal' });
    expect(textOf(refusal)).toContain('there is no test run 99');
  });

  it('queues interrupted runs again when it starts anew', async () => {
    const { t, open } = await gated();
    await t.push({ branch: 'main', after: t.sha });
    await t.until(() => byId(t, '1').state === 'running', 'the run to start');
    await t.github.stop();
    expect(byId(t, '1').state).toBe('interrupted');
    const again = createGithubIntegration({
      config: t.config,
      store: t.store,
      pipeline: t.pipeline,
      mirror: createMirror({ repo: t.repo, cacheDir: join(t.dataDir, 'mirrors') }),
      outbox: createOutbox({ store: t.store, chat: createConsoleChat(pino({ level: 'silent' })), log: pino({ level: 'silent' }) }),
      log: pino({ level: 'silent' }),
      clock: systemClock,
      dataDir: t.dataDir,
      path: process.env.PATH!,
      home: t.dir,
    });
    try {
      await open();
      await t.until(() => byId(t, '1').state === 'passed', 'the resumed run to pass');
    } finally {
      await again.stop();
    }
  });
});
