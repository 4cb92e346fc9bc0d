/** A server could not be reached or refused the connection; names the server. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** A phase of a host deployment went wrong; `phase` says which, the message says why. */
export class HostPhaseError extends Error {
  override name = 'HostPhaseError';
  constructor(
    readonly phase: HostPhase,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${phase}: ${message}`, options);
  }
}

/** A command of a phase exited non-zero: its exit code, for a caller that tells one failure from another. */
export class PhaseCommandError extends HostPhaseError {
  override name = 'PhaseCommandError';
  constructor(
    phase: HostPhase,
    readonly exitCode: number,
    message: string,
  ) {
    super(phase, message);
  }
}

/**
 * A command on a server was stopped before it ended: the run was cancelled (`stopped`), or it ran
 * past its time limit (`timed-out`, after `timeoutMs`). Its process group was killed.
 */
export class CommandStoppedError extends Error {
  override name = 'CommandStoppedError';
  constructor(
    readonly why: 'stopped' | 'timed-out',
    readonly timeoutMs: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

export type HostPhase = 'connect' | 'upload' | 'unpack' | 'steps' | 'switch' | 'restart' | 'health' | 'prune' | 'verify';
