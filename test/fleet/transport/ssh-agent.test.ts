import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { createFleets } from '../../../src/fleet/environments.js';
import { createSshTransport, SshSettingError } from '../../../src/fleet/transport/ssh.js';
import { startSshAgent, type SshAgent } from '../../support/ssh-agent.js';
import { startSshFleet, type SshFleet } from '../../support/sshd-fleet.js';

let fleet: SshFleet;
let agent: SshAgent | undefined;
const keys = new Map<string, string>();
const hostKeys = { get: (id: string) => keys.get(id), remember: (id: string, fingerprint: string) => void keys.set(id, fingerprint) };

beforeAll(async () => {
  fleet = await startSshFleet({ hosts: 2 });
});

afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

afterAll(async () => {
  await fleet?.stop();
});

describe('ssh.agent', () => {
  it('authenticates with a key held by a real ssh-agent, with no key file given', async () => {
    agent = await startSshAgent();
    await agent.add(fleet.privateKeyPath);
    const host = fleet.hosts[0]!;
    const transport = await createSshTransport({ host: host.host, port: host.port, user: host.user, agent: agent.socket, hostKeys });
    try {
      expect((await transport.exec(['echo', 'via agent'])).stdout).toBe('via agent');
    } finally {
      await transport.close();
    }
  });

  it('uses SSH_AUTH_SOCK for ssh.agent: true, through a bastion too (ssh.jump)', async () => {
    agent = await startSshAgent();
    await agent.add(fleet.privateKeyPath);
    const [bastion, target] = [fleet.hosts[0]!, fleet.hosts[1]!];
    const config = configSchema.parse({
      app: 'shop',
      repo: '/nowhere',
      channels: { deploys: '#deploys' },
      environments: {
        production: {
          servers: { static: [{ host: target.host, port: target.port }] },
          path: '/srv/shop',
          ssh: { agent: true, jump: `${bastion.user}@${bastion.host}:${bastion.port}` },
        },
      },
    });
    const { connectors } = createFleets(config, { dataDir: '/nowhere', user: target.user, home: '/nowhere', hostKeys, sshAuthSock: agent.socket });
    const transport = await connectors.production!({ name: 'web-2', address: target.host, port: target.port, via: 'ssh', path: '/srv/shop' });
    try {
      expect((await transport.exec(['bash', '-c', 'echo "$SSH_CONNECTION"'])).stdout.split(' ')[2]).toBe(target.host);
    } finally {
      await transport.close();
    }
  });

  it('names ssh.agent when the agent holds no key the server accepts', async () => {
    agent = await startSshAgent();
    const other = await mkdtemp(path.join(os.tmpdir(), 'igor-other-key-'));
    try {
      await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(other, 'id')]);
      await agent.add(path.join(other, 'id'));
      const host = fleet.hosts[0]!;
      const attempt = createSshTransport({ host: host.host, port: host.port, user: host.user, agent: agent.socket, hostKeys });
      await expect(attempt).rejects.toBeInstanceOf(SshSettingError);
      await expect(attempt).rejects.toThrow(/ssh-agent at .* \(ssh\.agent\) offered no key this server accepts/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('names ssh.agent when no agent listens at the socket, and SSH_AUTH_SOCK when it is unset', async () => {
    const host = fleet.hosts[0]!;
    await expect(createSshTransport({ host: host.host, port: host.port, user: host.user, agent: '/nonexistent/agent.sock', hostKeys })).rejects.toThrow(
      /no ssh-agent listens at \/nonexistent\/agent\.sock \(ssh\.agent/,
    );
    const config = configSchema.parse({
      app: 'shop',
      repo: '/nowhere',
      channels: { deploys: '#deploys' },
      environments: { production: { servers: { static: [{ host: host.host }] }, path: '/srv/shop', ssh: { agent: true } } },
    });
    const { connectors } = createFleets(config, { dataDir: '/nowhere', user: host.user, home: '/nowhere', hostKeys });
    await expect(connectors.production!({ name: 'web-1', address: host.host, via: 'ssh', path: '/srv/shop' })).rejects.toThrow(/ssh\.agent is true but SSH_AUTH_SOCK is not set/);
  });

  it('refuses ssh.agent together with ssh.privateKeyPath', () => {
    const parsed = configSchema.safeParse({
      app: 'shop',
      repo: '/nowhere',
      channels: { deploys: '#deploys' },
      environments: { production: { servers: { static: [{ host: 'a' }] }, path: '/srv', ssh: { agent: true, privateKeyPath: '~/.ssh/id' } } },
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/agent or privateKeyPath/);
  });
});
