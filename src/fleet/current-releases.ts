import { formatDuration } from '../config/duration.js';
import { liveRelease } from './host-deploy.js';
import type { Connect, Discovery, Server, Transport } from './types.js';

/** What one server said its `current` points at, or why it said nothing. */
export interface HostAnswer {
  host: string;
  /** The release `current` points at; null when it has none (or did not answer). */
  release: string | null;
  /** Why it did not answer: unreachable, refused, or silent past the time limit. Null when it answered. */
  error: string | null;
}

/** Discovery did not answer in time, or failed: no server could be asked. */
export class DiscoveryUnansweredError extends Error {
  override name = 'DiscoveryUnansweredError';
}

/**
 * Asks every server of an environment, all at once, which release its `current` points at. Each
 * server gets `timeoutMs` in all (handshake and command); one that is silent past it (a stopped
 * sshd accepts the connection and says nothing) is answered for with an error, and whatever was
 * still opening to it is closed when it arrives. Discovery gets `timeoutMs` too.
 *
 * @example
 * await askCurrentReleases(discovery, connect, { timeoutMs: 3_000 })
 * // [{ host: 'web-1', release: '20261126T102030Z-abcdef0', error: null }, { host: 'web-2', release: null, error: 'no answer within 3s' }]
 */
export async function askCurrentReleases(discovery: Discovery, connect: Connect, options: { timeoutMs: number }): Promise<HostAnswer[]> {
  let servers: Server[];
  try {
    servers = await withinTime(discovery.servers(), options.timeoutMs);
  } catch (error) {
    const why = error instanceof SilentError ? `discovery (${discovery.name}) did not answer within ${formatDuration(options.timeoutMs)}` : `discovery (${discovery.name}) failed: ${(error as Error).message}`;
    throw new DiscoveryUnansweredError(why, { cause: error });
  }
  return Promise.all(servers.map((server) => askOne(server, connect, options.timeoutMs)));
}

async function askOne(server: Server, connect: Connect, timeoutMs: number): Promise<HostAnswer> {
  const deadline = Date.now() + timeoutMs;
  // Set once this host has been answered for: a transport that opens after that is closed at once.
  let settled = false;
  let opened: Transport | null = null;
  const work = (async () => {
    const transport = await connect(server, { timeoutMs });
    if (settled) {
      void transport.close().catch(() => undefined);
      return null;
    }
    opened = transport;
    return liveRelease(transport, server.path, { timeoutMs: Math.max(deadline - Date.now(), 1) });
  })();
  try {
    return { host: server.name, release: await withinTime(work, timeoutMs), error: null };
  } catch (error) {
    return { host: server.name, release: null, error: error instanceof SilentError ? `no answer within ${formatDuration(timeoutMs)}` : (error as Error).message };
  } finally {
    settled = true;
    // The late work's own failure is already answered for above.
    work.catch(() => undefined);
    void (opened as Transport | null)?.close().catch(() => undefined);
  }
}

class SilentError extends Error {
  override name = 'SilentError';
}

/** `promise`, or a {@link SilentError} once `ms` have passed without it settling. */
function withinTime<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SilentError(`no answer within ${formatDuration(ms)}`)), ms);
  });
  return Promise.race([promise, silence]).finally(() => clearTimeout(timer));
}
