import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request, startFlagsApp, type FlagsApp } from '../support/flags-app.js';

let app: FlagsApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start() {
  app = await startFlagsApp();
  const api = (path: string, init: Parameters<typeof request>[1] = {}) => request(`${app!.url}/api/flags${path}`, init);
  return { a: app, api };
}

describe('the flags control API', () => {
  it('sets, lists and deletes flags, saying who changed each and when', async () => {
    const { a, api } = await start();
    const created = await api('/staging/new-checkout', { method: 'PUT', body: { value: '25%', user: 'U0ALICE' } });
    expect(created).toMatchObject({
      status: 200,
      body: { flag: { environment: 'staging', key: 'new-checkout', value: '25%', updatedBy: 'U0ALICE' }, change: { id: '1', action: 'set', from: null, to: '25%', user: 'U0ALICE' } },
    });
    expect(created.body!.change).not.toHaveProperty('message');
    await api('/production/banner', { method: 'PUT', body: { value: 'ON', user: 'U0EVE' } });
    const all = await api('');
    expect(all.body).toEqual({
      flags: [
        { environment: 'staging', key: 'new-checkout', value: '25%', updatedBy: 'U0ALICE', updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) },
        { environment: 'production', key: 'banner', value: 'on', updatedBy: 'U0EVE', updatedAt: expect.any(String) },
      ],
    });
    expect((await api('?environment=production')).body).toEqual({ flags: [expect.objectContaining({ key: 'banner' })] });
    expect(await api('/staging/new-checkout')).toMatchObject({ status: 200, body: { value: '25%' } });

    expect(await api('/staging/new-checkout', { method: 'PUT', body: { value: '25%', user: 'U0BOB' } })).toMatchObject({ status: 200, body: { change: null, flag: { updatedBy: 'U0ALICE' } } });
    expect(await api('/staging/new-checkout', { method: 'DELETE', body: { user: 'U0BOB' } })).toMatchObject({ status: 200, body: { change: { action: 'delete', from: '25%', to: null, user: 'U0BOB' } } });
    expect(await api('/production/banner?user=U0CAROL', { method: 'DELETE' })).toMatchObject({ status: 200, body: { change: { user: 'U0CAROL' } } });
    expect((await api('')).body).toEqual({ flags: [] });
    // The store on disk has it all.
    expect(a.store.data.flags.history.map((change) => change.action)).toEqual(['set', 'set', 'delete', 'delete']);
  });

  it('lets only the deployers of an environment change its flags, and anyone list them', async () => {
    const { api } = await start();
    const refused = await api('/staging/new-checkout', { method: 'PUT', body: { value: 'on', user: 'U0EVE' } });
    expect(refused).toMatchObject({ status: 403, body: { error: 'only the deployers of staging may change flags in it (environments.staging.deployers): U0ALICE, U0BOB' } });
    await api('/staging/new-checkout', { method: 'PUT', body: { value: 'on', user: 'U0BOB' } });
    expect((await api('/staging/new-checkout', { method: 'DELETE', body: { user: 'U0EVE' } })).status).toBe(403);
    expect((await api('/staging/new-checkout/history')).status).toBe(200);
    expect((await api('?environment=staging')).body).toEqual({ flags: [expect.objectContaining({ key: 'new-checkout', value: 'on' })] });
  });

  it('answers 400 for a bad value, key or missing user, and 404 for an unknown environment or flag', async () => {
    const { api } = await start();
    expect(await api('/staging/new-checkout', { method: 'PUT', body: { value: 'maybe', user: 'U0ALICE' } })).toMatchObject({ status: 400, body: { error: expect.stringContaining('on, off, or a share of users such as 25%') } });
    expect(await api('/staging/new-checkout', { method: 'PUT', body: { value: 25, user: 'U0ALICE' } })).toMatchObject({ status: 400, body: { error: expect.stringContaining('value is required') } });
    expect(await api('/staging/new%20checkout', { method: 'PUT', body: { value: 'on', user: 'U0ALICE' } })).toMatchObject({ status: 400, body: { error: expect.stringContaining('`new checkout` has " "') } });
    expect(await api('/staging/new-checkout', { method: 'PUT', body: { value: 'on' } })).toMatchObject({ status: 400, body: { error: expect.stringContaining('user is required') } });
    expect(await api('/staging/new-checkout', { method: 'PUT', raw: '{"value":' })).toMatchObject({ status: 400, body: { error: 'the body is not valid JSON' } });
    expect(await api('/qa/new-checkout', { method: 'PUT', body: { value: 'on', user: 'U0ALICE' } })).toMatchObject({ status: 404, body: { error: expect.stringContaining('there is no environment "qa"') } });
    expect(await api('?environment=qa')).toMatchObject({ status: 404 });
    expect(await api('/staging/missing', { method: 'DELETE', body: { user: 'U0ALICE' } })).toMatchObject({ status: 404, body: { error: 'there is no flag missing in staging' } });
    expect(await api('/staging/missing')).toMatchObject({ status: 404 });
    expect(await api('/staging/missing/history')).toMatchObject({ status: 404, body: { error: 'the flag missing in staging has no history' } });
  });

  it('keeps an audit log per flag, newest first, with undo through the API obeying the same rules', async () => {
    const { api } = await start();
    await api('/staging/new-checkout', { method: 'PUT', body: { value: 'off', user: 'U0ALICE' } });
    await api('/staging/other', { method: 'PUT', body: { value: 'on', user: 'U0ALICE' } });
    await api('/staging/new-checkout', { method: 'PUT', body: { value: '10%', user: 'U0BOB' } });
    expect(await api('/changes/3/undo', { method: 'POST', body: { user: 'U0EVE' } })).toMatchObject({ status: 403 });
    expect(await api('/changes/1/undo', { method: 'POST', body: { user: 'U0ALICE' } })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/`new-checkout` in staging changed after change 1 \(it is 10% since U0BOB set it \(.*\)\)/) } });
    expect(await api('/changes/3/undo', { method: 'POST', body: { user: 'U0ALICE' } })).toMatchObject({ status: 200, body: { change: { id: '4', action: 'undo', undoOf: '3', from: '10%', to: 'off' }, flag: { value: 'off', updatedBy: 'U0ALICE' } } });
    expect(await api('/changes/3/undo', { method: 'POST', body: { user: 'U0BOB' } })).toMatchObject({ status: 409, body: { error: expect.stringContaining('change 3 was undone already by U0ALICE') } });
    expect(await api('/changes/99/undo', { method: 'POST', body: { user: 'U0BOB' } })).toMatchObject({ status: 404, body: { error: 'there is no flag change 99' } });
    const history = await api('/staging/new-checkout/history');
    expect(history.status).toBe(200);
    expect((history.body!.history as Array<Record<string, unknown>>).map(({ id, action, from, to, user, undoOf, undoneBy }) => ({ id, action, from, to, user, undoOf, undoneBy }))).toEqual([
      { id: '4', action: 'undo', from: '10%', to: 'off', user: 'U0ALICE', undoOf: '3', undoneBy: null },
      { id: '3', action: 'set', from: 'off', to: '10%', user: 'U0BOB', undoOf: null, undoneBy: { change: '4', user: 'U0ALICE', at: expect.any(String) } },
      { id: '1', action: 'set', from: null, to: 'off', user: 'U0ALICE', undoOf: null, undoneBy: null },
    ]);
  });
});

describe('who may read the flags without IGOR_FLAGS_TOKEN', () => {
  /** GET over the Unix socket: a caller igor cannot place on this machine's loopback. */
  function overSocket(socketPath: string, path: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ socketPath, path, method: 'GET', headers: { host: 'localhost' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers only this machine when igor listens off loopback with neither a token nor IGOR_FLAGS_PUBLIC', async () => {
    const socketDir = await mkdtemp(join(tmpdir(), 'igor-flags-socket-'));
    const local = await startFlagsApp({ flagsAccess: 'loopback', socketPath: join(socketDir, 'igor.sock') });
    try {
      expect((await request(`${local.url}/flags/staging/flagd.json`)).status).toBe(200);
      expect(await overSocket(join(socketDir, 'igor.sock'), '/flags/staging/flagd.json')).toBe(401);
    } finally {
      await local.close();
      await rm(socketDir, { recursive: true, force: true });
    }
  });

  it('answers anyone with IGOR_FLAGS_PUBLIC (or when igor listens on loopback)', async () => {
    const socketDir = await mkdtemp(join(tmpdir(), 'igor-flags-socket-'));
    const open = await startFlagsApp({ flagsAccess: 'open', socketPath: join(socketDir, 'igor.sock') });
    try {
      expect(await overSocket(join(socketDir, 'igor.sock'), '/flags/staging/flagd.json')).toBe(200);
    } finally {
      await open.close();
      await rm(socketDir, { recursive: true, force: true });
    }
  });
});
