import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askCurrentReleases, DiscoveryUnansweredError } from '../../src/fleet/current-releases.js';
import { createSshTransport } from '../../src/fleet/transport/ssh.js';
import type { Connect, Discovery, Server } from '../../src/fleet/types.js';
import { startSshFleet, type SshFleet } from '../support/sshd-fleet.js';

const RELEASE = '20261201T100000Z-abcdef0';
let fleet: SshFleet;
let dir: string;
/** Accepts connections and never says a word, as an sshd stopped with SIGSTOP does. */
let silent: net.Server;
const sockets = new Set<net.Socket>();
const keys = new Map<string, string>();

beforeAll(async () => {
  fleet = await startSshFleet({ hosts: 1 });
  dir = await mkdtemp(join(tmpdir(), 'igor-current-'));
  await mkdir(join(dir, 'releases', RELEASE), { recursive: true });
  await symlink(join(dir, 'releases', RELEASE), join(dir, 'current'));
  silent = net.createServer((socket) => {
    sockets.add(socket);
    // It reads (and drops) what it is sent, so it notices when igor hangs up.
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  // Beside the fleet's own addresses: 127.<net>.<pool + 10>.200.
  const address = fleet.hosts[0]!.host.replace(/\.\d+$/, '.200');
  await new Promise<void>((resolve, reject) => silent.once('error', reject).listen(0, address, resolve));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function servers(): Server[] {
  const host = fleet.hosts[0]!;
  const address = silent.address() as net.AddressInfo;
  return [
    { name: 'web-1', address: host.host, via: 'ssh', port: host.port, user: host.user, path: dir },
    { name: 'web-2', address: address.address, via: 'ssh', port: address.port, user: host.user, path: dir },
    { name: 'web-3', address: host.host, via: 'ssh', port: host.port, user: host.user, path: join(dir, 'nothing-here') },
  ];
}

const connect: Connect = (server, options) =>
  createSshTransport({ host: server.address, port: server.port!, user: server.user!, privateKeyPath: fleet.privateKeyPath, hostKeys: { get: (id) => keys.get(id), remember: (id, key) => void keys.set(id, key) }, ...(options?.timeoutMs ? { readyTimeoutMs: options.timeoutMs } : {}) });

describe('asking the servers what they run (askCurrentReleases)', () => {
  it('answers for every server, a silent one as not answering within the time limit, and closes what it opened', async () => {
    const answers = await askCurrentReleases({ name: 'static', servers: async () => servers() }, connect, { timeoutMs: 1_500 });
    expect(answers).toEqual([
      { host: 'web-1', release: RELEASE, error: null },
      { host: 'web-2', release: null, error: expect.stringMatching(/no answer within 2s|Timed out while waiting for handshake/) },
      { host: 'web-3', release: null, error: null },
    ]);
    // The handshake that never finished is given up, not left hanging on the silent server.
    await expect.poll(() => sockets.size, { timeout: 10_000 }).toBe(0);
  });

  it('says so when discovery does not answer in time', async () => {
    const stuck: Discovery = { name: 'ec2', servers: () => new Promise(() => {}) };
    await expect(askCurrentReleases(stuck, connect, { timeoutMs: 200 })).rejects.toThrow(new DiscoveryUnansweredError('discovery (ec2) did not answer within 200ms'));
  });
});
