import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJump } from '../../../src/fleet/transport/jump.js';
import { createSshTransport, SshSettingError } from '../../../src/fleet/transport/ssh.js';
import { startSshFleet, type SshFleet } from '../../support/sshd-fleet.js';

// web-1 is the bastion, web-2 the server behind it; both are real sshd servers on loopback.
let fleet: SshFleet;
const keys = new Map<string, string>();
const hostKeys = { get: (id: string) => keys.get(id), remember: (id: string, fingerprint: string) => void keys.set(id, fingerprint) };

beforeAll(async () => {
  fleet = await startSshFleet({ hosts: 2, logLevel: 'DEBUG1' });
});

afterAll(async () => {
  await fleet?.stop();
});

describe('ssh.jump', () => {
  it('parses user@host:port as ProxyJump does, with the SSH user and port 22 by default', () => {
    expect(parseJump('ops@bastion.example.com:2200', 'igor')).toEqual({ user: 'ops', host: 'bastion.example.com', port: 2200 });
    expect(parseJump('bastion.example.com', 'igor')).toEqual({ user: 'igor', host: 'bastion.example.com', port: 22 });
    expect(parseJump('ops@[fd00::1]:22', 'igor')).toEqual({ user: 'ops', host: 'fd00::1', port: 22 });
    expect(() => parseJump('ops@:22', 'igor')).toThrow(/ssh.jump/);
  });

  it('reaches the server through a channel the bastion forwards, and checks both host keys', async () => {
    const [bastion, target] = [fleet.hosts[0]!, fleet.hosts[1]!];
    const transport = await createSshTransport({
      host: target.host,
      port: target.port,
      user: target.user,
      privateKeyPath: fleet.privateKeyPath,
      jump: { host: bastion.host, port: bastion.port, user: bastion.user },
      hostKeys,
    });
    try {
      const result = await transport.exec(['bash', '-c', 'echo "$SSH_CONNECTION"']);
      expect(result.code).toBe(0);
      // The server's sshd sees its own address as the connection's destination.
      expect(result.stdout.split(' ')[2]).toBe(target.host);
    } finally {
      await transport.close();
    }
    // The bastion's sshd logged the direct-tcpip channel to the server: the connection went through it.
    expect(fleet.logOf(bastion.name)).toContain(`target ${target.host} port ${target.port}`);
    expect(fleet.logOf(target.name)).not.toContain('target ');
    expect(keys.get(`${bastion.host}:${bastion.port}`)).toMatch(/^SHA256:/);
    expect(keys.get(`${target.host}:${target.port}`)).toMatch(/^SHA256:/);
  });

  it('names ssh.jump when the bastion cannot be reached', async () => {
    const target = fleet.hosts[1]!;
    const attempt = createSshTransport({
      host: target.host,
      port: target.port,
      user: target.user,
      privateKeyPath: fleet.privateKeyPath,
      jump: { host: '127.0.0.1', port: 1, user: target.user },
      hostKeys,
      readyTimeoutMs: 3_000,
    });
    await expect(attempt).rejects.toBeInstanceOf(SshSettingError);
    await expect(attempt).rejects.toThrow(/cannot connect to the bastion .*127\.0\.0\.1:1 \(ssh\.jump\)/);
  });

  it('names ssh.jump when the bastion cannot reach the server', async () => {
    const bastion = fleet.hosts[0]!;
    const attempt = createSshTransport({
      host: '127.0.0.1',
      port: 1,
      user: bastion.user,
      privateKeyPath: fleet.privateKeyPath,
      jump: { host: bastion.host, port: bastion.port, user: bastion.user },
      hostKeys,
      readyTimeoutMs: 3_000,
    });
    await expect(attempt).rejects.toThrow(/\(ssh\.jump\) could not reach the server/);
  });

  it("refuses a bastion whose host key changed, as any host's", async () => {
    const [bastion, target] = [fleet.hosts[0]!, fleet.hosts[1]!];
    const id = `${bastion.host}:${bastion.port}`;
    const before = keys.get(id);
    keys.set(id, 'SHA256:somethingelse');
    try {
      const attempt = createSshTransport({ host: target.host, port: target.port, user: target.user, privateKeyPath: fleet.privateKeyPath, jump: { host: bastion.host, port: bastion.port, user: bastion.user }, hostKeys });
      await expect(attempt).rejects.toThrow(/ssh\.jump.*host key of .* changed/s);
    } finally {
      if (before) keys.set(id, before);
    }
  });
});
