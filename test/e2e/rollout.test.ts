import { existsSync } from 'node:fs';
import { rm, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf } from '../support/fake-slack.js';
import { APP_PORT, startHarness, type Harness, type HarnessOptions } from '../support/igor-harness.js';
import { FAILS_ON_ONE_HOST, commitFiles, liveRevision } from '../support/example-changes.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function deployed(h: Harness, text: string, id: string, user = 'U0ALICE') {
  const slack = slackDriver(h);
  expect(await (await slack.slash(text, user)).answer()).toContain(`Deployment ${id}`);
  return h.slack.waitFor(() => (h.igor.pipeline.get(id)?.finishedAt ? h.igor.pipeline.get(id) : undefined), { what: `deployment ${id} to end`, timeoutMs: 90_000 });
}

async function rolledBackTo(h: Harness, text: string, id: string) {
  const slack = slackDriver(h);
  expect(await (await slack.slash(text, 'U0ALICE', '/rollback')).answer()).toContain(`Rollback ${id}`);
  return h.slack.waitFor(() => (h.igor.pipeline.get(id)?.finishedAt ? h.igor.pipeline.get(id) : undefined), { what: `rollback ${id} to end`, timeoutMs: 60_000 });
}

function start(hosts: number, staging: HarnessOptions['staging']) {
  return startHarness({ hosts, staging: { ...staging } }).then((h) => (harness = h));
}

describe('canary, waves and automatic rollback on sshd hosts', () => {
  it('ships canary first, then the waves; then rolls every switched host back when one fails its health check', async () => {
    const h = await start(4, { strategy: { canary: { servers: 1, bake: '1s', promote: 'auto' }, waves: ['50%', '100%'], parallel: 1 } });
    const first = await deployed(h, 'main', '1');
    expect(first.state).toBe('succeeded');
    expect(first.hosts.map((host) => [host.host, host.wave, host.state])).toEqual([
      ['web-1', 'canary', 'succeeded'],
      ['web-2', 'wave 1', 'succeeded'],
      ['web-3', 'wave 2', 'succeeded'],
      ['web-4', 'wave 2', 'succeeded'],
    ]);
    const root = await h.slack.waitFor(() => (slackDriver(h).root('1')?.text.endsWith(': succeeded') ? slackDriver(h).root('1') : undefined), { what: 'the root message to say succeeded' });
    expect(textOf(root)).toContain('4/4 done (canary 1/1, wave 1 1/1, wave 2 2/2)');
    const thread = slackDriver(h).thread('1').map(textOf).join('\n');
    expect(thread).toContain('Canary web-1 is live: baking for 1s');
    expect(thread).toContain('promoted by policy');

    // The second version fails on web-3: the canary and the first wave pass, wave 2 stops at web-3.
    const failHost = h.fleet.hosts.find((host) => host.name === 'web-3')!.host;
    h.igor.config.environments.staging!.restart = `APP_PORT=${APP_PORT} FAIL_HOST=${failHost} bash scripts/restart.sh`;
    // Enough retries for a loaded machine to start the app, few enough for web-3 to fail soon.
    h.igor.config.environments.staging!.health!.retries = 30;
    const v2 = await commitFiles(h.repo, { 'server.js': FAILS_ON_ONE_HOST }, 'Fails on one host');
    const second = await deployed(h, 'main', '2');
    expect(second.sha).toBe(v2);
    expect(second.state).toBe('rolled-back');
    expect(second.reason).toMatch(/rolled back automatically: web-3: health: .* answered 500/);
    expect(second.hosts.map((host) => [host.host, host.state])).toEqual([
      ['web-1', 'rolled-back'],
      ['web-2', 'rolled-back'],
      ['web-3', 'rolled-back'],
      ['web-4', 'untouched'],
    ]);
    for (const host of ['web-1', 'web-2', 'web-3', 'web-4']) expect(await liveRevision(h.hostPaths[host]!)).toBe(h.sha);
    for (const host of h.fleet.hosts) {
      const health = (await (await fetch(`http://${host.host}:${APP_PORT}/health`)).json()) as { revision: string };
      expect(health.revision).toBe(h.sha);
    }
    expect(existsSync(join(h.hostPaths['web-1']!, 'releases', second.release!, 'BAD_RELEASE'))).toBe(true);
    expect(existsSync(join(h.hostPaths['web-4']!, 'releases', second.release!))).toBe(false);

    const summary = await h.slack.waitFor(() => slackDriver(h).thread('2').map(textOf).find((text) => text.includes('Rolled back:')), { what: 'the rollback summary in the thread' });
    expect(summary).toContain('Rolled back: web-1, web-2, web-3.');
    expect(summary).toContain('Never changed: web-4.');
    const alarm = await h.slack.waitFor(() => h.slack.messages('C0ALERTS').find((message) => textOf(message).includes('Deployment 2 of `main` to staging was rolled back')), { what: 'the alarm' });
    expect(textOf(alarm)).toContain('Rolled back: web-1, web-2, web-3.');
    expect(textOf(alarm)).toContain('Never changed: web-4.');
    expect(buttonsOf(alarm).map((b) => b.text)).toEqual(['Acknowledge', 'Silence 1h']);
  });
});

describe('failures early and midway', () => {
  it('rolls the canary back when it fails its health check, and no other host ever switches', async () => {
    const h = await start(3, { strategy: { canary: { servers: 1, bake: '1s', promote: 'auto' }, waves: ['100%'], parallel: 2 } });
    expect((await deployed(h, 'main', '1')).state).toBe('succeeded');
    const canary = h.fleet.hosts.find((host) => host.name === 'web-1')!.host;
    h.igor.config.environments.staging!.restart = `APP_PORT=${APP_PORT} FAIL_HOST=${canary} bash scripts/restart.sh`;
    h.igor.config.environments.staging!.health!.retries = 30;
    await commitFiles(h.repo, { 'server.js': FAILS_ON_ONE_HOST }, 'Fails on the canary');

    const second = await deployed(h, 'main', '2');
    expect(second.state).toBe('rolled-back');
    expect(second.reason).toMatch(/rolled back automatically: web-1: health: .* answered 500/);
    expect(second.hosts.map((host) => [host.host, host.wave, host.state])).toEqual([
      ['web-1', 'canary', 'rolled-back'],
      ['web-2', 'wave 1', 'untouched'],
      ['web-3', 'wave 1', 'untouched'],
    ]);
    for (const host of ['web-1', 'web-2', 'web-3']) expect(await liveRevision(h.hostPaths[host]!)).toBe(h.sha);
    for (const host of ['web-2', 'web-3']) expect(existsSync(join(h.hostPaths[host]!, 'releases', second.release!))).toBe(false);
    const canaryHealth = (await (await fetch(`http://${canary}:${APP_PORT}/health`)).json()) as { revision: string };
    expect(canaryHealth.revision).toBe(h.sha);
  });

  it('stops when a host becomes unreachable mid-rollout, and puts back the hosts it had switched', async () => {
    const h = await start(4, { strategy: { canary: { servers: 1, bake: '3s', promote: 'auto' }, waves: ['50%', '100%'], parallel: 1 } });
    expect((await deployed(h, 'main', '1')).state).toBe('succeeded');
    await commitFiles(h.repo, { 'lib/greeting.js': "exports.greeting = (name) => 'hello, ' + name;\n// v2\n" }, 'v2');

    expect(await (await slackDriver(h).slash('main', 'U0ALICE')).answer()).toContain('Deployment 2');
    // While the canary bakes, web-3 (wave 2) goes away.
    await h.slack.waitFor(() => h.igor.pipeline.get('2')?.state === 'baking', { what: 'the canary to bake', timeoutMs: 60_000 });
    await h.fleet.stopHost('web-3');
    const second = await h.slack.waitFor(() => (h.igor.pipeline.get('2')?.finishedAt ? h.igor.pipeline.get('2') : undefined), { what: 'deployment 2 to end', timeoutMs: 90_000 });

    expect(second!.state).toBe('rolled-back');
    expect(second!.reason).toMatch(/web-3: .*(ECONNREFUSED|refused)/);
    expect(second!.hosts.map((host) => [host.host, host.state])).toEqual([
      ['web-1', 'rolled-back'],
      ['web-2', 'rolled-back'],
      ['web-3', 'failed'],
      ['web-4', 'untouched'],
    ]);
    for (const host of ['web-1', 'web-2', 'web-3', 'web-4']) expect(await liveRevision(h.hostPaths[host]!)).toBe(h.sha);
    const alarm = await h.slack.waitFor(() => h.slack.messages('C0ALERTS').find((message) => textOf(message).includes('Deployment 2 of `main` to staging was rolled back')), { what: 'the alarm' });
    expect(textOf(alarm)).toContain('Rolled back: web-1, web-2.');
  });
});

describe('manual promotion', () => {
  it('asks Promote / Rollback after the bake; Promote goes on, Rollback puts the canary back', async () => {
    const h = await start(2, { strategy: { canary: { servers: 1, bake: '300ms', promote: 'manual' } } });
    const slack = slackDriver(h);
    await slack.slash('main', 'U0ALICE');
    const ask = await h.slack.waitFor(() => slack.thread('1').find((message) => buttonsOf(message).some((b) => b.text === 'Promote')), { what: 'the promotion request', timeoutMs: 45_000 });
    expect(buttonsOf(ask).map((b) => b.text)).toEqual(['Promote', 'Rollback']);
    expect(h.igor.pipeline.get('1')!.state).toBe('baking');
    expect(await liveRevision(h.hostPaths['web-1']!)).toBe(h.sha);
    expect(existsSync(join(h.hostPaths['web-2']!, 'current'))).toBe(false);
    await slack.press(ask, 'Promote', 'U0BOB');
    expect((await slack.state('1', 'succeeded')).promotion).toMatchObject({ decision: 'promote', decidedBy: 'U0BOB' });
    expect(await liveRevision(h.hostPaths['web-2']!)).toBe(h.sha);

    await commitFiles(h.repo, { 'lib/greeting.js': "exports.greeting = (name) => 'hello, ' + name;\n// v2\n" }, 'v2');
    await slack.slash('main', 'U0ALICE');
    const second = await h.slack.waitFor(() => slack.thread('2').find((message) => buttonsOf(message).some((b) => b.text === 'Promote')), { what: 'the second promotion request', timeoutMs: 45_000 });
    await slack.press(second, 'Rollback', 'U0BOB');
    const rolledBack = await slack.state('2', 'rolled-back');
    expect(rolledBack.hosts.map((host) => [host.host, host.state])).toEqual([
      ['web-1', 'rolled-back'],
      ['web-2', 'untouched'],
    ]);
    expect(await liveRevision(h.hostPaths['web-1']!)).toBe(h.sha);
    await h.slack.waitFor(() => !buttonsOf(h.slack.message(second.channel, second.ts)).length || undefined, { what: 'the promotion buttons to go' });
    expect(textOf(h.slack.message(second.channel, second.ts))).toContain('rolled back by <@U0BOB>');

    // Cancel while the canary waits for promotion: the canary goes back too, and it ends cancelled.
    await slack.slash('main', 'U0ALICE');
    await h.slack.waitFor(() => slack.thread('3').find((message) => buttonsOf(message).some((b) => b.text === 'Promote')), { what: 'the third promotion request', timeoutMs: 45_000 });
    await slack.press(slack.root('3')!, 'Cancel', 'U0ALICE');
    const cancelled = await slack.state('3', 'cancelled');
    expect(cancelled.hosts.map((host) => [host.host, host.state])).toEqual([
      ['web-1', 'rolled-back'],
      ['web-2', 'untouched'],
    ]);
    expect(await liveRevision(h.hostPaths['web-1']!)).toBe(h.sha);
  });
});

describe('/rollback', () => {
  it('puts the previous good release back without tests, undoes itself, takes a commit, and refuses when a host lacks the release', async () => {
    const h = await start(2, { keepReleases: 3 });
    const v1 = await deployed(h, 'main', '1');
    const v2sha = await commitFiles(h.repo, { 'lib/greeting.js': "exports.greeting = (name) => 'hello, ' + name;\n// v2\n" }, 'v2');
    const v2 = await deployed(h, 'main', '2');
    expect(await liveRevision(h.hostPaths['web-1']!)).toBe(v2sha);

    const back = await rolledBackTo(h, 'staging', '3');
    expect(back).toMatchObject({ kind: 'rollback', state: 'succeeded', release: v1.release, fromRelease: v2.release });
    expect(back.steps.map((step) => step.name)).toEqual(['rollback', 'verify']);
    for (const host of ['web-1', 'web-2']) expect(await liveRevision(h.hostPaths[host]!)).toBe(h.sha);
    expect(existsSync(join(h.hostPaths['web-1']!, 'releases', v2.release!, 'BAD_RELEASE'))).toBe(true);

    const undo = await rolledBackTo(h, '', '4');
    expect(undo).toMatchObject({ state: 'succeeded', release: v2.release, undo: true });
    expect(await liveRevision(h.hostPaths['web-2']!)).toBe(v2sha);
    expect(existsSync(join(h.hostPaths['web-1']!, 'releases', v2.release!, 'BAD_RELEASE'))).toBe(false);

    const byCommit = await rolledBackTo(h, `staging ${h.sha.slice(0, 7)}`, '5');
    expect(byCommit.release).toBe(v1.release);

    // Drift: someone switched web-2 by hand; status says so.
    await unlink(join(h.hostPaths['web-2']!, 'current'));
    await symlink(join(h.hostPaths['web-2']!, 'releases', v2.release!), join(h.hostPaths['web-2']!, 'current'));
    const drift = await (await slackDriver(h).slash('status staging', 'U0EVE')).answer();
    expect(drift).toContain(':warning: hosts disagree');
    expect(drift).toContain(`web-1 on ${v1.release}`);
    expect(drift).toContain(`web-2 on ${v2.release}`);

    await rm(join(h.hostPaths['web-2']!, 'releases', v2.release!), { recursive: true });
    const refused = await rolledBackTo(h, `staging ${v2.release}`, '6');
    expect(refused.state).toBe('failed');
    expect(refused.reason).toContain(`web-2 no longer has release ${v2.release}`);
    expect(await liveRevision(h.hostPaths['web-1']!)).toBe(h.sha);
  });
});
