import type { HealthConfig } from '../config/schema.js';

/** One server of an environment, as discovery found it. */
export interface Server {
  /** What people call it in messages: `web-1`, an instance id, or the address. */
  name: string;
  /** The cloud's own id for it (EC2 instance id, GCE instance id, Azure vmId), when discovery has one. Not a key. */
  id?: string;
  /** What `{host}` and `IGOR_HOST` become; for SSH also where to connect. */
  address: string;
  /** How igor reaches it: over SSH, or on this machine with no SSH. */
  via: 'ssh' | 'local';
  port?: number;
  user?: string;
  /** The deploy root: `releases/`, `shared/` and `current` live here. */
  path: string;
  health?: HealthConfig;
}

/** Finds the servers of one environment now. */
export interface Discovery {
  readonly name: string;
  servers(): Promise<Server[]>;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Aborting it kills the command's whole process group; exec then rejects with a `CommandStoppedError`. */
  signal?: AbortSignal | undefined;
  /** After this long the command's process group is killed and exec rejects with a `CommandStoppedError`. */
  timeoutMs?: number | undefined;
}

/**
 * Runs commands on one server and copies files to it. Commands are argv arrays: an adapter that
 * needs a shell string (SSH) quotes every word, so nothing is ever interpreted by a shell
 * unless the argv itself asks for `bash -lc`.
 */
export interface Transport {
  readonly name: string;
  exec(argv: readonly string[], options?: ExecOptions): Promise<CommandResult>;
  putFile(localPath: string, remotePath: string): Promise<void>;
  /**
   * Where a symbolic link points (as written), or null when `path` is missing or not a link. It runs
   * no command (over SSH it is an SFTP request), so it costs no shell start-up on the server.
   * Rejects once `timeoutMs` (default 20 s) passes without an answer.
   */
  readLink(path: string, options?: { timeoutMs?: number | undefined }): Promise<string | null>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Give up on a server that has not answered the handshake within this long (SSH's ready timeout); the adapter's own default otherwise. */
  timeoutMs?: number;
}

/** Opens a transport to a server; the composition root picks SSH or local. */
export type Connect = (server: Server, options?: ConnectOptions) => Promise<Transport>;
