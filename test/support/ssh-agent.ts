// A real ssh-agent on a socket of its own, run in the foreground (-D) so the test owns its process.
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { trackChild, untrackChild } from './processes.js';

export interface SshAgent {
  socket: string;
  /** `ssh-add KEY` against this agent. */
  add(privateKeyPath: string): Promise<void>;
  /** Kills the agent and removes its folder. Safe to call more than once. */
  stop(): Promise<void>;
}

export async function startSshAgent(): Promise<SshAgent> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'igor-ssh-agent-'));
  const socket = path.join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  trackChild(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      untrackChild(child);
      await rm(dir, { recursive: true, force: true });
    })());
  const deadline = Date.now() + 5_000;
  while (!(await access(socket).then(() => true, () => false))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`ssh-agent did not create ${socket} within 5 s`);
    }
    await sleep(20);
  }
  return {
    socket,
    add: async (privateKeyPath) => void (await execa('ssh-add', ['-q', privateKeyPath], { env: { SSH_AUTH_SOCK: socket } })),
    stop,
  };
}
