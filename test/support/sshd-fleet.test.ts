import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killPidFiles, startSshFleet, type SshFleet, type SshFleetHost } from './sshd-fleet.js';

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startSshFleet', () => {
  let fleet: SshFleet | undefined;
  let localDir: string | undefined;
  const clients: NodeSSH[] = [];

  async function connect(host: SshFleetHost): Promise<NodeSSH> {
    const ssh = new NodeSSH();
    clients.push(ssh);
    await ssh.connect({ host: host.host, port: host.port, username: host.user, privateKeyPath: fleet!.privateKeyPath });
    return ssh;
  }

  beforeAll(async () => {
    fleet = await startSshFleet({ hosts: 2 });
    localDir = await mkdtemp(path.join(os.tmpdir(), 'igor-fleet-test-'));
  });

  afterAll(async () => {
    for (const ssh of clients) ssh.dispose();
    await fleet?.stop();
    if (localDir) await rm(localDir, { recursive: true, force: true });
  });

  it('names two hosts on this worker\'s loopback addresses', () => {
    const pool = Number(process.env.VITEST_POOL_ID ?? '1');
    const net = Number(process.env.IGOR_TEST_NET ?? 0);
    expect(fleet!.hosts).toEqual([
      { name: 'web-1', host: `127.${net}.${pool + 10}.2`, port: 2222, user: os.userInfo().username },
      { name: 'web-2', host: `127.${net}.${pool + 10}.3`, port: 2222, user: os.userInfo().username },
    ]);
  });

  it('runs commands on every host', async () => {
    for (const host of fleet!.hosts) {
      const ssh = await connect(host);
      const result = await ssh.execCommand('echo hello');
      expect(result).toMatchObject({ stdout: 'hello', code: 0 });
    }
  });

  it('uploads a file over sftp and reads it back', async () => {
    for (const host of fleet!.hosts) {
      const ssh = await connect(host);
      const local = path.join(localDir!, `${host.name}.txt`);
      await writeFile(local, `payload for ${host.name}\n`);
      const remote = path.join(fleet!.dir, 'hosts', host.name, 'upload', 'file.txt'); // parents do not exist yet
      await ssh.putFile(local, remote);
      const result = await ssh.execCommand(`cat '${remote}'`);
      expect(result).toMatchObject({ stdout: `payload for ${host.name}`, code: 0 });
    }
  });

  it('killPidFiles stops a detached process started over SSH', async () => {
    const host = fleet!.hosts[0]!;
    const ssh = await connect(host);
    const shared = path.join(fleet!.dir, 'hosts', host.name, 'shared');
    const pidFile = path.join(shared, 'app.pid');
    const started = await ssh.execCommand(
      // The braces matter: `a && b &` would background a subshell that keeps the channel open.
      `mkdir -p '${shared}' && { setsid nohup sleep 300 < /dev/null > '${shared}/app.log' 2>&1 & echo $! > '${pidFile}'; }`,
    );
    expect(started.code).toBe(0);
    const check = `kill -0 "$(cat '${pidFile}')" && echo alive || echo gone`;
    expect((await ssh.execCommand(check)).stdout).toBe('alive');

    await killPidFiles([pidFile, path.join(shared, 'missing.pid')]);

    // A killed process can linger as a zombie if nothing reaps it; /proc state Z counts as gone.
    const state = await ssh.execCommand(`awk '{print $3}' "/proc/$(cat '${pidFile}')/stat" 2>/dev/null || true`);
    expect(['', 'Z']).toContain(state.stdout.trim());
  });

  it('stop() closes every port and can be called twice', async () => {
    for (const ssh of clients.splice(0)) ssh.dispose();
    await fleet!.stop();
    await fleet!.stop();
    for (const host of fleet!.hosts) {
      expect(await accepts(host.host, host.port)).toBe(false);
    }
  });
});

describe('startSshFleet with logLevel VERBOSE', () => {
  let fleet: SshFleet | undefined;
  const clients: NodeSSH[] = [];

  beforeAll(async () => {
    fleet = await startSshFleet({ hosts: 1, logLevel: 'VERBOSE' });
  });

  afterAll(async () => {
    for (const ssh of clients) ssh.dispose();
    await fleet?.stop();
  });

  it('counts the connections, commands and SFTP sessions a host served', async () => {
    const host = fleet!.hosts[0]!;
    const ssh = new NodeSSH();
    clients.push(ssh);
    await ssh.connect({ host: host.host, port: host.port, username: host.user, privateKeyPath: fleet!.privateKeyPath });
    for (const word of ['one', 'two', 'three']) expect((await ssh.execCommand(`echo ${word}`)).stdout).toBe(word);
    (await ssh.requestSFTP()).end();
    ssh.dispose();

    // sshd writes its log as it goes: wait until the last session is in it.
    for (let attempt = 0; attempt < 100 && fleet!.sessionsOf(host.name).sftp < 1; attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fleet!.sessionsOf(host.name)).toEqual({ connections: 1, commands: 3, sftp: 1 });
  });
});
