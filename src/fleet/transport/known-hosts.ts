import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { execa } from 'execa';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { fingerprint, HostKeyMismatchError, type HostKeyCheck } from './host-keys.js';

/** One line of a known_hosts file that applies to a host. */
export interface KnownHostEntry {
  /** From `@revoked` or `@cert-authority` at the start of the line; null for a plain entry. */
  marker: 'revoked' | 'cert-authority' | null;
  keyType: string;
  /** The raw public key blob, as a server presents it. */
  key: Buffer;
}

/** The `ssh.knownHosts` file cannot be used (missing, not a file, unreadable, or ssh-keygen failed on it). */
export class KnownHostsFileError extends Error {
  override name = 'KnownHostsFileError';
}

/** The known_hosts file has no entry that could vouch for the host's key. */
export class UnknownHostKeyError extends Error {
  override name = 'UnknownHostKeyError';
}

/** The host presented a key that the known_hosts file marks `@revoked`. */
export class RevokedHostKeyError extends Error {
  override name = 'RevokedHostKeyError';
}

/**
 * Checks a host's key against a known_hosts file, as OpenSSH's `StrictHostKeyChecking yes`: the key
 * must be one the file lists for the host; a revoked, different or missing key is refused, and
 * nothing is ever added to the file.
 *
 * @example
 *   const check = await checkKnownHosts('/etc/igor/known_hosts', '10.0.0.5', 22);
 *   await ssh.connect({ ..., hostVerifier: check.verify });
 */
export async function checkKnownHosts(file: string, host: string, port: number): Promise<HostKeyCheck> {
  const entries = await knownHostEntries(file, host, port);
  const hostId = `${host}:${port}`;
  const where = `ssh.knownHosts (${file})`;
  const addIt = `ssh-keyscan ${port === 22 ? '' : `-p ${port} `}${shellWord(host)} >> ${shellWord(file)}`;
  const plain = entries.filter((entry) => entry.marker === null);
  let refusal: Error | null = null;
  const algorithms = hostKeyAlgorithms(plain);
  return {
    verify(key: Buffer): boolean {
      const seen = fingerprint(key);
      if (entries.some((entry) => entry.marker === 'revoked' && entry.key.equals(key))) {
        refusal = new RevokedHostKeyError(`the host key of ${hostId} (${seen}) is marked @revoked in ${where}; igor will not connect to a host presenting it`);
      } else if (plain.some((entry) => entry.key.equals(key))) {
        return true;
      } else if (plain.length > 0) {
        const known = [...new Set(plain.map((entry) => fingerprint(entry.key)))].join(', ');
        refusal = new HostKeyMismatchError(
          `the host key of ${hostId} is ${seen}, but ${where} has ${known} for it; if the server was rebuilt, check the new key, ` +
            `then replace the old entry: ssh-keygen -R ${shellWord(knownHostsName(host, port))} -f ${shellWord(file)} && ${addIt}`,
        );
      } else if (entries.some((entry) => entry.marker === 'cert-authority')) {
        refusal = new UnknownHostKeyError(
          `${hostId} is vouched for only by a @cert-authority line in ${where}, and igor does not check host certificates; ` +
            `after checking that ${seen} is the server's key, add it: ${addIt}`,
        );
      } else {
        refusal = new UnknownHostKeyError(`${hostId} has no entry in ${where}, so its key ${seen} is not trusted; after checking that it is the server's key, add it: ${addIt}`);
      }
      return false;
    },
    refusal: () => refusal,
    ...(algorithms ? { algorithms } : {}),
  };
}

/** How OpenSSH names a host in known_hosts: bare on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** ssh2's default host key algorithms, in its order of preference. */
const DEFAULT_HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * Like OpenSSH, ask first for the key types the file has for the host: a server with an old RSA
 * entry and a newer ed25519 key would otherwise present the ed25519 key and be refused as changed.
 * Undefined when the file knows no type ssh2 can ask for, so the default order stands.
 */
export function hostKeyAlgorithms(entries: readonly KnownHostEntry[]): ServerHostKeyAlgorithm[] | undefined {
  const known = new Set(entries.map((entry) => entry.keyType));
  // An `ssh-rsa` key is used with any of the RSA signature algorithms.
  const wanted = DEFAULT_HOST_KEY_ALGORITHMS.filter((algorithm) => known.has(algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm));
  if (wanted.length === 0) return undefined;
  return [...wanted, ...DEFAULT_HOST_KEY_ALGORITHMS.filter((algorithm) => !wanted.includes(algorithm))];
}

/**
 * The entries of `file` for host:port. OpenSSH's own `ssh-keygen -F` finds them, so hashed names
 * (`|1|salt|hash`), patterns, negations and `[host]:port` mean exactly what they mean to ssh.
 */
async function knownHostEntries(file: string, host: string, port: number): Promise<KnownHostEntry[]> {
  await assertReadableFile(file);
  // -q prints the matching lines as they are in the file, markers included, without commentary.
  const result = await execa('ssh-keygen', ['-q', '-F', knownHostsName(host, port), '-f', file], { reject: false, stdin: 'ignore', timeout: 10_000 });
  if (result.code === 'ENOENT') throw new KnownHostsFileError(`ssh.knownHosts needs OpenSSH's ssh-keygen, which is not on PATH`, { cause: result });
  // 1 is ssh-keygen's "no line matched".
  if (result.exitCode === 1) return [];
  if (result.exitCode !== 0) {
    throw new KnownHostsFileError(`ssh-keygen could not read ssh.knownHosts (${file}): ${result.stderr.trim() || result.shortMessage}`, { cause: result });
  }
  return result.stdout.split('\n').flatMap((line) => parseEntry(line) ?? []);
}

/** ssh-keygen says "not found" for a directory, and a missing file deserves a sentence naming the setting. */
async function assertReadableFile(file: string): Promise<void> {
  try {
    if (!(await stat(file)).isFile()) throw new KnownHostsFileError(`ssh.knownHosts (${file}) is not a file`);
    await access(file, constants.R_OK);
  } catch (error) {
    if (error instanceof KnownHostsFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`;
    throw new KnownHostsFileError(`ssh.knownHosts (${file}) ${why}`, { cause: error });
  }
}

/** `[@marker] hosts keytype base64 [comment]`; null for anything else. */
function parseEntry(line: string): KnownHostEntry | null {
  const fields = line.trim().split(/\s+/);
  const first = fields[0] ?? '';
  const marker = first === '@revoked' ? 'revoked' : first === '@cert-authority' ? 'cert-authority' : null;
  if (marker === null && first.startsWith('@')) return null;
  const [, keyType, key] = marker ? fields.slice(1) : fields;
  if (!keyType || !key) return null;
  return { marker, keyType, key: Buffer.from(key, 'base64') };
}

/** A word to paste into a shell; shell-quote would write `\[10.0.0.5\]\:2222`, correct but hard to read. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
