import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError } from '../../../src/fleet/errors.js';
import { fingerprint } from '../../../src/fleet/transport/host-keys.js';
import { createSshTransport } from '../../../src/fleet/transport/ssh.js';
import type { Transport } from '../../../src/fleet/types.js';
import { startSshFleet, type SshFleet, type SshFleetHost } from '../../support/sshd-fleet.js';

let fleet: SshFleet | undefined;
let host: SshFleetHost;
let dir: string | undefined;
/** What `ssh-keyscan` wrote for the fleet's host: `[host]:port ssh-ed25519 AAAA…`. */
let scanned: string;
let files = 0;
const opened: Transport[] = [];
/** The trust-on-first-use store: with knownHosts set it must stay empty. */
const remembered = new Map<string, string>();
const hostKeys = { get: (id: string) => remembered.get(id), remember: (id: string, value: string) => void remembered.set(id, value) };

async function knownHostsFile(text: string): Promise<string> {
  const file = join(dir!, `known_hosts_${++files}`);
  await writeFile(file, text);
  return file;
}

async function connect(knownHosts: string): Promise<Transport> {
  const transport = await createSshTransport({ host: host.host, port: host.port, user: host.user, privateKeyPath: fleet!.privateKeyPath, hostKeys, knownHosts });
  opened.push(transport);
  return transport;
}

/** The fingerprint of the single key in `line`, as ssh-keygen reports it. */
async function keygenFingerprint(line: string): Promise<string> {
  const file = await knownHostsFile(`${line}\n`);
  const { stdout } = await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', file]);
  return stdout.split(/\s+/)[1]!;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-ssh-known-hosts-'));
  fleet = await startSshFleet({ hosts: 1 });
  host = fleet.hosts[0]!;
  const { stdout } = await execa('ssh-keyscan', ['-T', '5', '-p', String(host.port), host.host]);
  scanned = stdout.trim();
  expect(scanned).toMatch(/^\[127\.\d+\.\d+\.\d+\]:2222 ssh-ed25519 \S+$/);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close()));
  remembered.clear();
});

afterAll(async () => {
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ssh transport with ssh.knownHosts', () => {
  it('connects and runs a command when the file lists the host key, and remembers nothing on first use', async () => {
    const transport = await connect(await knownHostsFile(`${scanned}\n`));
    expect(await transport.exec(['echo', 'hello'])).toMatchObject({ code: 0, stdout: 'hello' });
    expect(remembered.size).toBe(0);
  });

  it('connects when the entry is hashed (ssh-keygen -H)', async () => {
    const file = await knownHostsFile(`${scanned}\n`);
    await execa('ssh-keygen', ['-H', '-f', file]);
    expect(await readFile(file, 'utf8')).toMatch(/^\|1\|/);
    const transport = await connect(file);
    expect(await transport.exec(['echo', 'hashed'])).toMatchObject({ code: 0, stdout: 'hashed' });
  });

  it('refuses a host whose entry is another key, naming both fingerprints', async () => {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'impostor', '-f', join(dir!, 'impostor')]);
    const [keyType, base64] = (await readFile(join(dir!, 'impostor.pub'), 'utf8')).split(/\s+/);
    const entry = `[${host.host}]:${host.port} ${keyType} ${base64}`;
    const file = await knownHostsFile(`${entry}\n`);
    const [listed, presented] = await Promise.all([keygenFingerprint(entry), keygenFingerprint(scanned)]);
    expect(listed).toBe(fingerprint(Buffer.from(base64!, 'base64')));

    const attempt = connect(file);
    await expect(attempt).rejects.toBeInstanceOf(ConnectionError);
    await expect(attempt).rejects.toThrow(`[fleet] [ssh] ${host.user}@${host.host}:${host.port}: the host key of ${host.host}:${host.port} is ${presented}`);
    await expect(attempt).rejects.toThrow(`ssh.knownHosts (${file}) has ${listed}`);
    expect(remembered.size).toBe(0);
  });

  it('refuses a host with no entry, and the command in the refusal adds the entry that lets it in', async () => {
    const file = await knownHostsFile(`[${host.host}]:2223 ${scanned.split(' ').slice(1).join(' ')}\n`);
    const refusal = await connect(file).then(
      () => expect.fail('connected to a host the file does not list'),
      (error: unknown) => error as Error,
    );
    expect(refusal).toBeInstanceOf(ConnectionError);
    expect(refusal.message).toContain(`${host.host}:${host.port} has no entry in ssh.knownHosts (${file})`);
    const hint = `ssh-keyscan -p ${host.port} ${host.host} >> ${file}`;
    expect(refusal.message).toContain(hint);
    expect(remembered.size).toBe(0);

    await execa('bash', ['-c', hint]);
    const transport = await connect(file);
    expect(await transport.exec(['echo', 'added'])).toMatchObject({ code: 0, stdout: 'added' });
  });

  it('names ssh.knownHosts and the path when the file is missing, expanding ~/', async () => {
    const missing = join(dir!, 'no-such-known-hosts');
    await expect(connect(missing)).rejects.toThrow(`[fleet] [ssh] ${host.user}@${host.host}:${host.port}: ssh.knownHosts (${missing}) does not exist`);
    await expect(connect('~/.igor-test-no-such-known-hosts')).rejects.toThrow(`ssh.knownHosts (${join(homedir(), '.igor-test-no-such-known-hosts')}) does not exist`);
  });

  it('still uses trust on first use when knownHosts is not set', async () => {
    const transport = await createSshTransport({ host: host.host, port: host.port, user: host.user, privateKeyPath: fleet!.privateKeyPath, hostKeys });
    opened.push(transport);
    expect(remembered.get(`${host.host}:${host.port}`)).toBe(await keygenFingerprint(scanned));
  });
});
