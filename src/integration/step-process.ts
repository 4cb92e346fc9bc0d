import { execa } from 'execa';
import { formatDuration } from '../config/duration.js';

export type StepOutcome = { ok: true } | { ok: false; reason: string };

export interface StepProcessOptions {
  command: string;
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  timeoutMs: number;
  signal: AbortSignal;
}

/** How long a process group gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 3_000;

/**
 * Runs one configured command with `bash -lc` in its own process group, output appended to
 * `logFile` as it comes. On timeout or abort the whole group is killed (a test runner's children
 * too), not just bash.
 */
export async function runStepProcess(options: StepProcessOptions): Promise<StepOutcome> {
  const child = execa('bash', ['-lc', options.command], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: 'ignore',
    stdout: { file: options.logFile, append: true },
    stderr: { file: options.logFile, append: true },
    detached: true,
    reject: false,
  });
  let stoppedBecause: string | null = null;
  const stop = (why: string) => {
    if (stoppedBecause || child.pid === undefined) return;
    stoppedBecause = why;
    killGroup(child.pid, 'SIGTERM');
    setTimeout(() => killGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  const timer = setTimeout(() => stop(`timed out after ${formatDuration(options.timeoutMs)}`), options.timeoutMs);
  const onAbort = () => stop('cancelled');
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (options.signal.aborted) onAbort();
  const result = await child;
  clearTimeout(timer);
  options.signal.removeEventListener('abort', onAbort);
  if (stoppedBecause) return { ok: false, reason: stoppedBecause };
  if (result.exitCode === 0) return { ok: true };
  if (result.exitCode === undefined) return { ok: false, reason: result.shortMessage ?? 'could not be started' };
  return { ok: false, reason: `exited with code ${result.exitCode}` };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
