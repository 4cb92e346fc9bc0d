import { execFile } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, HostKeyMismatchError, trustOnFirstUse, type HostKeyStore } from '../../../src/fleet/transport/host-keys.js';

const run = promisify(execFile);

/** A store kept in a Map, as igor keeps fingerprints in its db. */
function memoryStore(entries: Record<string, string> = {}): HostKeyStore & { entries: Map<string, string> } {
  const map = new Map(Object.entries(entries));
  return {
    entries: map,
    get: (hostId) => map.get(hostId),
    remember: (hostId, value) => void map.set(hostId, value),
  };
}

const KEY_A = Buffer.from('raw public key of host a');
const KEY_B = Buffer.from('another key after a rebuild');

describe('fingerprint', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'igor-host-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Generates a key with ssh-keygen; returns its raw public key blob and ssh-keygen's own fingerprint. */
  async function generated(type: 'ed25519' | 'ecdsa' | 'rsa'): Promise<{ blob: Buffer; expected: string }> {
    const path = join(dir, `key-${type}`);
    await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'igor-test', '-f', path]);
    const [, base64] = (await readFile(`${path}.pub`, 'utf8')).trim().split(/\s+/);
    const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`]);
    const expected = stdout.split(/\s+/)[1]!;
    return { blob: Buffer.from(base64!, 'base64'), expected };
  }

  it.each(['ed25519', 'ecdsa', 'rsa'] as const)('matches ssh-keygen -lf for an %s key', async (type) => {
    const { blob, expected } = await generated(type);
    expect(expected).toMatch(/^SHA256:/);
    expect(fingerprint(blob)).toBe(expected);
  });

  it('is SHA256: followed by unpadded base64 of the sha256 of the key', () => {
    const value = fingerprint(KEY_A);
    expect(value).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(value).not.toContain('=');
  });

  it('differs for different keys and is the same for the same key', () => {
    expect(fingerprint(KEY_A)).toBe(fingerprint(Buffer.from(KEY_A)));
    expect(fingerprint(KEY_A)).not.toBe(fingerprint(KEY_B));
  });
});

describe('trustOnFirstUse', () => {
  it('remembers the first key seen for a host and accepts it', () => {
    const store = memoryStore();
    const check = trustOnFirstUse(store, '10.0.0.5:22');
    expect(check.verify(KEY_A)).toBe(true);
    expect(store.entries.get('10.0.0.5:22')).toBe(fingerprint(KEY_A));
    expect(check.refusal()).toBeNull();
  });

  it('accepts the same key again on a later connection', () => {
    const store = memoryStore();
    trustOnFirstUse(store, '10.0.0.5:22').verify(KEY_A);
    const later = trustOnFirstUse(store, '10.0.0.5:22');
    expect(later.verify(KEY_A)).toBe(true);
    expect(later.refusal()).toBeNull();
  });

  it('refuses a different key and says why, naming the host and both fingerprints', () => {
    const store = memoryStore({ '10.0.0.5:22': fingerprint(KEY_A) });
    const check = trustOnFirstUse(store, '10.0.0.5:22');
    expect(check.verify(KEY_B)).toBe(false);
    const refusal = check.refusal();
    expect(refusal).toBeInstanceOf(HostKeyMismatchError);
    expect(refusal!.message).toContain('10.0.0.5:22');
    expect(refusal!.message).toContain(fingerprint(KEY_A));
    expect(refusal!.message).toContain(fingerprint(KEY_B));
    expect(refusal!.message).not.toContain('\n');
  });

  it('keeps the first key after a refusal, so the new key is refused again', () => {
    const store = memoryStore({ '10.0.0.5:22': fingerprint(KEY_A) });
    trustOnFirstUse(store, '10.0.0.5:22').verify(KEY_B);
    expect(store.entries.get('10.0.0.5:22')).toBe(fingerprint(KEY_A));
    expect(trustOnFirstUse(store, '10.0.0.5:22').verify(KEY_B)).toBe(false);
  });

  it('keeps hosts apart: the same key is trusted separately for each host', () => {
    const store = memoryStore({ '10.0.0.5:22': fingerprint(KEY_A) });
    expect(trustOnFirstUse(store, '10.0.0.6:22').verify(KEY_B)).toBe(true);
    expect(trustOnFirstUse(store, '10.0.0.5:2222').verify(KEY_B)).toBe(true);
    expect(store.entries.get('10.0.0.6:22')).toBe(fingerprint(KEY_B));
  });

  it('has no refusal before any key is verified', () => {
    expect(trustOnFirstUse(memoryStore(), 'h:22').refusal()).toBeNull();
  });
});
