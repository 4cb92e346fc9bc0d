import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { posix } from 'node:path';
import { NodeSSH } from 'node-ssh';
import type { Duplex } from 'node:stream';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { quote } from 'shell-quote';
import { ConnectionError } from '../errors.js';
import type { CommandResult, ExecOptions, Transport } from '../types.js';
import { commandStopper } from './command-stop.js';
import { trustOnFirstUse, type HostKeyCheck, type HostKeyStore } from './host-keys.js';
import { checkKnownHosts, KnownHostsFileError } from './known-hosts.js';
import type { JumpHost } from './jump.js';

export interface SshTransportOptions {
  host: string;
  port: number;
  user: string;
  /** A key file (`ssh.privateKeyPath`); not read when `agent` is given. */
  privateKeyPath?: string | undefined;
  /** An ssh-agent's socket (`ssh.agent`), used instead of a key file. */
  agent?: string | undefined;
  /** `ssh.jump`: the connection is a channel forwarded through this bastion (OpenSSH's ProxyJump). */
  jump?: JumpHost | undefined;
  /** An already connected stream to the server (instead of a TCP connection); for measuring what igor sends. */
  sock?: Duplex | undefined;
  /** Trust on first use: fingerprints seen before. Not consulted when `knownHosts` is given. */
  hostKeys: HostKeyStore;
  /** A known_hosts file (`~/` allowed) that must list the host's key. */
  knownHosts?: string | undefined;
  readyTimeoutMs?: number;
}

/** The bastion (`ssh.jump`) or the agent (`ssh.agent`) failed; the message names the setting. */
export class SshSettingError extends ConnectionError {
  override name = 'SshSettingError';
  constructor(
    readonly setting: 'ssh.jump' | 'ssh.agent',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A server reached over SSH with key authentication. Commands are argv arrays turned into one
 * shell string by quoting every word; the environment is set with `env`, since sshd drops
 * variables it was not told to accept.
 */
export async function createSshTransport(options: SshTransportOptions): Promise<Transport> {
  const hostId = `${options.host}:${options.port}`;
  const where = `[fleet] [ssh] ${options.user}@${hostId}`;
  const readyTimeout = options.readyTimeoutMs ?? 20_000;
  const auth = await authentication(options, where);
  const hostKey = await hostKeyCheck(options, options.host, options.port, where);
  const bastion = options.jump ? await openBastion(options, options.jump, auth, readyTimeout) : null;
  const ssh = new NodeSSH();
  try {
    const sock = bastion ? await forwardTo(bastion, options, readyTimeout) : options.sock;
    await ssh.connect({
      host: options.host,
      port: options.port,
      username: options.user,
      ...auth,
      ...(sock ? { sock } : {}),
      hostVerifier: hostKey.verify,
      ...(hostKey.algorithms ? { algorithms: { serverHostKey: hostKey.algorithms } } : {}),
      readyTimeout,
      // A server that stops answering is noticed within ~15 s instead of when TCP gives up.
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
    });
  } catch (error) {
    bastion?.dispose();
    if (error instanceof ConnectionError) throw error;
    const refusal = hostKey.refusal();
    const reason = refusal?.message ?? (error as Error).message;
    if (!refusal && 'agent' in auth && /authentication methods failed/i.test(reason)) {
      throw new SshSettingError('ssh.agent', `${where}: the ssh-agent at ${auth.agent} (ssh.agent) offered no key this server accepts: ${reason}`, { cause: error });
    }
    throw new ConnectionError(`${where}${bastion ? ` through ${jumpName(options.jump!)}` : ''}: ${reason}`, { cause: refusal ?? error });
  }
  async function exec(argv: readonly string[], execOptions: ExecOptions = {}): Promise<CommandResult> {
    // sshd runs each command as the leader of a process group of its own, and the command's
    // first line of output is that group's id: stopping it is `kill -- -<group>` over a second
    // channel of the same connection. (ssh2 cannot send a signal request once stdin is closed.)
    let group: string | null = null;
    const kill = (signal: 'SIGTERM' | 'SIGKILL') => {
      if (group) void run(['kill', `-${signal.slice(3)}`, '--', `-${group}`]).catch(() => undefined);
    };
    const stopper = commandStopper(argv, execOptions, kill);
    if (stopper.stopping) throw stopper.finish()!;
    let result: CommandResult;
    try {
      result = await run(argv, execOptions, (id) => {
        group = id;
        if (stopper.stopping) kill('SIGTERM');
      });
    } catch (error) {
      stopper.finish();
      throw error;
    }
    const stopped = stopper.finish();
    if (stopped) throw stopped;
    return result;
  }

  /** One command on its own channel; `onGroup` hears its process group id before anything else. */
  function run(argv: readonly string[], execOptions: Pick<ExecOptions, 'cwd' | 'env'> = {}, onGroup?: (group: string) => void): Promise<CommandResult> {
    return new Promise<CommandResult>((resolve, reject) => {
      const connection = ssh.connection;
      if (!connection) return reject(new ConnectionError(`${where}: the connection is closed`));
      const line = onGroup ? `echo "$$"; ${commandLine(argv, execOptions)}` : commandLine(argv, execOptions);
      connection.exec(line, (error, channel) => {
        if (error) return reject(new ConnectionError(`${where}: ${error.message}`, { cause: error }));
        channel.end();
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let code: number | null = null;
        let header = onGroup ? '' : null;
        channel.on('data', (chunk: Buffer) => {
          if (header === null) return void stdout.push(chunk);
          header += chunk.toString('latin1');
          const end = header.indexOf('\n');
          if (end < 0) return;
          onGroup!(header.slice(0, end).trim());
          stdout.push(Buffer.from(header.slice(end + 1), 'latin1'));
          header = null;
        });
        channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        channel.on('exit', (status: number | null) => (code = status));
        channel.on('close', () => resolve({ code: code ?? 255, stdout: trimmed(stdout), stderr: trimmed(stderr) }));
      });
    });
  }
  // One SFTP session per connection, opened when first needed and shared by uploads and link
  // reads: each session is a channel and a subsystem start on the server.
  let sftpSession: Promise<SFTPWrapper> | null = null;
  function sftp(): Promise<SFTPWrapper> {
    if (sftpSession) return sftpSession;
    const opening = ssh.requestSFTP();
    // A session that failed to open or closed is forgotten, so the next caller opens a new one.
    const forget = () => {
      if (sftpSession === opening) sftpSession = null;
    };
    opening.then((session) => session.once('close', forget), forget);
    sftpSession = opening;
    return opening;
  }

  return {
    name: 'ssh',
    exec,
    async putFile(localPath: string, remotePath: string): Promise<void> {
      const session = await sftp();
      await fastPut(session, localPath, remotePath).catch(async (error: unknown) => {
        if ((error as { code?: unknown }).code !== SFTP_NO_SUCH_FILE) throw error;
        // The folder is missing. `mkdir -p`, not node-ssh's folder by folder over SFTP, which fails
        // ("Failure") when another session creates one of the parents at the same moment.
        const made = await exec(['mkdir', '-p', '--', posix.dirname(remotePath)]);
        if (made.code !== 0) throw new Error(`mkdir -p ${posix.dirname(remotePath)} exited with code ${made.code}: ${made.stderr.trim()}`);
        await fastPut(session, localPath, remotePath);
      });
    },
    async readLink(path: string, limits: { timeoutMs?: number | undefined } = {}): Promise<string | null> {
      const timeoutMs = limits.timeoutMs ?? READ_LINK_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ConnectionError(`${where}: reading the link ${path} got no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      });
      const read = (async () => {
        const session = await sftp().catch((error: unknown) => {
          throw new ConnectionError(`${where}: cannot open an SFTP session (is \`Subsystem sftp\` configured?): ${(error as Error).message}`, { cause: error });
        });
        return readLinkOver(session, path);
      })();
      try {
        return await Promise.race([read, late]);
      } finally {
        clearTimeout(timer);
        read.catch(() => undefined);
      }
    },
    async close(): Promise<void> {
      ssh.dispose();
      bastion?.dispose();
    },
  };
}

/** How long a link read may wait for the server when the caller gives no bound. */
const READ_LINK_TIMEOUT_MS = 20_000;

/**
 * SFTP's status codes that mean no link there: missing (2, "No such file"), under something that is
 * not a folder (4, "Failure"), or not a link (5: OpenSSH's sftp-server answers readlink's EINVAL
 * with "Bad message").
 */
const SFTP_NOT_A_LINK = new Set([2, 4, 5]);

function readLinkOver(session: SFTPWrapper, path: string): Promise<string | null> {
  return new Promise((resolve, reject) =>
    session.readlink(path, (error, target) => {
      if (!error) return resolve(target);
      if (SFTP_NOT_A_LINK.has((error as { code?: unknown }).code as number)) return resolve(null);
      reject(error);
    }),
  );
}

/** Output as node-ssh gives it: trimmed text. */
function trimmed(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** SFTP's status code for a path whose folder does not exist. */
const SFTP_NO_SUCH_FILE = 2;

/**
 * Writes in flight per upload: 16 × 32 KiB is 512 KiB a round trip, enough to fill a LAN link,
 * where ssh2's default (64) holds 2 MiB of igor's memory per server, 128 MiB for a wave of 64.
 */
const UPLOAD_CONCURRENCY = 16;

function fastPut(sftp: SFTPWrapper, localPath: string, remotePath: string): Promise<void> {
  return new Promise((resolve, reject) => sftp.fastPut(localPath, remotePath, { concurrency: UPLOAD_CONCURRENCY, chunkSize: 32_768 }, (error) => (error ? reject(error) : resolve())));
}

/** `cd -- '/srv/app' && env 'K=V' 'bash' '-lc' '…'`: every word quoted, nothing interpreted. */
export function commandLine(argv: readonly string[], options: Pick<ExecOptions, 'cwd' | 'env'>): string {
  const env = Object.entries(options.env ?? {}).map(([key, value]) => `${key}=${value}`);
  const command = quote(env.length ? ['env', ...env, ...argv] : [...argv]);
  return options.cwd ? `cd -- ${quote([options.cwd])} && ${command}` : command;
}

async function hostKeyCheck(options: SshTransportOptions, host: string, port: number, where: string): Promise<HostKeyCheck> {
  if (!options.knownHosts) return trustOnFirstUse(options.hostKeys, `${host}:${port}`);
  try {
    return await checkKnownHosts(expandHome(options.knownHosts), host, port);
  } catch (error) {
    if (error instanceof KnownHostsFileError) throw new ConnectionError(`${where}: ${error.message}`, { cause: error });
    throw error;
  }
}

type Authentication = { privateKey: string } | { agent: string };

async function authentication(options: SshTransportOptions, where: string): Promise<Authentication> {
  if (options.agent) {
    const socket = expandHome(options.agent);
    const found = await stat(socket).catch(() => null);
    if (!found?.isSocket()) throw new SshSettingError('ssh.agent', `${where}: no ssh-agent listens at ${socket} (ssh.agent; with ssh.agent: true it is SSH_AUTH_SOCK)`);
    return { agent: socket };
  }
  if (!options.privateKeyPath) throw new ConnectionError(`${where}: no private key to connect with (ssh.privateKeyPath or ssh.agent)`);
  return { privateKey: await readPrivateKey(options.privateKeyPath, where) };
}

function jumpName(jump: JumpHost): string {
  return `the bastion ${jump.user}@${jump.host}:${jump.port} (ssh.jump)`;
}

/** The bastion's connection; its host key is checked like any server's. */
async function openBastion(options: SshTransportOptions, jump: JumpHost, auth: Authentication, readyTimeout: number): Promise<NodeSSH> {
  const where = `[fleet] [ssh] ${options.user}@${options.host}:${options.port}`;
  const hostKey = await hostKeyCheck(options, jump.host, jump.port, where);
  const bastion = new NodeSSH();
  try {
    await bastion.connect({
      host: jump.host,
      port: jump.port,
      username: jump.user,
      ...auth,
      hostVerifier: hostKey.verify,
      ...(hostKey.algorithms ? { algorithms: { serverHostKey: hostKey.algorithms } } : {}),
      readyTimeout,
      keepaliveInterval: 5_000,
      keepaliveCountMax: 3,
    });
    return bastion;
  } catch (error) {
    bastion.dispose();
    const refusal = hostKey.refusal();
    throw new SshSettingError('ssh.jump', `${where}: cannot connect to ${jumpName(jump)}: ${refusal?.message ?? (error as Error).message}`, { cause: refusal ?? error });
  }
}

/** A channel from the bastion to the server (`direct-tcpip`), bounded by the connection timeout. */
function forwardTo(bastion: NodeSSH, options: SshTransportOptions, timeoutMs: number): Promise<ClientChannel> {
  const where = `[fleet] [ssh] ${options.user}@${options.host}:${options.port}`;
  const jump = jumpName(options.jump!);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new SshSettingError('ssh.jump', `${where}: ${jump} did not open a channel to the server within ${timeoutMs / 1000} s`)), timeoutMs);
    bastion.connection!.forwardOut('127.0.0.1', 0, options.host, options.port, (error, channel) => {
      clearTimeout(timer);
      if (error) reject(new SshSettingError('ssh.jump', `${where}: ${jump} could not reach the server: ${error.message}`, { cause: error }));
      else resolve(channel);
    });
  });
}

async function readPrivateKey(path: string, where: string): Promise<string> {
  const resolved = expandHome(path);
  try {
    return await readFile(resolved, 'utf8');
  } catch (error) {
    throw new ConnectionError(`${where}: cannot read the private key ${resolved} (ssh.privateKeyPath)`, { cause: error });
  }
}

/** `~/x` as a shell would read it; config paths are written that way. */
function expandHome(path: string): string {
  return path.startsWith('~/') ? posix.join(homedir(), path.slice(2)) : path;
}
