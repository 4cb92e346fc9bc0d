import { posix } from 'node:path';
import type { HealthConfig } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import { CommandStoppedError, HostPhaseError, PhaseCommandError, type HostPhase } from './errors.js';
import { healthUrl, waitUntilHealthy } from './health.js';
import { releasesToPrune } from './releases.js';
import type { CommandResult, Server, Transport } from './types.js';

/** The tested tree, packed once: every host gets these same bytes. */
export interface Artifact {
  path: string;
  sha256: string;
}

/** An artifact the server fetches itself (`artifacts.s3`) instead of igor uploading it. */
export interface ArtifactDownload {
  /** `s3://bucket/key`: what messages show. */
  location: string;
  /** A short-lived URL; a capability, so it never appears in a log or a message. */
  url(): Promise<string>;
}

export interface HostDeployment {
  app: string;
  environment: string;
  release: string;
  sha: string;
  artifact: Artifact;
  /** Set with `artifacts.s3`: each server downloads the artifact with curl; igor sends only commands. */
  download?: ArtifactDownload | undefined;
  steps: readonly string[];
  restart: string | undefined;
  health: HealthConfig | undefined;
  keepReleases: number;
  /** Every command on the host is killed after this long (`environments.<env>.stepTimeout`). */
  stepTimeoutMs: number;
  /** Aborting it kills the command running on the host now; the deployment then fails with a `CommandStoppedError`. */
  signal?: AbortSignal | undefined;
}

/** Paths of the contract's server layout under a deploy root. */
export function layout(root: string, release: string) {
  return {
    releases: posix.join(root, 'releases'),
    release: posix.join(root, 'releases', release),
    shared: posix.join(root, 'shared'),
    current: posix.join(root, 'current'),
  };
}

/**
 * Ships one release to one server: upload → unpack (with `REVISION`) → steps → atomic switch of
 * `current` → restart → health → prune. `onPhase` hears each phase as it starts. Returns the
 * release that was live before, so a rollback knows where to go back to.
 *
 * Every command costs a round trip and a shell start-up on the server (sshd runs it through the
 * user's shell, which reads `~/.bashrc`: `pyenv init` and the like, 150 ms and more), so the fixed
 * work is a few scripts run with `bash --noprofile --norc`, their inputs positional arguments,
 * never pasted into them; only the user's own `steps` and `restart` get a login shell. Reading
 * `current` and uploading go over SFTP, which starts no shell. On a server that had the release
 * before: one command to unpack, one to switch and restart, and one to prune, in parallel with
 * the health check.
 */
export async function deployToHost(
  server: Server,
  transport: Transport,
  job: HostDeployment,
  onPhase: (phase: HostPhase, previousRelease: string | null) => void = () => {},
): Promise<{ previousRelease: string | null }> {
  const paths = layout(server.path, job.release);
  const run = phaseRunner(transport, job);
  const previousRelease = await readPrevious(transport, paths.current, job.stepTimeoutMs);
  onPhase('upload', previousRelease);
  const upload = posix.join(paths.releases, `.${job.release}.tar.gz`);
  if (job.download) await downloadArtifact(run, job.download, upload, job.stepTimeoutMs);
  else {
    try {
      await transport.putFile(job.artifact.path, upload);
    } catch (error) {
      throw new HostPhaseError('upload', (error as Error).message, { cause: error });
    }
  }

  onPhase('unpack', previousRelease);
  const unpacked = await run('unpack', [...PLAIN_BASH, UNPACK, 'igor', upload, job.artifact.sha256, paths.release, job.sha, paths.shared, paths.releases]);
  // The release folders after the unpack, this one included: what prune chooses from.
  const doomed = releasesToPrune(unpacked.stdout.split('\n'), job.keepReleases, job.release, previousRelease);

  const env = releaseEnv(server, job);
  for (const step of job.steps) {
    onPhase('steps', previousRelease);
    await run('steps', ['bash', '-lc', step], { cwd: paths.release, env }, `"${step}"`);
  }

  onPhase('switch', previousRelease);
  if (job.restart) {
    // The switch and the restart are one command. The restart is heard of as the command starts
    // (a rollback then counts the host as switched; putting back a host whose switch had not
    // happened yet only restarts what it runs), and a failed switch still names its phase.
    onPhase('restart', previousRelease);
    await switchAndRestart(transport, server, job.release, job.restart, env, job);
  } else await switchCurrent(transport, server.path, job.release, job);

  // Prune runs beside the health check: it never touches this release nor the one before it, which
  // is all a failed health check goes back to. Its outcome is awaited in its own phase.
  const pruning = doomed.length ? run('prune', ['rm', '-rf', '--', ...doomed.map((name) => posix.join(paths.releases, name))]) : Promise.resolve(null);
  pruning.catch(() => undefined);
  const health = server.health ?? job.health;
  if (health) {
    onPhase('health', previousRelease);
    await waitUntilHealthy(healthUrl(health, server.address), health, { sha: job.sha, release: job.release }, job.signal);
  }

  onPhase('prune', previousRelease);
  await pruning;
  return { previousRelease };
}

/** A non-login shell that reads no start-up file: igor's own scripts need none. */
export const PLAIN_BASH = ['bash', '--noprofile', '--norc', '-c'] as const;

/** The release `current` points at before the upload, read over SFTP: no shell start-up. */
async function readPrevious(transport: Transport, current: string, timeoutMs: number): Promise<string | null> {
  try {
    const target = await transport.readLink(current, { timeoutMs });
    return target?.trim() ? posix.basename(target.trim()) : null;
  } catch (error) {
    throw new HostPhaseError('upload', `cannot read ${current}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The server fetches the artifact itself: `curl --fail` with retries, bounded by `stepTimeout`.
 * The URL is passed as an argument, never shown: errors name the object's location instead.
 */
async function downloadArtifact(run: ReturnType<typeof phaseRunner>, download: ArtifactDownload, target: string, stepTimeoutMs: number): Promise<void> {
  const url = await download.url();
  const maxTime = String(Math.max(1, Math.ceil(stepTimeoutMs / 1000)));
  try {
    await run('upload', [...PLAIN_BASH, DOWNLOAD, 'igor', target, url, maxTime], {}, `curl ${download.location}`);
  } catch (error) {
    if (!(error instanceof HostPhaseError)) throw error;
    // curl's own words may quote the URL (its host at least): never let the signature through.
    const message = error.message.slice(error.phase.length + 2).replaceAll(url, download.location).replace(/X-Amz-[A-Za-z-]+=[^&\s]*/g, 'X-Amz-…');
    throw new HostPhaseError('upload', `could not download ${download.location}: ${message}`, { cause: error.cause });
  }
}

const DOWNLOAD = ['set -eu', 'mkdir -p -- "$(dirname -- "$1")"', 'rm -f -- "$1"', 'curl --fail --silent --show-error --retry 3 --max-time "$3" -o "$1" "$2"'].join('\n');

/**
 * Checks the uploaded archive's SHA-256, unpacks it into a clean release folder, writes REVISION,
 * makes `shared/`, and lists the release folders (for prune).
 */
const UNPACK = [
  'set -eu',
  'upload=$1 sum=$2 release=$3 sha=$4 shared=$5 releases=$6',
  'actual=$(sha256sum -- "$upload" | cut -d" " -f1)',
  '[ "$actual" = "$sum" ] || { echo "the artifact\'s checksum differs ($actual, expected $sum)" >&2; exit 1; }',
  'rm -rf -- "$release" && mkdir -p -- "$release"',
  'tar -xzf "$upload" -C "$release"',
  'rm -f -- "$upload"',
  'printf "%s\n" "$sha" > "$release/REVISION"',
  'mkdir -p -- "$shared"',
  'ls -1 -- "$releases"',
].join('\n');

/** The release `current` points at, or null on a server that never had one. `timeoutMs` bounds the command (it rejects with a `CommandStoppedError` then). */
export async function liveRelease(transport: Transport, root: string, limits: { timeoutMs?: number } = {}): Promise<string | null> {
  // A link read, not a `readlink` command: no shell start-up on the server.
  const target = await transport.readLink(posix.join(root, 'current'), limits);
  return target?.trim() ? posix.basename(target.trim()) : null;
}

/** `ln -s` to a temporary name, then `mv -T` over `current`, so the switch is atomic even if `current` exists. */
export async function switchCurrent(transport: Transport, root: string, release: string, limits: CommandLimits): Promise<void> {
  const paths = layout(root, release);
  const temporary = posix.join(root, `.current-${release}`);
  await phaseRunner(transport, limits)('switch', [...PLAIN_BASH, SWITCH, 'igor', paths.release, temporary, paths.current]);
}

const SWITCH = 'ln -sfn -- "$1" "$2" && mv -T -- "$2" "$3"';

/** Exit code of {@link SWITCH_AND_RESTART} when the switch failed (the restart never ran). */
const SWITCH_FAILED = 97;

/**
 * Switches `current`, then runs the user's `restart` in a login shell in the release folder: one
 * command. Exit {@link SWITCH_FAILED} means the switch failed; anything else is the restart's.
 */
const SWITCH_AND_RESTART = [`{ ${SWITCH}; } || { echo "could not switch $3 to $1" >&2; exit ${SWITCH_FAILED}; }`, 'cd -- "$1"', 'exec bash -lc "$4"'].join('\n');

/**
 * The switch and the restart in one round trip (see {@link SWITCH_AND_RESTART}); a failure is a
 * {@link HostPhaseError} of the phase that failed. `env` is the restart's (the contract's `IGOR_*`).
 */
export async function switchAndRestart(transport: Transport, server: Server, release: string, restart: string, env: Record<string, string>, limits: CommandLimits): Promise<CommandResult> {
  const paths = layout(server.path, release);
  const temporary = posix.join(server.path, `.current-${release}`);
  try {
    return await phaseRunner(transport, limits)('restart', [...PLAIN_BASH, SWITCH_AND_RESTART, 'igor', paths.release, temporary, paths.current, restart], { env }, `"${restart}"`);
  } catch (error) {
    if (error instanceof PhaseCommandError && error.exitCode === SWITCH_FAILED) throw new HostPhaseError('switch', `could not switch ${paths.current} to ${paths.release}: ${error.message.split('\n').slice(1).join('\n')}`, { cause: error });
    throw error;
  }
}

/** The contract's `IGOR_*` variables for steps and restart on a server. */
export function releaseEnv(server: Server, job: Pick<HostDeployment, 'app' | 'environment' | 'release' | 'sha'>): Record<string, string> {
  return {
    IGOR_APP: job.app,
    IGOR_ENVIRONMENT: job.environment,
    IGOR_RELEASE: job.release,
    IGOR_RELEASE_PATH: layout(server.path, job.release).release,
    IGOR_SHA: job.sha,
    IGOR_HOST: server.address,
    IGOR_PATH: server.path,
  };
}

/** What bounds every command on a host: the environment's `stepTimeout`, and the run's stop signal. */
export interface CommandLimits {
  environment: string;
  stepTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Runs a command as part of a phase; a non-zero exit becomes a {@link HostPhaseError} with the
 * output's tail, and so does a command killed at `stepTimeout` (naming the setting) or by a stop.
 */
export function phaseRunner(transport: Transport, limits: CommandLimits) {
  return async (phase: HostPhase, argv: string[], options: Parameters<Transport['exec']>[1] = {}, label?: string): Promise<CommandResult> => {
    const what = label ?? argv[0];
    let result: CommandResult;
    try {
      result = await transport.exec(argv, { ...options, signal: limits.signal, timeoutMs: limits.stepTimeoutMs });
    } catch (error) {
      if (!(error instanceof CommandStoppedError)) throw error;
      const why =
        error.why === 'timed-out'
          ? `${what} did not finish within ${formatDuration(limits.stepTimeoutMs)} and was killed (environments.${limits.environment}.stepTimeout)`
          : `${what} was killed: the deployment was stopped`;
      throw new HostPhaseError(phase, why, { cause: error });
    }
    if (result.code !== 0) {
      const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-10).join('\n');
      throw new PhaseCommandError(phase, result.code, `${what} exited with code ${result.code}${output ? `:\n${output}` : ''}`);
    }
    return result;
  };
}
