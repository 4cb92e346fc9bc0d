import { posix } from 'node:path';
import type { HealthConfig } from '../config/schema.js';
import { HostPhaseError } from './errors.js';
import { healthUrl, waitUntilHealthy } from './health.js';
import { layout, phaseRunner, releaseEnv, switchCurrent, type CommandLimits } from './host-deploy.js';
import type { Server, Transport } from './types.js';

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
  const found = await transport.exec(['bash', '-c', '[ -d "$1" ] && echo has || echo missing; readlink -- "$2" || true', 'igor', paths.release, paths.current], { timeoutMs: limits.stepTimeoutMs, signal: limits.signal });
  const [has, current] = found.stdout.split('\n').map((line) => line.trim());
  if (found.code !== 0 || (has !== 'has' && has !== 'missing')) throw new HostPhaseError('switch', `could not read ${paths.current}: ${found.stderr.trim() || `exit code ${found.code}`}`);
  return { has: has === 'has', current: current ? posix.basename(current) : null };
}

/**
 * Puts a release that is still on the server back live: switch `current`, restart, health check.
 * No upload and no steps: the release ran them when it was first deployed. `onPhase` hears the
 * restart and the health check as they start (the switch is where it begins).
 */
export async function restoreRelease(server: Server, transport: Transport, release: string, job: RestoreJob, onPhase: (phase: 'restart' | 'health') => void = () => {}): Promise<void> {
  // One round trip: is the release there, and which commit is it (exit 3: not there).
  const found = await transport.exec(['bash', '-c', '[ -d "$1" ] || exit 3; cat -- "$1/REVISION" 2>/dev/null || true', 'igor', layout(server.path, release).release], { timeoutMs: job.stepTimeoutMs, signal: job.signal });
  if (found.code === 3) throw new HostPhaseError('switch', `release ${release} is not on this host any more`);
  const sha = found.code === 0 ? found.stdout.trim() : '';
  await switchCurrent(transport, server.path, release, job);
  if (job.restart) {
    onPhase('restart');
    const env = releaseEnv(server, { app: job.app, environment: job.environment, release, sha });
    await phaseRunner(transport, job)('restart', ['bash', '-lc', job.restart], { cwd: layout(server.path, release).release, env }, `"${job.restart}"`);
  }
  const health = server.health ?? job.health;
  if (health) {
    onPhase('health');
    // The commit is the one REVISION names; an older release may lack the file, and then only {release} can be expected.
    await waitUntilHealthy(healthUrl(health, server.address), health, { sha, release });
  }
}

/** Leaves a `BAD_RELEASE` file in the release folder, so people on the server see it too. */
export async function markReleaseBad(transport: Transport, root: string, release: string, reason: string): Promise<void> {
  const file = posix.join(layout(root, release).release, 'BAD_RELEASE');
  await transport.exec(['bash', '-c', '[ -d "$(dirname "$1")" ] && printf "%s\\n" "$2" > "$1" || true', 'igor', file, reason]);
}

/** Removes the `BAD_RELEASE` mark when a person deliberately puts that release back. */
export async function clearBadMark(transport: Transport, root: string, release: string): Promise<void> {
  await transport.exec(['rm', '-f', '--', posix.join(layout(root, release).release, 'BAD_RELEASE')]);
}
