// A fleet of real OpenSSH servers on loopback addresses, for end-to-end tests of SSH deployment.
//
// vitest runs test files in parallel workers, so each worker gets its own addresses:
// host i (0-based) of the fleet in worker VITEST_POOL_ID=p listens on 127.0.<p+10>.<i+2>:2222.
// All hosts share this machine's filesystem and process table: give each host its own deploy path,
// and track started processes by pid file (see killPidFiles).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { trackChild, untrackChild } from './processes.js';

export const SSHD_PATH = '/usr/sbin/sshd';
export const SSH_FLEET_PORT = 2222;
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 2_000;
const STDERR_LIMIT = 16_384;

export interface SshFleetHost {
  /** web-1, web-2, … */
  name: string;
  /** Loopback address, e.g. 127.0.11.2. */
  host: string;
  port: number;
  /** The user running the tests (os.userInfo().username). */
  user: string;
}

export interface SshFleet {
  hosts: SshFleetHost[];
  /** Throwaway ed25519 client key accepted by every host. */
  privateKeyPath: string;
  /** Temp folder holding keys, configs and pid files; removed by stop(). */
  dir: string;
  /**
   * With `ownPath`: the one absolute path every host has (as the servers of one cloud environment
   * share `path`), and the folder of this machine that it is on each host, by host name.
   */
  ownPath?: { path: string; roots: Record<string, string> };
  /**
   * Makes one host unreachable: its sshd stops listening (sessions already open keep running, as
   * with a real sshd). New connections to it are refused.
   */
  stopHost(name: string): Promise<void>;
  /**
   * Freezes one host's sshd (SIGSTOP): it accepts connections (the kernel does) and never says a
   * word, as a hung server does. Sessions already open keep running. `stop()` thaws it first.
   */
  pauseHost(name: string): void;
  /** Thaws a host frozen by `pauseHost` (SIGCONT): the connections that waited are served. */
  resumeHost(name: string): void;
  /**
   * Connections and sessions a host served so far: each command is a round trip (and a shell
   * start-up) on a server. Needs `logLevel: 'VERBOSE'` or more (sshd logs each session then).
   */
  sessionsOf(name: string): SessionCount;
  /** What a host's sshd wrote to stderr so far (the last 16 KiB; see `logLevel`). */
  logOf(name: string): string;
  /** Stops every sshd (SIGTERM, SIGKILL after 2 s) and removes `dir`. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface SshFleetOptions {
  hosts: number;
  /** sshd's LogLevel (default ERROR); DEBUG1 logs each forwarded channel, for jump host tests. */
  logLevel?: 'ERROR' | 'INFO' | 'VERBOSE' | 'DEBUG1';
  /**
   * Gives every host a folder of its own at one shared absolute path, as separate machines have:
   * each sshd runs in its own mount namespace (unshare, as root) with its folder bound there, and
   * so does everything its sessions start. Without it, hosts share this machine's files.
   */
  ownPath?: boolean;
}

interface Sshd {
  name: string;
  address: string;
  child: ChildProcess;
  exit: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  exited: Promise<void>;
  stderr: string;
  paused: boolean;
  /** Sessions sshd started so far, by kind (counted from its VERBOSE log lines). */
  sessions: SessionCount;
  /** The unfinished last line of stderr, so a line split across chunks is counted once. */
  partial: string;
}

/** What a host served: connections (key accepted), and sessions: commands (`exec`) and SFTP. */
export interface SessionCount {
  connections: number;
  commands: number;
  sftp: number;
}


function poolId(): number {
  const raw = process.env.VITEST_POOL_ID ?? '1';
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 0 || id > 245) throw new Error(`VITEST_POOL_ID=${raw}: expected an integer 0..245`);
  return id;
}

/**
 * 127.<net>.<pool + 10>.<i + 2>: the worker's pool id keeps parallel files apart; IGOR_TEST_NET
 * (0 by default) keeps apart two test runs on one machine, e.g. an engineer's and CI's.
 */
function fleetAddress(index: number): string {
  const net = Number(process.env.IGOR_TEST_NET ?? 0);
  return `127.${net}.${poolId() + 10}.${index + 2}`;
}

/** 'ssh' if something answers with an SSH banner, 'open' if it accepts but says nothing SSH-like, else 'closed'. */
function probe(host: string, port: number, timeoutMs = 500): Promise<'ssh' | 'open' | 'closed'> {
  return new Promise((resolve) => {
    let result: 'ssh' | 'open' | 'closed' = 'closed';
    const socket = net.connect({ host, port });
    const done = () => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, done);
    socket.once('connect', () => {
      result = 'open';
    });
    socket.once('data', (chunk: Buffer) => {
      if (chunk.toString('latin1').startsWith('SSH-')) result = 'ssh';
      done();
    });
    socket.once('error', done);
    socket.once('close', done);
  });
}

function addressInUseMessage(address: string): string {
  return (
    `${address}:${SSH_FLEET_PORT} is already in use, most likely by an sshd left over from a crashed earlier test run ` +
    `(worker VITEST_POOL_ID=${process.env.VITEST_POOL_ID ?? '1'} always uses 127.${Number(process.env.IGOR_TEST_NET ?? 0)}.${poolId() + 10}.x:${SSH_FLEET_PORT}). ` +
    `Find its pid with \`ss -ltnp 'src ${address}:${SSH_FLEET_PORT}'\` and kill it.`
  );
}

function startError(sshd: Sshd, reason: string): Error {
  const inUse = /Address already in use/i.test(sshd.stderr);
  const head = inUse ? addressInUseMessage(sshd.address) : `sshd for ${sshd.name} (${sshd.address}:${SSH_FLEET_PORT}) ${reason}`;
  const stderr = sshd.stderr.trim();
  return new Error(`${head}\nsshd stderr:\n${stderr === '' ? '(empty)' : stderr}`);
}

/** `mount` binds `root` at `at` in a mount namespace of the sshd's own; `exec` keeps the pid the sshd's. */
function spawnSshd(name: string, address: string, configPath: string, mount?: { root: string; at: string }): Sshd {
  const [command, args] = mount
    ? ['unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" "$2" && exec "$3" -D -e -f "$4"', 'sh', mount.root, mount.at, SSHD_PATH, configPath]]
    : [SSHD_PATH, ['-D', '-e', '-f', configPath]];
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const sshd: Sshd = { name, address, child, exit: undefined, exited: Promise.resolve(), stderr: '', paused: false, sessions: { connections: 0, commands: 0, sftp: 0 }, partial: '' };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    sshd.stderr = (sshd.stderr + text).slice(-STDERR_LIMIT);
    const lines = (sshd.partial + text).split('\n');
    sshd.partial = lines.pop() ?? '';
    for (const line of lines) countSession(sshd.sessions, line);
  });
  sshd.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      sshd.exit = { code, signal };
      untrackChild(child);
      resolve();
    });
    child.once('error', (error) => {
      // Spawn failed (e.g. ENOENT): no 'exit' will follow.
      if (child.pid === undefined) {
        sshd.exit = { code: null, signal: null, error };
        sshd.stderr += `\n${error.message}`;
        resolve();
      }
    });
  });
  if (child.pid !== undefined) trackChild(child);
  return sshd;
}

/** sshd's VERBOSE lines: `Accepted publickey for …`, `Starting session: command for …`, `Starting session: subsystem 'sftp' for …`. */
function countSession(count: SessionCount, line: string): void {
  if (line.includes('Accepted publickey for ')) count.connections++;
  else if (line.includes('Starting session: command ')) count.commands++;
  else if (line.includes("Starting session: subsystem 'sftp'")) count.sftp++;
}

async function waitUntilReady(sshd: Sshd): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (sshd.exit) {
      const how = sshd.exit.error ? `failed to start: ${sshd.exit.error.message}` : `exited with code ${sshd.exit.code} (signal ${sshd.exit.signal})`;
      throw startError(sshd, how);
    }
    if ((await probe(sshd.address, SSH_FLEET_PORT)) === 'ssh' && !sshd.exit) return;
    if (Date.now() > deadline) throw startError(sshd, `did not accept connections within ${READY_TIMEOUT_MS / 1000} s`);
    await sleep(50);
  }
}

async function terminate(sshd: Sshd): Promise<void> {
  if (sshd.exit) return;
  // A stopped process would hold SIGTERM until SIGKILL: thaw it, so it ends as usual.
  if (sshd.paused) resume(sshd);
  sshd.child.kill('SIGTERM');
  const exitedInTime = await Promise.race([sshd.exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
  if (!exitedInTime) sshd.child.kill('SIGKILL');
  await sshd.exited;
}

function resume(sshd: Sshd): void {
  sshd.paused = false;
  if (!sshd.exit) sshd.child.kill('SIGCONT');
}

function sshdConfig(address: string, dir: string, pidFile: string, logLevel = 'ERROR'): string {
  return [
    `ListenAddress ${address}:${SSH_FLEET_PORT}`,
    `HostKey ${path.join(dir, 'host_ed25519')}`,
    `PidFile ${pidFile}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    'Subsystem sftp internal-sftp',
    // No AcceptEnv line: no client environment variable is accepted.
    'PrintMotd no',
    'UseDNS no',
    // Sessions get a HOME of their own, empty: a deploy user's login is light, and the test
    // machine's own ~/.bashrc (pyenv and more, ~0.5 s a command) must not slow every command.
    `SetEnv HOME=${path.join(dir, 'home')}`,
    `LogLevel ${logLevel}`,
    '',
  ].join('\n');
}

export async function startSshFleet(options: SshFleetOptions): Promise<SshFleet> {
  const count = options.hosts;
  if (!Number.isInteger(count) || count < 1 || count > 253) throw new Error(`startSshFleet: hosts must be 1..253, got ${count}`);
  const addresses = Array.from({ length: count }, (_, i) => fleetAddress(i));

  // A leftover sshd from a crashed run would answer in our place: refuse before starting anything.
  const probes = await Promise.all(addresses.map((address) => probe(address, SSH_FLEET_PORT)));
  const taken = addresses.filter((_, i) => probes[i] !== 'closed');
  if (taken.length > 0) throw new Error(taken.map(addressInUseMessage).join('\n'));

  const dir = await mkdtemp(path.join(os.tmpdir(), 'igor-sshd-fleet-'));
  const sshds: Sshd[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(sshds.map(terminate));
      await rm(dir, { recursive: true, force: true });
    })());

  try {
    const privateKeyPath = path.join(dir, 'client_ed25519');
    await Promise.all(
      [
        [privateKeyPath, 'igor-test-client'],
        [path.join(dir, 'host_ed25519'), 'igor-test-host'],
      ].map(([file, comment]) => execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment!, '-f', file!])),
    );
    await writeFile(path.join(dir, 'authorized_keys'), await readFile(`${privateKeyPath}.pub`, 'utf8'), { mode: 0o600 });
    await mkdir(path.join(dir, 'home'));

    const user = os.userInfo().username;
    const hosts: SshFleetHost[] = [];
    // The shared path is an empty folder on this machine; each host sees its own root there.
    const ownPath = options.ownPath ? { path: path.join(dir, 'srv'), roots: {} as Record<string, string> } : undefined;
    if (ownPath) await mkdir(ownPath.path);
    for (const [i, address] of addresses.entries()) {
      const name = `web-${i + 1}`;
      const configPath = path.join(dir, `sshd-${name}.conf`);
      await writeFile(configPath, sshdConfig(address, dir, path.join(dir, `sshd-${name}.pid`), options.logLevel));
      const root = ownPath ? path.join(dir, 'roots', name) : undefined;
      if (ownPath && root) {
        await mkdir(root, { recursive: true });
        ownPath.roots[name] = root;
      }
      sshds.push(spawnSshd(name, address, configPath, ownPath && root ? { root, at: ownPath.path } : undefined));
      hosts.push({ name, host: address, port: SSH_FLEET_PORT, user });
    }
    await Promise.all(sshds.map(waitUntilReady));
    const stopHost = async (name: string) => {
      const sshd = sshds.find((entry) => entry.name === name);
      if (!sshd) throw new Error(`the fleet has no host ${name}`);
      await terminate(sshd);
    };
    const logOf = (name: string) => sshds.find((entry) => entry.name === name)?.stderr ?? '';
    const sshdOf = (name: string) => {
      const sshd = sshds.find((entry) => entry.name === name);
      if (!sshd) throw new Error(`the fleet has no host ${name}`);
      return sshd;
    };
    const pauseHost = (name: string) => {
      const sshd = sshdOf(name);
      if (sshd.exit) throw new Error(`the sshd of ${name} is not running`);
      sshd.paused = true;
      sshd.child.kill('SIGSTOP');
    };
    const resumeHost = (name: string) => resume(sshdOf(name));
    const sessionsOf = (name: string) => ({ ...sshdOf(name).sessions });
    return { hosts, privateKeyPath, dir, ...(ownPath ? { ownPath } : {}), stopHost, pauseHost, resumeHost, logOf, sessionsOf, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---- pid files ----

interface ProcStat {
  state: string;
  pgrp: number;
}

async function procStat(pid: number | 'self'): Promise<ProcStat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp …": comm may contain spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

async function isAlive(pid: number): Promise<boolean> {
  const stat = await procStat(pid);
  if (stat) return stat.state !== 'Z' && stat.state !== 'X'; // a zombie is dead, merely unreaped
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitForDeath(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (await isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
  return true;
}

async function killPid(pid: number): Promise<void> {
  const [stat, self] = await Promise.all([procStat(pid), procStat('self')]);
  // An app started with `setsid` leads its own process group: signal the group so its children go too.
  const group = stat !== undefined && stat.pgrp === pid && stat.pgrp !== self?.pgrp;
  const target = group ? -pid : pid;
  signal(target, 'SIGTERM');
  if (!(await waitForDeath(pid, 1_000))) {
    signal(target, 'SIGKILL');
    await waitForDeath(pid, 1_000);
  }
  if (group) signal(-pid, 'SIGKILL'); // stragglers of the group, if any
}

/**
 * Kills every process whose working directory is under `dir` (read from /proc): the apps a test's
 * restarts started, also those whose pid file was never written or was overwritten.
 */
export async function killProcessesUnder(dir: string): Promise<void> {
  const root = path.resolve(dir) + path.sep;
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const pids: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
    // A release folder removed under a running app reads as "… (deleted)".
    if (cwd && `${cwd.replace(/ \(deleted\)$/, '')}${path.sep}`.startsWith(root)) pids.push(pid);
  }
  await Promise.all(pids.map((pid) => killPid(pid)));
}

/**
 * For each pid file that exists, kill the process it names (SIGTERM, then SIGKILL if still alive
 * after 1 s). Missing files, unparsable contents and processes already gone are ignored.
 */
export async function killPidFiles(paths: string[]): Promise<void> {
  await Promise.all(
    paths.map(async (file) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return;
      }
      const pid = Number.parseInt(text.trim(), 10);
      if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
      await killPid(pid);
    }),
  );
}
