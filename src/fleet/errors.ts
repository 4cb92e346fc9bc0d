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

export type HostPhase = 'connect' | 'upload' | 'unpack' | 'steps' | 'switch' | 'restart' | 'health' | 'prune' | 'verify';
