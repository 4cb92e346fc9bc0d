import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HostPhaseError } from '../../src/fleet/errors.js';
import { layout, liveRelease, switchCurrent } from '../../src/fleet/host-deploy.js';
import { restoreRelease, type RestoreJob } from '../../src/fleet/restore.js';
import { createLocalTransport } from '../../src/fleet/transport/local.js';
import type { Server, Transport } from '../../src/fleet/types.js';
import { cleanHome } from '../support/clean-home.js';

const OLD = '20261126T102001Z-aaaaaaa';
const NEW = '20261126T102002Z-bbbbbbb';
const OLD_SHA = 'a'.repeat(40);

let root: string;
let transport: Transport;
let server: Server;
let http: HttpServer | undefined;
const commands: string[][] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'igor-restore-'));
  const local = createLocalTransport({ home: await cleanHome(root) });
  transport = { ...local, exec: (argv, options) => (commands.push([...argv]), local.exec(argv, options)) };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  commands.length = 0;
  server = { name: 'web-1', address: '127.0.0.1', via: 'local', path: await mkdtemp(join(root, 'web-1-')) };
  for (const release of [OLD, NEW]) await mkdir(layout(server.path, release).release, { recursive: true });
  await writeFile(join(layout(server.path, OLD).release, 'REVISION'), `${OLD_SHA}\n`);
  await switchCurrent(transport, server.path, NEW, JOB);
  commands.length = 0;
});

afterEach(async () => {
  if (http) {
    const closing = new Promise((resolve) => http!.close(resolve));
    http.closeAllConnections();
    await closing;
    http = undefined;
  }
});

const JOB: RestoreJob = { app: 'shop', environment: 'production', restart: undefined, health: undefined, stepTimeoutMs: 60_000 };

/** A health endpoint that answers with the commit the restart wrote, as the example app does. */
async function revisionEndpoint(file: string): Promise<number> {
  http = createServer((_, response) => void readFile(file, 'utf8').then((sha) => response.end(`{"revision":"${sha.trim()}"}`), () => response.writeHead(503).end()));
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  return (http.address() as AddressInfo).port;
}

describe('restoreRelease', () => {
  it('switches back and restarts with the release commit in IGOR_SHA, in one command, then checks health for that commit', async () => {
    const served = join(server.path, 'served');
    const port = await revisionEndpoint(served);
    const phases: string[] = [];
    await restoreRelease(
      server,
      transport,
      OLD,
      { ...JOB, restart: 'printf "%s" "$IGOR_SHA" > "$IGOR_PATH/served"', health: { url: `http://{host}:${port}/health`, expectStatus: 200, expectBody: '"revision":"{sha}"', timeout: 1000, retries: 5, interval: 50 } },
      (phase) => phases.push(phase),
    );

    expect(await liveRelease(transport, server.path)).toBe(OLD);
    expect(await readFile(served, 'utf8')).toBe(OLD_SHA);
    expect(commands).toHaveLength(1);
    expect(phases).toEqual(['restart', 'health']);
  });

  it('fails in phase switch, naming the release, when the release is gone, and changes nothing', async () => {
    await rm(layout(server.path, OLD).release, { recursive: true });
    const error = await restoreRelease(server, transport, OLD, { ...JOB, restart: 'touch "$IGOR_PATH/restarted"' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(HostPhaseError);
    expect(error).toMatchObject({ phase: 'switch', message: `switch: release ${OLD} is not on this host any more` });
    expect(await liveRelease(transport, server.path)).toBe(NEW);
    expect(existsSync(join(server.path, 'restarted'))).toBe(false);
  });

  it('only switches when there is no restart', async () => {
    await restoreRelease(server, transport, OLD, JOB);
    expect(await liveRelease(transport, server.path)).toBe(OLD);
    expect(commands).toHaveLength(1);
  });

  it('fails in phase restart with the output tail when the restart fails, after the switch', async () => {
    const error = await restoreRelease(server, transport, OLD, { ...JOB, restart: 'echo the port is taken >&2; exit 4' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostPhaseError);
    expect((error as Error).message).toContain('restart: "echo the port is taken >&2; exit 4" exited with code 4:\nthe port is taken');
    expect(await liveRelease(transport, server.path)).toBe(OLD);
  });
});
