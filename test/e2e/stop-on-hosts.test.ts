import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { textOf } from '../support/fake-slack.js';
import { APP_PORT, startHarness, type Harness } from '../support/igor-harness.js';
import { commitFiles, liveRevision } from '../support/example-changes.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function deployed(h: Harness, id: string) {
  expect(await (await slackDriver(h).slash('main', 'U0ALICE')).answer()).toContain(`Deployment ${id}`);
  return h.slack.waitFor(() => (h.igor.pipeline.get(id)?.finishedAt ? h.igor.pipeline.get(id) : undefined), { what: `deployment ${id} to end`, timeoutMs: 90_000 });
}

/** A restart that hangs for ten minutes (607 s) on the host at `address` when the release carries a HANG file. */
function hangingRestart(address: string): string {
  return `if [ -f HANG ] && [ "$IGOR_HOST" = ${address} ]; then sleep 607; fi; APP_PORT=${APP_PORT} bash scripts/restart.sh`;
}

describe('a run that stops: Cancel and stepTimeout reach the commands on the hosts', () => {
  it('Cancel during a restart that hangs on one host ends the deployment cancelled within 15 s, every switched host back on its release', async () => {
    const h = (harness = await startHarness({ hosts: 2, staging: { strategy: { waves: ['100%'], parallel: 2 } } }));
    expect((await deployed(h, '1')).state).toBe('succeeded');
    const hung = h.fleet.hosts.find((host) => host.name === 'web-2')!;
    h.igor.config.environments.staging!.restart = hangingRestart(hung.host);
    await commitFiles(h.repo, { HANG: 'the restart of this release sleeps for ten minutes on one host\n' }, 'Hangs on web-2');

    const slack = slackDriver(h);
    expect(await (await slack.slash('main', 'U0ALICE')).answer()).toContain('Deployment 2');
    await h.slack.waitFor(
      () => {
        const hosts = h.igor.pipeline.get('2')?.hosts ?? [];
        return hosts.find((host) => host.host === 'web-2')?.phase === 'restart' && hosts.find((host) => host.host === 'web-1')?.state === 'succeeded' ? true : undefined;
      },
      { what: 'web-2 to hang in its restart while web-1 is done', timeoutMs: 60_000 },
    );
    const root = await h.slack.waitFor(() => slack.root('2'), { what: 'the root message of deployment 2' });
    const pressed = Date.now();
    await slack.press(root, 'Cancel', 'U0ALICE');
    const ended = await h.slack.waitFor(() => (h.igor.pipeline.get('2')?.finishedAt ? h.igor.pipeline.get('2') : undefined), { what: 'deployment 2 to end', timeoutMs: 30_000 });

    expect(Date.now() - pressed).toBeLessThan(15_000);
    expect(ended.state).toBe('cancelled');
    expect(ended.reason).toBe('cancelled by U0ALICE');
    expect(ended.hosts.map((host) => [host.host, host.state])).toEqual([
      ['web-1', 'rolled-back'],
      ['web-2', 'rolled-back'],
    ]);
    for (const host of ['web-1', 'web-2']) expect(await liveRevision(h.hostPaths[host]!)).toBe(h.sha);
    for (const host of h.fleet.hosts) {
      const health = (await (await fetch(`http://${host.host}:${APP_PORT}/health`)).json()) as { revision: string };
      expect(health.revision).toBe(h.sha);
    }
    // The hung restart is gone from the host, not left sleeping.
    // (The sshd hosts are this machine: its process table is theirs; 607 s is this test's own.)
    expect((await execa('pgrep', ['-f', 'sleep 607'], { reject: false })).exitCode).toBe(1);
  });

  it('stepTimeout kills a hung step and fails the host, naming the host and the setting', async () => {
    const h = (harness = await startHarness({ hosts: 1, staging: { stepTimeout: '2s', steps: ['if [ -f HANG ]; then sleep 600; fi'] } }));
    expect((await deployed(h, '1')).state).toBe('succeeded');
    await commitFiles(h.repo, { HANG: 'the step of this release hangs\n' }, 'Hangs in its step');

    const second = await deployed(h, '2');
    expect(second.state).toBe('rolled-back');
    expect(second.reason).toContain('web-1: steps: "if [ -f HANG ]; then sleep 600; fi" did not finish within 2s and was killed (environments.staging.stepTimeout)');
    expect(await liveRevision(h.hostPaths['web-1']!)).toBe(h.sha);
    // The thread's replies go out through the outbox after the deployment ends.
    const thread = await h.slack.waitFor(() => slackDriver(h).thread('2').map(textOf).find((text) => text.includes('environments.staging.stepTimeout')), { what: 'the thread to name stepTimeout' });
    expect(thread).toContain('did not finish within 2s');
  });
});
