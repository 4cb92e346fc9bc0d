import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { buttonsOf, textOf, type FakeMessage } from '../support/fake-slack.js';
import { API_TOKEN, startHarness, type Harness, type HarnessOptions } from '../support/igor-harness.js';
import { slackDriver } from './slack-driver.js';

let harness: Harness | undefined;
afterEach(async () => {
  await OpenFeature.clearProviders();
  await harness?.close();
  harness = undefined;
});

const DEPLOYERS: HarnessOptions = { staging: { deployers: ['U0ALICE', 'U0BOB'] } };

async function start(options: HarnessOptions = DEPLOYERS) {
  const h = (harness = await startHarness(options));
  const slack = slackDriver(h);
  const flags = async (text: string, user = 'U0ALICE') => (await slack.slash(text, user, '/flags')).answer();
  /** The announcement in #staging whose text has `needle`, as it stands now. */
  const announcement = (needle: string, what = `an announcement with ${needle}`) =>
    h.slack.waitFor(() => h.slack.messages('C0STAGING').find((message) => textOf(message).includes(needle)), { what, timeoutMs: 30_000 });
  return { h, slack, flags, announcement };
}

const flagdJson = async (h: Harness) => (await fetch(`${h.igor.url}/flags/staging/flagd.json`)).text();

describe('flags from Slack', () => {
  it('sets, lists and announces flags; apps read them with the OpenFeature SDK; Undo reverts for deployers only', async () => {
    const { h, slack, flags, announcement } = await start();
    expect(await flags('set new-checkout 25%')).toContain(':white_check_mark: `new-checkout` in staging: not set → 25% (change 1), announced in <#C0STAGING>.');
    const set = await announcement('set `new-checkout`');
    expect(textOf(set)).toContain('<@U0ALICE> set `new-checkout` in *staging*: _not set_ → 25%');
    expect(buttonsOf(set)).toEqual([expect.objectContaining({ text: 'Undo', action_id: 'igor.flag-undo', value: '1' })]);

    expect(await flags('', 'U0EVE')).toMatch(/\*Flags in staging\* \(1\)\n• `new-checkout`: \*25%\* · <@U0ALICE> · /);
    expect(await flags('set new-checkout on', 'U0EVE')).toContain(':no_entry: only the deployers of staging may change flags in it (environments.staging.deployers): <@U0ALICE>, <@U0BOB>');
    expect(await (await slack.slash('status staging', 'U0EVE')).answer()).toContain('flags changed since: `new-checkout` not set → 25% (<@U0ALICE>)');
    expect(await flags('set new-checkout sometimes')).toMatch(/^:warning: expected `\/flags set &lt;key&gt; on\|off\|&lt;0-100&gt;% \[env\]`: the value of `new-checkout` is on, off, or a share/);

    await OpenFeature.setProviderAndWait('igor-e2e', new OFREPProvider({ baseUrl: `${h.igor.url}/flags/staging` }));
    const client = OpenFeature.getClient('igor-e2e');
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => client.getBooleanValue('new-checkout', false, { targetingKey: `user-${i}` })));
    expect(answers.filter(Boolean).length).toBeGreaterThan(20);
    expect(answers.filter(Boolean).length).toBeLessThan(80);
    expect(await client.getBooleanDetails('missing', true, { targetingKey: 'user-1' })).toMatchObject({ value: true, errorCode: 'FLAG_NOT_FOUND' });

    // What a client that has not refreshed still shows after the undo, button included.
    const stale = structuredClone(set);
    await slack.press(set, 'Undo', 'U0EVE');
    expect(textOf(await slack.ephemeralFor('U0EVE'))).toContain('only the deployers of staging may change flags in it');
    await slack.press(set, 'Undo', 'U0BOB');
    const undo = await announcement('undid change 1');
    expect(textOf(undo)).toContain('<@U0BOB> undid change 1: `new-checkout` in *staging*: 25% → _not set_');
    await h.slack.waitFor(() => !buttonsOf(h.slack.message(set.channel, set.ts)).length || undefined, { what: 'the Undo button of change 1 to go' });
    expect(textOf(h.slack.message(set.channel, set.ts))).toContain('undone by <@U0BOB> (change 2)');
    expect(JSON.parse(await flagdJson(h))).toMatchObject({ flags: {} });
    expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 'user-1' })).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });

    // A second press on the stale message: undone already, told privately.
    await slack.press(stale, 'Undo', 'U0ALICE');
    expect(textOf(await slack.ephemeralFor('U0ALICE'))).toContain('change 1 was undone already by <@U0BOB>');
  });

  it('changes flags through the control API with the same rules, announced the same way', async () => {
    const { h, announcement } = await start();
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${h.igor.url}/api/flags${path}`, { method, headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));
    expect(await api('PUT', '/staging/banner', { value: 'on', user: 'U0EVE' })).toMatchObject({ status: 403 });
    expect(await api('PUT', '/staging/banner', { value: 'on', user: 'U0BOB' })).toMatchObject({ status: 200, body: { flag: { value: 'on', updatedBy: 'U0BOB' } } });
    await announcement('set `banner`');
    expect(await api('GET', '')).toMatchObject({ status: 200, body: { flags: [{ environment: 'staging', key: 'banner', value: 'on', updatedBy: 'U0BOB' }] } });
    expect(await api('DELETE', '/staging/banner', { user: 'U0ALICE' })).toMatchObject({ status: 200 });
    await announcement('deleted `banner`');
    expect(await api('GET', '/staging/banner/history')).toMatchObject({ status: 200, body: { history: [{ action: 'delete', user: 'U0ALICE' }, { action: 'set', user: 'U0BOB' }] } });
    expect((await fetch(`${h.igor.url}/api/flags`)).status).toBe(401);
  });
});

describe('flags pushed to sshd hosts', () => {
  it('writes flags.json to every host after each change, and names a host it could not reach', async () => {
    const { h, flags, announcement } = await start({ staging: { deployers: ['U0ALICE', 'U0BOB'], flags: { push: true } } });
    expect(await flags('set new-checkout on')).toContain('(change 1)');
    const first: FakeMessage = await announcement('change 1 · flags.json pushed to 2/2 hosts');
    expect(buttonsOf(first).map((button) => button.text)).toEqual(['Undo']);
    const served = await flagdJson(h);
    for (const path of Object.values(h.hostPaths)) {
      expect(await readFile(join(path, 'shared', 'flags.json'), 'utf8')).toBe(served);
      expect(await readdir(join(path, 'shared'))).toEqual(['flags.json']);
    }

    // A third host that refuses connections.
    h.igor.config.environments.staging!.servers.static!.push({ name: 'web-9', host: '127.0.0.1', port: 1, path: join(h.dir, 'hosts', 'web-9') });
    expect(await flags('set new-checkout 50%')).toContain('(change 2)');
    const second = await announcement('change 2 ·');
    expect(textOf(second)).toMatch(/:warning: flags\.json pushed to 2\/3 hosts; failed: web-9 \(\[flags\] web-9: .*ECONNREFUSED/);
    const now = await flagdJson(h);
    expect(JSON.parse(now)).toMatchObject({ flags: { 'new-checkout': { targeting: { fractional: [['on', 50], ['off', 50]] } } } });
    for (const path of Object.values(h.hostPaths)) expect(await readFile(join(path, 'shared', 'flags.json'), 'utf8')).toBe(now);
    const change = await (await fetch(`${h.igor.url}/api/flags/staging/new-checkout/history`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json() as { history: Array<{ push: unknown }> };
    expect(change.history[0]!.push).toMatchObject({ error: null, hosts: [{ host: 'web-1', ok: true }, { host: 'web-2', ok: true }, { host: 'web-9', ok: false }] });
  });
});
