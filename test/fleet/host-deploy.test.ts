import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HealthConfig } from '../../src/config/schema.js';
import { exampleAppFiles } from '../../src/example/app-files.js';
import { createExampleRepository } from '../../src/example/repository.js';
import { HostPhaseError, type HostPhase } from '../../src/fleet/errors.js';
import { deployToHost, layout, liveRelease, releaseEnv, switchCurrent, type Artifact, type HostDeployment } from '../../src/fleet/host-deploy.js';
import { releaseName } from '../../src/fleet/releases.js';
import { createLocalTransport } from '../../src/fleet/transport/local.js';
import type { Server, Transport } from '../../src/fleet/types.js';
import { createMirror } from '../../src/integration/mirror.js';
import { cleanHome } from '../support/clean-home.js';

let root: string;
let sha: string;
let artifact: Artifact;
let transport: Transport;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'igor-host-deploy-'));
  transport = createLocalTransport({ home: await cleanHome(root) });
  sha = await createExampleRepository(join(root, 'source'));
  const mirror = createMirror({ repo: join(root, 'source'), cacheDir: join(root, 'cache') });
  await mirror.fetch();
  artifact = await mirror.archive(sha, join(root, 'artifact.tar.gz'));
});

afterAll(async () => {
  await transport.close();
  await rm(root, { recursive: true, force: true });
});

let server: Server;
let http: HttpServer | undefined;

beforeEach(async () => {
  server = { name: 'web-1', address: '127.0.0.1', via: 'local', path: await mkdtemp(join(root, 'web-1-')) };
});

afterEach(async () => {
  if (http) {
    const closing = new Promise((resolve) => http!.close(resolve));
    http.closeAllConnections();
    await closing;
    http = undefined;
  }
  await rm(server.path, { recursive: true, force: true });
});

const LIMITS = { environment: 'production', stepTimeoutMs: 600_000 };

/** The release of a deployment started at second `second` of a fixed minute. */
function release(second: number): string {
  return releaseName(new Date(Date.UTC(2026, 10, 26, 10, 20, second)), sha);
}

function deployment(overrides: Partial<HostDeployment> = {}): HostDeployment {
  return {
    app: 'shop',
    environment: 'production',
    release: release(1),
    sha,
    artifact,
    steps: [],
    restart: undefined,
    health: undefined,
    keepReleases: 5,
    stepTimeoutMs: 600_000,
    ...overrides,
  };
}

/** Starts a health endpoint on 127.0.0.1 answering the statuses in turn (the last one for ever after). */
async function healthServer(statuses: number[]): Promise<{ port: number; requests: () => number }> {
  let requests = 0;
  http = createServer((request, response) => {
    const status = statuses[Math.min(requests, statuses.length - 1)]!;
    requests++;
    response.writeHead(request.url === '/health' ? status : 404).end();
  });
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  return { port: (http.address() as AddressInfo).port, requests: () => requests };
}

function health(port: number): HealthConfig {
  return { url: `http://{host}:${port}/health`, expectStatus: 200, timeout: 1000, retries: 3, interval: 50 };
}

/** `KEY=value` lines as an object. */
function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Record<string, string>;
}

async function failure(promise: Promise<unknown>): Promise<HostPhaseError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(HostPhaseError);
  return error as HostPhaseError;
}

describe('deployToHost', () => {
  it('unpacks the release with REVISION and points current at it with an absolute symlink', async () => {
    const first = release(1);
    expect(await liveRelease(transport, server.path)).toBeNull();

    const result = await deployToHost(server, transport, deployment({ release: first }));

    expect(result).toEqual({ previousRelease: null });
    const paths = layout(server.path, first);
    expect(paths.release).toBe(join(server.path, 'releases', first));
    const target = await readlink(paths.current);
    expect(isAbsolute(target)).toBe(true);
    expect(target).toBe(paths.release);
    expect(await liveRelease(transport, server.path)).toBe(first);
    expect(await readFile(join(paths.release, 'REVISION'), 'utf8')).toBe(`${sha}\n`);
    for (const [name, content] of Object.entries(exampleAppFiles())) {
      expect(await readFile(join(paths.release, name), 'utf8')).toBe(content);
    }
    expect(existsSync(paths.shared)).toBe(true);
    expect((await readdir(paths.releases)).sort()).toEqual([first]);
    expect((await readdir(server.path)).sort()).toEqual(['current', 'releases', 'shared']);
  });

  it('runs steps and restart with bash -lc in the release folder, with the IGOR_* variables', async () => {
    const record = (prefix: string) =>
      `env | grep ^IGOR_ > "$IGOR_PATH/shared/${prefix}env.txt"; pwd > "$IGOR_PATH/shared/${prefix}pwd.txt"; shopt -q login_shell && echo login > "$IGOR_PATH/shared/${prefix}login.txt"`;
    const job = deployment({ release: release(1), steps: [record('step-')], restart: record('restart-') });

    await deployToHost(server, transport, job);

    const shared = layout(server.path, job.release).shared;
    const expected = {
      IGOR_APP: 'shop',
      IGOR_ENVIRONMENT: 'production',
      IGOR_RELEASE: job.release,
      IGOR_RELEASE_PATH: join(server.path, 'releases', job.release),
      IGOR_SHA: sha,
      IGOR_HOST: '127.0.0.1',
      IGOR_PATH: server.path,
    };
    expect(releaseEnv(server, job)).toEqual(expected);
    for (const prefix of ['step-', 'restart-']) {
      expect(parseEnv(await readFile(join(shared, `${prefix}env.txt`), 'utf8'))).toEqual(expected);
      expect((await readFile(join(shared, `${prefix}pwd.txt`), 'utf8')).trim()).toBe(expected.IGOR_RELEASE_PATH);
      expect((await readFile(join(shared, `${prefix}login.txt`), 'utf8')).trim()).toBe('login');
    }
  });

  it('does not interpret a step as anything but its own bash script', async () => {
    const marker = join(server.path, 'shared', 'marker');
    await deployToHost(server, transport, deployment({ steps: [`printf '%s' "it's \\$HOME" > "${marker}"`] }));
    expect(await readFile(marker, 'utf8')).toBe("it's $HOME");
  });

  it('returns the previous release on a later deploy and keeps shared/ across releases', async () => {
    await deployToHost(server, transport, deployment({ release: release(1) }));
    const kept = join(layout(server.path, release(1)).shared, 'uploads.txt');
    await writeFile(kept, 'user data\n');

    const result = await deployToHost(server, transport, deployment({ release: release(2) }));

    expect(result).toEqual({ previousRelease: release(1) });
    expect(await liveRelease(transport, server.path)).toBe(release(2));
    expect(await readFile(kept, 'utf8')).toBe('user data\n');
    expect((await readdir(layout(server.path, '').releases)).sort()).toEqual([release(1), release(2)]);
  });

  it('fails in phase steps with the output tail and leaves current alone when a step fails', async () => {
    await deployToHost(server, transport, deployment({ release: release(1) }));

    const error = await failure(deployToHost(server, transport, deployment({ release: release(2), steps: ['echo "building"; echo "npm ERR! missing script" >&2; exit 4'] })));

    expect(error.phase).toBe('steps');
    expect(error.message).toContain('exited with code 4');
    expect(error.message).toContain('npm ERR! missing script');
    expect(error.message).toContain('building');
    expect(await liveRelease(transport, server.path)).toBe(release(1));
  });

  it('does not run the restart when a step fails', async () => {
    const marker = join(server.path, 'restarted');
    await failure(deployToHost(server, transport, deployment({ steps: ['exit 1'], restart: `touch "${marker}"` })));
    expect(existsSync(marker)).toBe(false);
    expect(await liveRelease(transport, server.path)).toBeNull();
  });

  it('fails in phase unpack on a checksum mismatch and switches nothing', async () => {
    await deployToHost(server, transport, deployment({ release: release(1) }));

    const error = await failure(deployToHost(server, transport, deployment({ release: release(2), artifact: { path: artifact.path, sha256: '0'.repeat(64) } })));

    expect(error.phase).toBe('unpack');
    expect(error.message).toContain('checksum');
    expect(await liveRelease(transport, server.path)).toBe(release(1));
    expect(existsSync(layout(server.path, release(2)).release)).toBe(false);
  });

  it('passes the health check once the endpoint answers the expected status within the retries', async () => {
    const endpoint = await healthServer([503, 503, 200]);
    await deployToHost(server, transport, deployment({ health: health(endpoint.port) }));
    expect(endpoint.requests()).toBe(3);
    expect(await liveRelease(transport, server.path)).toBe(release(1));
  });

  it('fails in phase health after every retry when the endpoint keeps answering 500', async () => {
    const endpoint = await healthServer([500]);

    const error = await failure(deployToHost(server, transport, deployment({ health: health(endpoint.port) })));

    expect(error.phase).toBe('health');
    expect(error.message).toContain(`http://127.0.0.1:${endpoint.port}/health`);
    expect(error.message).toContain('500');
    expect(endpoint.requests()).toBe(4);
  });

  it("prefers the server's own health check to the environment's", async () => {
    const healthy = await healthServer([200]);
    const environmentHealth: HealthConfig = { ...health(healthy.port), url: 'http://{host}:1/never-asked' };
    server = { ...server, health: health(healthy.port) };
    await deployToHost(server, transport, deployment({ health: environmentHealth }));
    expect(healthy.requests()).toBe(1);
  });

  it('prunes to keepReleases, keeping the live release and the one before it', async () => {
    for (const second of [1, 2, 3, 4]) await deployToHost(server, transport, deployment({ release: release(second), keepReleases: 2 }));

    expect((await readdir(layout(server.path, '').releases)).sort()).toEqual([release(3), release(4)]);
    expect(await liveRelease(transport, server.path)).toBe(release(4));
  });

  it('never prunes the release that was live before, even when it is the oldest', async () => {
    for (const second of [1, 2, 3]) await deployToHost(server, transport, deployment({ release: release(second), keepReleases: 5 }));
    // As after a rollback to the first release.
    await switchCurrent(transport, server.path, release(1), LIMITS);

    const result = await deployToHost(server, transport, deployment({ release: release(4), keepReleases: 2 }));

    expect(result.previousRelease).toBe(release(1));
    expect((await readdir(layout(server.path, '').releases)).sort()).toEqual([release(1), release(4)]);
  });

  it('kills a step that runs past stepTimeout and fails naming the step and the setting', async () => {
    const attempt = deployToHost(server, transport, deployment({ release: release(1), steps: ['sleep 600'], stepTimeoutMs: 300 }));
    await expect(attempt).rejects.toBeInstanceOf(HostPhaseError);
    await expect(attempt).rejects.toThrow('steps: "sleep 600" did not finish within 300ms and was killed (environments.production.stepTimeout)');
  });

  it('kills the running restart when the signal aborts, failing the host in that phase', async () => {
    const controller = new AbortController();
    const phases: HostPhase[] = [];
    const attempt = deployToHost(server, transport, deployment({ release: release(1), restart: 'sleep 600', signal: controller.signal }), (phase) => {
      phases.push(phase);
      if (phase === 'restart') setTimeout(() => controller.abort(), 200);
    });
    await expect(attempt).rejects.toThrow('restart: "sleep 600" was killed: the deployment was stopped');
    expect(phases.at(-1)).toBe('restart');
  });

  it('tells onPhase each phase in order, with the previous release', async () => {
    const endpoint = await healthServer([200]);
    await deployToHost(server, transport, deployment({ release: release(1) }));
    const heard: Array<[HostPhase, string | null]> = [];

    await deployToHost(server, transport, deployment({ release: release(2), steps: ['true'], restart: 'true', health: health(endpoint.port) }), (phase, previous) => heard.push([phase, previous]));

    expect(heard.map(([phase]) => phase)).toEqual(['upload', 'unpack', 'steps', 'switch', 'restart', 'health', 'prune']);
    expect(heard.every(([, previous]) => previous === release(1))).toBe(true);
  });
});

describe('deployToHost round trips', () => {
  /** The local transport, recording every command it runs. */
  function counting(): { transport: Transport; commands: string[][] } {
    const commands: string[][] = [];
    return { commands, transport: { ...transport, exec: (argv, options) => (commands.push([...argv]), transport.exec(argv, options)) } };
  }

  it('runs two commands on a host that had a release: the unpack, then the switch with the restart', async () => {
    const endpoint = await healthServer([200]);
    await deployToHost(server, transport, deployment({ release: release(1) }));
    const counted = counting();

    await deployToHost(server, counted.transport, deployment({ release: release(2), restart: 'printf restarted > "$IGOR_PATH/restarted"', health: health(endpoint.port) }));

    expect(counted.commands).toHaveLength(2);
    expect(await readFile(join(server.path, 'restarted'), 'utf8')).toBe('restarted');
    expect(await liveRelease(transport, server.path)).toBe(release(2));
  });

  it("starts a login shell only for the user's own steps and restart; igor's own scripts read no start-up file", async () => {
    const counted = counting();
    await deployToHost(server, counted.transport, deployment({ release: release(1), steps: ['true'], restart: 'true', keepReleases: 1 }));
    await deployToHost(server, counted.transport, deployment({ release: release(2), keepReleases: 1 }));
    await deployToHost(server, counted.transport, deployment({ release: release(3), keepReleases: 1 }));

    // The step in a login shell of its own; the restart through a login shell that igor's switch script starts.
    expect(counted.commands.filter((argv) => argv[1] === '-lc')).toEqual([['bash', '-lc', 'true']]);
    const restarts = counted.commands.filter((argv) => argv.some((word) => word.includes('exec bash -lc')));
    expect(restarts.map((argv) => argv.at(-1))).toEqual(['true']);
    for (const argv of counted.commands.filter((command) => command[0] === 'bash' && command[1] !== '-lc')) expect(argv.slice(0, 4)).toEqual(['bash', '--noprofile', '--norc', '-c']);
    // The third deploy pruned the first release (keepReleases 1 keeps the live one and the one before).
    expect((await readdir(layout(server.path, '').releases)).sort()).toEqual([release(2), release(3)]);
  });

  it('fails in phase switch, not restart, when the switch cannot happen, and runs no restart', async () => {
    await mkdir(join(server.path, 'current', 'in-the-way'), { recursive: true });
    const error = await failure(deployToHost(server, transport, deployment({ release: release(1), restart: 'printf ran > "$IGOR_PATH/restarted"' })));
    expect(error.phase).toBe('switch');
    expect(error.message).toContain(`could not switch ${join(server.path, 'current')}`);
    expect(existsSync(join(server.path, 'restarted'))).toBe(false);
  });
});

describe('switchCurrent', () => {
  it('repoints an existing current atomically and leaves no temporary link behind', async () => {
    for (const name of [release(1), release(2)]) await mkdir(layout(server.path, name).release, { recursive: true });
    await switchCurrent(transport, server.path, release(1), LIMITS);
    await switchCurrent(transport, server.path, release(2), LIMITS);

    expect(await readlink(join(server.path, 'current'))).toBe(layout(server.path, release(2)).release);
    expect(await liveRelease(transport, server.path)).toBe(release(2));
    expect((await readdir(server.path)).sort()).toEqual(['current', 'releases']);
  });
});
