import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostKeyMismatchError } from '../../../src/fleet/transport/host-keys.js';
import {
  checkKnownHosts,
  hostKeyAlgorithms,
  KnownHostsFileError,
  knownHostsName,
  RevokedHostKeyError,
  UnknownHostKeyError,
} from '../../../src/fleet/transport/known-hosts.js';

interface Key {
  /** `type base64`, as a known_hosts line has it after the host names. */
  line: string;
  blob: Buffer;
  /** ssh-keygen's own SHA256 fingerprint. */
  fingerprint: string;
}

let dir: string;
let ed25519: Key;
let other: Key;
let rsa: Key;
let files = 0;

/** A key made by ssh-keygen, with what ssh-keygen says its fingerprint is. */
async function generate(name: string, type: 'ed25519' | 'rsa'): Promise<Key> {
  const path = join(dir, name);
  await execa('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', path]);
  const [keyType, base64] = (await readFile(`${path}.pub`, 'utf8')).trim().split(/\s+/);
  const { stdout } = await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`]);
  return { line: `${keyType} ${base64}`, blob: Buffer.from(base64!, 'base64'), fingerprint: stdout.split(/\s+/)[1]! };
}

async function knownHostsFile(...lines: string[]): Promise<string> {
  const file = join(dir, `known_hosts_${++files}`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/** Verifies `key` as presented by host:port; returns the verdict and the refusal. */
async function present(file: string, host: string, port: number, key: Key) {
  const check = await checkKnownHosts(file, host, port);
  return { accepted: check.verify(key.blob), refusal: check.refusal() };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'igor-known-hosts-'));
  [ed25519, other, rsa] = await Promise.all([generate('host', 'ed25519'), generate('other', 'ed25519'), generate('rsa', 'rsa')]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('knownHostsName', () => {
  it('names a host bare on port 22 and as [host]:port on any other port, as OpenSSH writes them', () => {
    expect(knownHostsName('10.0.0.5', 22)).toBe('10.0.0.5');
    expect(knownHostsName('10.0.0.5', 2222)).toBe('[10.0.0.5]:2222');
  });
});

describe('checkKnownHosts', () => {
  it('accepts the key the file lists for the host on its port', async () => {
    const file = await knownHostsFile(`[10.0.0.5]:2222 ${ed25519.line}`);
    expect(await present(file, '10.0.0.5', 2222, ed25519)).toEqual({ accepted: true, refusal: null });
  });

  it('reads a bare entry as port 22 only', async () => {
    const file = await knownHostsFile(`10.0.0.5 ${ed25519.line}`);
    expect((await present(file, '10.0.0.5', 22, ed25519)).accepted).toBe(true);
    const elsewhere = await present(file, '10.0.0.5', 2222, ed25519);
    expect(elsewhere.accepted).toBe(false);
    expect(elsewhere.refusal).toBeInstanceOf(UnknownHostKeyError);
  });

  it('finds the host in a comma-separated list of names', async () => {
    const file = await knownHostsFile(`web-1.example.com,[10.0.0.5]:2222,10.0.0.6 ${ed25519.line}`);
    expect((await present(file, '10.0.0.5', 2222, ed25519)).accepted).toBe(true);
    expect((await present(file, '10.0.0.6', 22, ed25519)).accepted).toBe(true);
  });

  it('finds the host in a hashed file (ssh-keygen -H)', async () => {
    const file = await knownHostsFile(`[10.0.0.5]:2222 ${ed25519.line}`, `10.0.0.6 ${other.line}`);
    await execa('ssh-keygen', ['-H', '-f', file]);
    expect(await readFile(file, 'utf8')).not.toContain('10.0.0.5');
    expect((await present(file, '10.0.0.5', 2222, ed25519)).accepted).toBe(true);
    expect((await present(file, '10.0.0.6', 22, ed25519)).refusal).toBeInstanceOf(HostKeyMismatchError);
  });

  it('refuses a different key, naming the host and both fingerprints', async () => {
    const file = await knownHostsFile(`[10.0.0.5]:2222 ${other.line}`);
    const { accepted, refusal } = await present(file, '10.0.0.5', 2222, ed25519);
    expect(accepted).toBe(false);
    expect(refusal).toBeInstanceOf(HostKeyMismatchError);
    expect(refusal!.message).toContain('10.0.0.5:2222');
    expect(refusal!.message).toContain(`is ${ed25519.fingerprint}`);
    expect(refusal!.message).toContain(`has ${other.fingerprint}`);
    expect(refusal!.message).toContain(`ssh-keygen -R '[10.0.0.5]:2222' -f ${file}`);
  });

  it('refuses a host with no entry, with the fingerprint seen and the command that adds it', async () => {
    const file = await knownHostsFile(`[10.0.0.6]:2222 ${ed25519.line}`);
    const { accepted, refusal } = await present(file, '10.0.0.5', 2222, ed25519);
    expect(accepted).toBe(false);
    expect(refusal).toBeInstanceOf(UnknownHostKeyError);
    expect(refusal!.message).toContain(`10.0.0.5:2222 has no entry in ssh.knownHosts (${file})`);
    expect(refusal!.message).toContain(ed25519.fingerprint);
    expect(refusal!.message).toContain(`ssh-keyscan -p 2222 10.0.0.5 >> ${file}`);
    expect((await present(file, '10.0.0.5', 22, ed25519)).refusal!.message).toContain(`ssh-keyscan 10.0.0.5 >> ${file}`);
  });

  it('refuses a key marked @revoked, even when a plain entry lists it too', async () => {
    const file = await knownHostsFile(`[10.0.0.5]:2222 ${ed25519.line}`, `@revoked * ${ed25519.line}`);
    const { accepted, refusal } = await present(file, '10.0.0.5', 2222, ed25519);
    expect(accepted).toBe(false);
    expect(refusal).toBeInstanceOf(RevokedHostKeyError);
    expect(refusal!.message).toContain('@revoked');
    expect(refusal!.message).toContain(ed25519.fingerprint);
    expect((await present(file, '10.0.0.6', 22, other)).refusal).toBeInstanceOf(UnknownHostKeyError);
  });

  it('says host certificates are not supported when only a @cert-authority line covers the host', async () => {
    const file = await knownHostsFile(`@cert-authority *.example.com ${other.line}`);
    const { accepted, refusal } = await present(file, 'web-1.example.com', 22, ed25519);
    expect(accepted).toBe(false);
    expect(refusal).toBeInstanceOf(UnknownHostKeyError);
    expect(refusal!.message).toContain('igor does not check host certificates');
  });

  it('ignores a @cert-authority line when a plain entry lists the key', async () => {
    const file = await knownHostsFile(`@cert-authority *.example.com ${other.line}`, `web-1.example.com ${ed25519.line}`);
    expect((await present(file, 'web-1.example.com', 22, ed25519)).accepted).toBe(true);
  });

  it('honours negated patterns as ssh does', async () => {
    const file = await knownHostsFile(`10.0.0.*,!10.0.0.9 ${ed25519.line}`);
    expect((await present(file, '10.0.0.5', 22, ed25519)).accepted).toBe(true);
    expect((await present(file, '10.0.0.9', 22, ed25519)).refusal).toBeInstanceOf(UnknownHostKeyError);
  });

  it('names ssh.knownHosts and the path when the file does not exist', async () => {
    const missing = join(dir, 'no-such-known-hosts');
    const attempt = checkKnownHosts(missing, '10.0.0.5', 22);
    await expect(attempt).rejects.toBeInstanceOf(KnownHostsFileError);
    await expect(attempt).rejects.toThrow(`ssh.knownHosts (${missing}) does not exist`);
  });

  it('refuses a path that is not a file, which ssh-keygen would read as "no entry"', async () => {
    await expect(checkKnownHosts(dir, '10.0.0.5', 22)).rejects.toThrow(`ssh.knownHosts (${dir}) is not a file`);
  });
});

describe('hostKeyAlgorithms', () => {
  it('asks first for the RSA signature algorithms when the file has only an RSA key for the host', async () => {
    const file = await knownHostsFile(`10.0.0.5 ${rsa.line}`);
    const check = await checkKnownHosts(file, '10.0.0.5', 22);
    expect(check.algorithms?.slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(check.algorithms).toContain('ssh-ed25519');
    expect(check.verify(rsa.blob)).toBe(true);
  });

  it('keeps the default order when the file knows no type for the host', () => {
    expect(hostKeyAlgorithms([])).toBeUndefined();
    expect(hostKeyAlgorithms([{ marker: null, keyType: 'sk-ssh-ed25519@openssh.com', key: Buffer.alloc(0) }])).toBeUndefined();
  });
});
