import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError } from '../../../src/fleet/errors.js';
import { createSshTransport } from '../../../src/fleet/transport/ssh.js';
import { startSshFleet, type SshFleet } from '../../support/sshd-fleet.js';
import { describeTransport } from './describe-transport.js';
import { createTransportPool } from '../../../src/fleet/transport/pool.js';

let fleet: SshFleet | undefined;
const keys = new Map<string, string>();
const hostKeys = { get: (id: string) => keys.get(id), remember: (id: string, fingerprint: string) => void keys.set(id, fingerprint) };

afterAll(async () => {
  await fleet?.stop();
});

describeTransport('ssh', async () => {
  fleet = await startSshFleet({ hosts: 1 });
  const host = fleet.hosts[0]!;
  return { transport: await createSshTransport({ host: host.host, port: host.port, user: host.user, privateKeyPath: fleet.privateKeyPath, hostKeys }) };
});

// One SSH connection shared through the pool, as rollouts use it: the same contract holds.
describeTransport('pooled ssh', async () => {
  const host = fleet!.hosts[0]!;
  const pool = createTransportPool(() => createSshTransport({ host: host.host, port: host.port, user: host.user, privateKeyPath: fleet!.privateKeyPath, hostKeys }));
  return { transport: await pool.connect({ name: host.name, address: host.host, via: 'ssh', path: '/tmp' }), close: () => pool.closeAll() };
});

describe('ssh transport host keys', () => {
  it('remembers the first host key and refuses a host whose key changed', async () => {
    const host = fleet!.hosts[0]!;
    const id = `${host.host}:${host.port}`;
    expect(keys.get(id)).toMatch(/^SHA256:/);
    keys.set(id, 'SHA256:somethingelse');
    const attempt = createSshTransport({ host: host.host, port: host.port, user: host.user, privateKeyPath: fleet!.privateKeyPath, hostKeys });
    await expect(attempt).rejects.toBeInstanceOf(ConnectionError);
    await expect(attempt).rejects.toThrow(/host key of .* changed/);
  });

  it('names the setting when the private key cannot be read', async () => {
    const host = fleet!.hosts[0]!;
    await expect(createSshTransport({ host: host.host, port: host.port, user: host.user, privateKeyPath: '/nonexistent/key', hostKeys })).rejects.toThrow(
      /ssh.privateKeyPath/,
    );
  });

  it('says which server refused the connection', async () => {
    await expect(createSshTransport({ host: '127.0.0.1', port: 1, user: 'nobody', privateKeyPath: fleet!.privateKeyPath, hostKeys })).rejects.toThrow(
      /\[fleet\] \[ssh\] nobody@127\.0\.0\.1:1/,
    );
  });
});
