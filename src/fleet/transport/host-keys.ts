import { createHash } from 'node:crypto';
import type { ServerHostKeyAlgorithm } from 'ssh2';

/** Decides whether a server's host key is trusted; after a refusal, says why. */
export interface HostKeyCheck {
  /** A property, not a method: it is handed to ssh2 unbound. */
  verify: (key: Buffer) => boolean;
  refusal(): Error | null;
  /** Host key algorithms to ask the server for, most wanted first; absent: ssh2's default order. */
  algorithms?: ServerHostKeyAlgorithm[];
}

/** Where trusted host key fingerprints are kept (the store, in igor). */
export interface HostKeyStore {
  get(hostId: string): string | undefined;
  remember(hostId: string, fingerprint: string): void;
}

/** OpenSSH's form: `SHA256:` and unpadded base64 of the raw public key. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export class HostKeyMismatchError extends Error {
  override name = 'HostKeyMismatchError';
}

/**
 * Trust on first use, as OpenSSH's `StrictHostKeyChecking accept-new`: the first key seen for a
 * host is remembered; a different key later is refused. Returns the verifier and, after a
 * refusal, the error that says why.
 */
export function trustOnFirstUse(store: HostKeyStore, hostId: string): HostKeyCheck & { refusal(): HostKeyMismatchError | null } {
  let refusal: HostKeyMismatchError | null = null;
  return {
    verify(key: Buffer): boolean {
      const seen = fingerprint(key);
      const known = store.get(hostId);
      if (known === undefined) {
        store.remember(hostId, seen);
        return true;
      }
      if (known === seen) return true;
      refusal = new HostKeyMismatchError(
        `the host key of ${hostId} changed (was ${known}, now ${seen}); if the server was rebuilt, remove its entry from hostKeys in the store`,
      );
      return false;
    },
    refusal: () => refusal,
  };
}
