import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Connect } from '../../src/fleet/types.js';
import { createLocalTransport } from '../../src/fleet/transport/local.js';
import { startFlagsApp, type FlagsApp } from '../support/flags-app.js';

let app: FlagsApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const blockText = (message: { text: string; blocks?: unknown[] }) => JSON.stringify(message.blocks ?? []);
const undoButtons = (message: { blocks?: unknown[] }) =>
  (message.blocks ?? []).flatMap((block) => ((block as { type: string }).type === 'actions' ? ((block as { elements: Array<{ action_id: string; value: string; text: { text: string } }> }).elements) : []));

const PUSHING = {
  staging: {
    channel: 'C0STAGING',
    deployers: ['U0ALICE', 'U0BOB'],
    flags: { push: true },
    servers: { local: [{ name: 'web-1', path: 'servers/web-1' }, { name: 'web-2', path: 'servers/web-2' }, { name: 'web-3', path: 'servers/web-3' }] },
  },
  production: { servers: { local: [{ name: 'web-1', path: 'servers/production-1' }] } },
};

describe('after a flag change', () => {
  it("announces it in the environment's channel with the old and new value and an Undo button", async () => {
    app = await startFlagsApp();
    await app.flags.service.set({ key: 'new-checkout', value: '25%', user: 'U0ALICE' });
    await app.flags.service.set({ environment: 'production', key: 'banner', value: 'on', user: 'U0EVE' });
    await app.flags.service.remove({ key: 'new-checkout', user: 'U0BOB' });
    await app.flags.flush();
    const [first, second, third] = app.chat.messages;
    expect(first).toMatchObject({ channel: 'C0STAGING', text: '<@U0ALICE> set `new-checkout` in staging: _not set_ → 25%' });
    expect(blockText(first!)).toContain('change 1');
    expect(undoButtons(first!)).toEqual([{ type: 'button', text: { type: 'plain_text', text: 'Undo' }, action_id: 'igor.flag-undo', value: '1' }]);
    expect(second).toMatchObject({ channel: 'C0DEPLOYS', text: '<@U0EVE> set `banner` in production: _not set_ → on' });
    expect(third).toMatchObject({ channel: 'C0STAGING', text: '<@U0BOB> deleted `new-checkout` in staging: 25% → _not set_' });
    expect(app.store.data.flags.history.map((change) => change.message?.ts)).toEqual(app.chat.messages.map((message) => message.ts));
  });

  it('turns the undone announcement into a record of who undid it, with no button left', async () => {
    app = await startFlagsApp();
    await app.flags.service.set({ key: 'new-checkout', value: 'on', user: 'U0ALICE' });
    await app.flags.flush();
    expect(await app.flags.undo('1', 'U0EVE')).toEqual({ ok: false, text: expect.stringContaining('only the deployers of staging may change flags in it') });
    expect(await app.flags.undo('1', 'U0BOB')).toEqual({ ok: true, text: 'Undid change 1: `new-checkout` in staging: on → not set (change 2).' });
    await app.flags.flush();
    const [original, undo] = app.chat.messages;
    expect(undoButtons(original!)).toEqual([]);
    expect(blockText(original!)).toContain('undone by <@U0BOB> (change 2)');
    expect(undo).toMatchObject({ text: '<@U0BOB> undid change 1: `new-checkout` in staging: on → _not set_' });
    expect(undoButtons(undo!).map((button) => button.value)).toEqual(['2']);
    expect(app.flags.service.flagsOf('staging')).toEqual({});
  });

  it('pushes flags.json to every host through a temporary name, and names the host that failed', async () => {
    const calls: string[] = [];
    const failing: Connect = async (server) => {
      if (server.name === 'web-2') throw new Error('connection refused');
      const local = createLocalTransport();
      return {
        ...local,
        putFile: (from, to) => (calls.push(`${server.name} put ${to.slice(app!.dir.length)}`), local.putFile(from, to)),
        exec: (argv, options) => (calls.push(`${server.name} ${argv.join(' ').replaceAll(app!.dir, '')}`), local.exec(argv, options)),
      };
    };
    app = await startFlagsApp({ environments: PUSHING, connectors: { staging: failing } });
    await app.flags.service.set({ key: 'new-checkout', value: '25%', user: 'U0ALICE' });
    await app.flags.flush();
    const served = await (await fetch(`${app.url}/flags/staging/flagd.json`)).text();
    for (const host of ['web-1', 'web-3']) {
      const shared = join(app.dir, 'servers', host, 'shared');
      expect(await readFile(join(shared, 'flags.json'), 'utf8')).toBe(served);
      expect(await readdir(shared)).toEqual(['flags.json']);
    }
    expect(existsSync(join(app.dir, 'servers', 'web-2', 'shared', 'flags.json'))).toBe(false);
    // Uploaded beside the target under a dot name, then renamed over it: readers never see half a file.
    expect(calls.filter((call) => call.startsWith('web-1'))).toEqual([
      expect.stringMatching(/^web-1 put \/servers\/web-1\/shared\/\.flags\.json\.igor-[0-9a-f-]{36}$/),
      expect.stringMatching(/^web-1 mv -f -T -- \/servers\/web-1\/shared\/\.flags\.json\.igor-[0-9a-f-]{36} \/servers\/web-1\/shared\/flags\.json$/),
    ]);
    const change = app.store.data.flags.history[0]!;
    expect(change.push).toEqual({
      error: null,
      hosts: [
        { host: 'web-1', ok: true, error: null },
        { host: 'web-2', ok: false, error: '[flags] web-2: connection refused' },
        { host: 'web-3', ok: true, error: null },
      ],
    });
    const [announcement] = app.chat.messages;
    expect(announcement!.text).toContain('flags.json pushed to 2/3 hosts; failed: web-2 ([flags] web-2: connection refused)');
    expect(blockText(announcement!)).toContain(':warning: flags.json pushed to 2/3 hosts; failed: web-2');
  });

  it('pushes the newest flags on each change and says so when every host got them', async () => {
    app = await startFlagsApp({ environments: PUSHING });
    await app.flags.service.set({ key: 'a', value: 'on', user: 'U0ALICE' });
    await app.flags.service.set({ key: 'b', value: 'off', user: 'U0ALICE' });
    await app.flags.flush();
    const pushed = JSON.parse(await readFile(join(app.dir, 'servers', 'web-1', 'shared', 'flags.json'), 'utf8')) as { flags: Record<string, unknown> };
    expect(Object.keys(pushed.flags)).toEqual(['a', 'b']);
    expect(app.chat.messages.map((message) => blockText(message).includes('flags.json pushed to 3/3 hosts'))).toEqual([true, true]);
    // Production does not push: no report, no file.
    await app.flags.service.set({ environment: 'production', key: 'a', value: 'on', user: 'U0ALICE' });
    await app.flags.flush();
    expect(app.store.data.flags.history[2]!.push).toBeNull();
    expect(existsSync(join(app.dir, 'servers', 'production-1', 'shared', 'flags.json'))).toBe(false);
  });

  it('reports a discovery that fails in the announcement rather than losing the change', async () => {
    app = await startFlagsApp({ environments: PUSHING, discoveries: { staging: { name: 'broken', servers: () => Promise.reject(new Error('EC2 said no')) } } });
    await app.flags.service.set({ key: 'a', value: 'on', user: 'U0ALICE' });
    await app.flags.flush();
    expect(app.flags.service.flagsOf('staging').a?.value).toBe('on');
    expect(app.chat.messages[0]!.text).toContain('flags.json was not pushed: could not list the hosts: EC2 said no');
  });
});
