import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import pLimit from 'p-limit';
import type { Connect, Discovery, Server, Transport } from '../fleet/types.js';
import type { PushReport } from './model.js';

/** Where apps using flagd's file provider read an environment's flags: `<path>/shared/flags.json`. */
export function flagsFilePath(server: Server): string {
  return posix.join(server.path, 'shared', 'flags.json');
}

/**
 * Writes `json` to `shared/flags.json` on every server of the environment. Each host gets the file
 * under a temporary name in the same folder first, then `mv` renames it over the old one, so a
 * reader sees the old file or the new one, never half of one. A host that fails is reported, not
 * thrown: the others still get the file.
 */
export async function pushFlagsFile(options: { json: string; discovery: Discovery; connect: Connect; parallel: number }): Promise<PushReport> {
  let servers: Server[];
  try {
    servers = await options.discovery.servers();
  } catch (error) {
    return { error: `could not list the hosts: ${(error as Error).message}`, hosts: [] };
  }
  if (servers.length === 0) return { error: null, hosts: [] };
  const dir = await mkdtemp(join(tmpdir(), 'igor-flags-'));
  try {
    const local = join(dir, 'flags.json');
    await writeFile(local, options.json);
    const limit = pLimit(Math.max(1, options.parallel));
    const hosts = await Promise.all(servers.map((server) => limit(() => pushToHost(server, options.connect, local))));
    return { error: null, hosts };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function pushToHost(server: Server, connect: Connect, local: string): Promise<PushReport['hosts'][number]> {
  const target = flagsFilePath(server);
  // A dot name beside the target: the same filesystem, so the `mv` is a rename.
  const temporary = posix.join(posix.dirname(target), `.flags.json.igor-${randomUUID()}`);
  let transport: Transport | null = null;
  try {
    transport = await connect(server);
    await transport.putFile(local, temporary);
    const moved = await transport.exec(['mv', '-f', '-T', '--', temporary, target]);
    if (moved.code !== 0) throw new Error(`mv exited with code ${moved.code}${moved.stderr.trim() ? `: ${moved.stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`);
    return { host: server.name, ok: true, error: null };
  } catch (error) {
    if (transport) await transport.exec(['rm', '-f', '--', temporary]).catch(() => undefined);
    return { host: server.name, ok: false, error: `[flags] ${server.name}: ${(error as Error).message}` };
  } finally {
    await transport?.close().catch(() => undefined);
  }
}
