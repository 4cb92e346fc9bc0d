import { formatDuration } from '../../config/duration.js';
import { CommandStoppedError } from '../errors.js';
import type { ExecOptions } from '../types.js';

/** How long a stopped command gets after SIGTERM before SIGKILL. */
export const KILL_GRACE_MS = 2_000;

/**
 * The one way a transport stops a command: on abort or at `timeoutMs`, `kill('SIGTERM')`, then
 * `kill('SIGKILL')` after {@link KILL_GRACE_MS}. `finish()` clears the timers and says whether
 * (and why) the command was stopped, as the error exec rejects with.
 */
export function commandStopper(argv: readonly string[], options: Pick<ExecOptions, 'signal' | 'timeoutMs'>, kill: (signal: 'SIGTERM' | 'SIGKILL') => void) {
  let why: CommandStoppedError['why'] | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (reason: CommandStoppedError['why']) => {
    if (why) return;
    why = reason;
    kill('SIGTERM');
    killTimer = setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS);
    killTimer.unref();
  };
  const onAbort = () => stop('stopped');
  const timeout = options.timeoutMs ? setTimeout(() => stop('timed-out'), options.timeoutMs) : undefined;
  timeout?.unref();
  // Already aborted: nothing is started (the transport checks `stopping` first), so nothing to kill.
  if (options.signal?.aborted) why = 'stopped';
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    /** Whether the command is stopped already: a transport starts nothing then, and one that gets its handle late kills it. */
    get stopping(): boolean {
      return why !== null;
    },
    finish(): CommandStoppedError | null {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (!why) return null;
      const command = argv[0] ?? 'the command';
      return why === 'stopped'
        ? new CommandStoppedError(why, options.timeoutMs, `${command} was killed: the run was stopped`)
        : new CommandStoppedError(why, options.timeoutMs, `${command} did not finish within ${formatDuration(options.timeoutMs!)} and was killed`);
    },
  };
}
