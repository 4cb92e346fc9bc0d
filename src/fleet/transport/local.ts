import { copyFile, mkdir, readlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa } from 'execa';
import type { CommandResult, ExecOptions, Transport } from '../types.js';
import { commandStopper } from './command-stop.js';

/** What a command on a local server inherits from igor: enough to find programs, none of igor's secrets. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'TZ'];

export interface LocalTransportOptions {
  /** The HOME its commands get (igor's home as the composition root was given it); else igor's own. */
  home?: string | undefined;
}

/**
 * A server that is this machine: commands are child processes, files are copied.
 * The reference implementation of {@link Transport}.
 */
export function createLocalTransport(settings: LocalTransportOptions = {}): Transport {
  const baseEnv = Object.fromEntries(INHERITED.flatMap((key) => (process.env[key] ? [[key, process.env[key]]] : [])));
  if (settings.home) baseEnv.HOME = settings.home;
  return {
    name: 'local',
    async exec(argv: readonly string[], options: ExecOptions = {}): Promise<CommandResult> {
      const [file, ...args] = argv;
      if (!file) throw new Error('[fleet] [local] exec needs a command');
      const started: { group?: number | undefined } = {};
      const stopper = commandStopper(argv, options, (signal) => {
        try {
          if (started.group) process.kill(-started.group, signal);
        } catch {
          // The group is gone already.
        }
      });
      if (stopper.stopping) throw stopper.finish()!;
      // Its own process group (as sshd gives a remote command), so a stop reaches its children too.
      const child = execa(file, args, {
        cwd: options.cwd,
        env: { ...baseEnv, ...options.env },
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        detached: true,
      });
      started.group = child.pid;
      const result = await child;
      const stopped = stopper.finish();
      if (stopped) throw stopped;
      if (result.failed && result.exitCode === undefined) {
        return { code: 127, stdout: '', stderr: result.shortMessage ?? `cannot run ${file}` };
      }
      return { code: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
    },
    async putFile(localPath: string, remotePath: string): Promise<void> {
      await mkdir(dirname(remotePath), { recursive: true });
      await copyFile(localPath, remotePath);
    },
    async readLink(path: string): Promise<string | null> {
      try {
        return await readlink(path);
      } catch (error) {
        // Missing, or not a link: what `readlink` without -f says nothing for.
        if (['ENOENT', 'EINVAL', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
        throw error;
      }
    },
    async close(): Promise<void> {},
  };
}
