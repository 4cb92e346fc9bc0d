import { posix } from 'node:path';
import type { HealthConfig } from '../config/schema.js';
import { HostPhaseError, PhaseCommandError } from './errors.js';
import { healthUrl, waitUntilHealthy } from './health.js';
import { layout, phaseRunner, PLAIN_BASH, releaseEnv, type CommandLimits } from './host-deploy.js';
import type { CommandResult, Server, Transport } from './types.js';

export interface RestoreJob extends CommandLimits {
  app: string;
  restart: string | undefined;
  health: HealthConfig | undefined;
}

/**
 * Whether the release folder is still on the server (a rollback needs no upload, only this), and
 * which release its `current` points at now (null: none), in one round trip.
 */
export async function releaseOnHost(transport: Transport, root: string, release: string, limits: CommandLimits): Promise<{ has: boolean; current: string | null }> {
  const paths = layout(root, release);
  const found = await transport.exec([...PLAIN_BASH, '[ -d "$1" ] && echo has || echo missing; readlink -- "$2" || true', 'igor', paths.release, paths.current], { timeoutMs: limits.stepTimeoutMs, signal: limits.signal });
  const [has, current] = found.stdout.split('\n').map((line) => line.trim());
  if (found.code !== 0 || (has !== 'has' && has !== 'missing')) throw new HostPhaseError('switch', `could not read ${paths.current}: ${found.stderr.trim() || `exit code ${found.code}`}`);
  return { has: has === 'has', current: current ? posix.basename(current) : null };
}

/**
 * Puts a release that is still on the server back live: switch `current`, restart, health check.
 * No upload and no steps: the release ran them when it was first deployed. `onPhase` hears the
 * restart and the health check as they start (the switch is where it begins).
 *
 * One command on the server: is the release there, which commit is it, switch, and the user's
 * `restart` in a login shell (each command costs a shell start-up on the server).
 */
export async function restoreRelease(server: Server, transport: Transport, release: string, job: RestoreJob, onPhase: (phase: 'restart' | 'health') => void = () => {}): Promise<void> {
  const paths = layout(server.path, release);
  const temporary = posix.join(server.path, `.current-${release}`);
  if (job.restart) onPhase('restart');
  const env = releaseEnv(server, { app: job.app, environment: job.environment, release, sha: '' });
  let restored: CommandResult;
  try {
    restored = await phaseRunner(transport, job)('restart', [...PLAIN_BASH, RESTORE, 'igor', paths.release, temporary, paths.current, job.restart ?? ''], { env }, job.restart ? `"${job.restart}"` : 'the switch');
  } catch (error) {
    if (!(error instanceof PhaseCommandError)) throw error;
    if (error.exitCode === NOT_THERE) throw new HostPhaseError('switch', `release ${release} is not on this host any more`);
    if (error.exitCode === SWITCH_FAILED) throw new HostPhaseError('switch', `could not switch ${paths.current} to ${paths.release}: ${error.message.split('\n').slice(1).join('\n')}`, { cause: error });
    throw error;
  }
  // The first line is the commit REVISION names; an older release may lack the file, and then only {release} can be expected.
  const sha = restored.stdout.split('\n')[0]!.trim();
  const health = server.health ?? job.health;
  if (health) {
    onPhase('health');
    await waitUntilHealthy(healthUrl(health, server.address), health, { sha, release });
  }
}

/** Exit codes of {@link RESTORE}: the release folder is missing; the switch failed. */
const NOT_THERE = 3;
const SWITCH_FAILED = 97;

/**
 * `$1` release folder, `$2` temporary link, `$3` current, `$4` restart (empty: none). Prints the
 * release's commit first (REVISION, or an empty line), exports it as IGOR_SHA for the restart.
 */
const RESTORE = [
  `[ -d "$1" ] || exit ${NOT_THERE}`,
  'IGOR_SHA=$(cat -- "$1/REVISION" 2>/dev/null || true)',
  'export IGOR_SHA',
  'printf "%s\n" "$IGOR_SHA"',
  `{ ln -sfn -- "$1" "$2" && mv -T -- "$2" "$3"; } || { echo "could not switch $3 to $1" >&2; exit ${SWITCH_FAILED}; }`,
  '[ -n "$4" ] || exit 0',
  'cd -- "$1"',
  'exec bash -lc "$4"',
].join('\n');

/** Leaves a `BAD_RELEASE` file in the release folder, so people on the server see it too. */
export async function markReleaseBad(transport: Transport, root: string, release: string, reason: string): Promise<void> {
  const file = posix.join(layout(root, release).release, 'BAD_RELEASE');
  await transport.exec([...PLAIN_BASH, '[ -d "$(dirname "$1")" ] && printf "%s\\n" "$2" > "$1" || true', 'igor', file, reason], { timeoutMs: MARK_TIMEOUT_MS });
}

/** Removes the `BAD_RELEASE` mark when a person deliberately puts that release back. */
export async function clearBadMark(transport: Transport, root: string, release: string): Promise<void> {
  await transport.exec(['rm', '-f', '--', posix.join(layout(root, release).release, 'BAD_RELEASE')], { timeoutMs: MARK_TIMEOUT_MS });
}

/** A mark is one small file: a server that takes longer than this to write it is not answering. */
const MARK_TIMEOUT_MS = 30_000;
