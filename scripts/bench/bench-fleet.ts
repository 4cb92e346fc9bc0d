/**
 * The scene the fleet benchmarks share: N real sshd hosts on loopback, the example app with an
 * 8 MiB incompressible file standing in for its dependencies, igor configured to deploy it to
 * every host in one wave, and the same per-host work done with plain `scp`/`ssh`/`curl` for all
 * hosts at once (`xargs -P N`): the floor igor is measured against. Two floors: three connections
 * per host (scp, ssh, curl), and one ssh per host streaming the tarball on stdin (then curl).
 *
 * igor runs in this process (`createApp`), or, with `igorProcess`, as users run it: its own
 * process (`node dist/main.js`, local mode), asked through the control API, timed from the request.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { simpleGit } from 'simple-git';
import { stringify } from 'yaml';
import { createApp, type Igor } from '../../src/app.js';
import { igorProcessDriver, type IgorDriver, type IgorRun } from './igor-driver.js';
import { createExampleRepository, writeFiles } from '../../src/example/repository.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { killPidFiles, startSshFleet, type SessionCount, type SshFleet } from '../../test/support/sshd-fleet.js';

// Apart from the tests' addresses, so a benchmark can run next to a test run.
process.env.IGOR_TEST_NET ??= '9';

const IGOR_APP_PORT = 18_090;
const FLOOR_APP_PORT = 18_091;
const HEALTH_INTERVAL_MS = 100;

export interface BenchFleetOptions {
  /** igor as its own process (`node dist/main.js`), timed from the request; else in this process. */
  igorProcess?: boolean;
  /**
   * Every server's shell start-up (`~/.bashrc`, also read by a login shell's `~/.profile`) sleeps
   * this long, as `pyenv init` and the like do on real servers; 0 (the default) for none.
   */
  shellStartupMs?: number;
}

export interface BenchFleet {
  hosts: number;
  /** The last run of igor's, with its per-phase times (set by igorDeploy and igorRollback). */
  lastRun: IgorRun | null;
  /** igor's process id, with `igorProcess`. */
  igorPid: number | null;
  /** Connections and commands each host served so far (from sshd's log), summed over the hosts. */
  sessions(): SessionCount;
  /** One ssh per host streaming the tarball on stdin (unpack, REVISION, switch, restart), then curl: the one-connection floor. */
  floorDeployOneConnection(): Promise<number>;
  /** Deploys `main` with igor; the time from the start of the rollout (tests done, artifact built) to `succeeded`. */
  igorDeploy(): Promise<number>;
  /** `/rollback` with igor; the time from the request to `succeeded`. */
  igorRollback(): Promise<number>;
  /** The same work as igorDeploy with plain tools, for the commit `main` points at now; the wall time. */
  floorDeploy(): Promise<number>;
  /** Switches `current` back to the release before, restarts and health-checks, with plain tools; the wall time. */
  floorRollback(): Promise<number>;
  /** A new commit on `main`, so the next deploy ships a new release. */
  commit(message: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchFleet(hosts: number, options: BenchFleetOptions = {}): Promise<BenchFleet> {
  const dir = await mkdtemp(join(tmpdir(), 'igor-bench-fleet-'));
  let fleet: SshFleet | undefined;
  let igor: Igor | undefined;
  let driver: IgorDriver | undefined;
  const stop = async () => {
    await igor?.stop();
    await driver?.stop();
    await killPidFiles(['igor', 'floor'].flatMap((tree) => (fleet?.hosts ?? []).map((host) => join(dir, 'hosts', host.name, tree, 'shared', 'app.pid'))));
    await fleet?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // VERBOSE: sshd logs each connection and session, which is how round trips are counted.
    fleet = await startSshFleet({ hosts, logLevel: 'VERBOSE' });
    const started = fleet;
    if (options.shellStartupMs) {
      // sshd runs every command through the user's shell, and Debian's bash reads ~/.bashrc then;
      // a login shell reads ~/.profile, which (as Debian's does) reads ~/.bashrc.
      await writeFile(join(started.dir, 'home', '.bashrc'), `sleep ${options.shellStartupMs / 1000}\n`);
      await writeFile(join(started.dir, 'home', '.profile'), '[ -n "$BASH_VERSION" ] && [ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"\n');
    }
    const repo = join(dir, 'repo');
    await createExampleRepository(repo);
    await writeFile(join(repo, 'vendor.bin'), randomBytes(8 * 1024 * 1024));
    await simpleGit(repo).add('.').then(() => simpleGit(repo).commit('Vendored dependencies (8 MiB)'));
    const treeOf = (host: string, tree: 'igor' | 'floor') => join(dir, 'hosts', host, tree);
    await writeFile(
      join(dir, 'igor.yml'),
      stringify({
        app: 'bench',
        repo,
        channels: { deploys: 'C0BENCH' },
        integration: { steps: [{ name: 'unit', run: 'npm test' }] },
        environments: {
          bench: {
            servers: { static: started.hosts.map((host) => ({ name: host.name, host: host.host, port: host.port, path: treeOf(host.name, 'igor') })) },
            ssh: { user: userInfo().username, privateKeyPath: started.privateKeyPath },
            restart: `APP_PORT=${IGOR_APP_PORT} bash scripts/restart.sh`,
            health: { url: `http://{host}:${IGOR_APP_PORT}/health`, interval: `${HEALTH_INTERVAL_MS}ms`, retries: 300, expectBody: '"revision":"{sha}"' },
            strategy: { parallel: hosts },
          },
        },
      }),
    );
    if (options.igorProcess) {
      await mkdir(join(dir, 'igor-home'));
      driver = await igorProcessDriver({ configPath: join(dir, 'igor.yml'), dataDir: join(dir, 'data'), home: join(dir, 'igor-home'), environment: 'bench' });
    } else {
      igor = await createApp({
        configPath: join(dir, 'igor.yml'),
        dataDir: join(dir, 'data'),
        port: 0,
        logLevel: 'silent',
        processEnv: { PATH: process.env.PATH!, HOME: process.env.HOME!, USER: userInfo().username },
      });
      await igor.start();
    }
    const app = igor;

    const finished = (id: string) =>
      new Promise<Deployment>((resolve) => {
        const check = () => {
          const deployment = app!.pipeline.get(id);
          if (deployment?.finishedAt) resolve(deployment);
          else setTimeout(check, 10);
        };
        check();
      });
    const succeeded = (deployment: Deployment) => {
      if (deployment.state !== 'succeeded') throw new Error(`igor's ${deployment.kind} ${deployment.id} ended ${deployment.state}: ${deployment.reason ?? ''}`);
      return deployment;
    };

    // The floor's per-host work, one `bash` per host under `xargs -P`; arguments: name address port.
    const sshOptions = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-i', started.privateKeyPath];
    const hostList = started.hosts.map((host) => `${host.name} ${host.host} ${host.port}`).join('\n');
    const forEveryHost = async (script: string, args: string[]) => {
      const started = performance.now();
      await execa('xargs', ['-P', String(hosts), '-L', '1', 'bash', '-euc', script, 'floor', ...args], { input: hostList });
      return performance.now() - started;
    };
    const ssh = `ssh ${sshOptions.join(' ')}`;
    // Expanded by the local bash (paths have no spaces); the remote shell runs the result.
    const switchAndRestart = `ln -sfn $root/releases/$release $root/.current-$release; mv -T $root/.current-$release $root/current; cd $root/current; env IGOR_PATH=$root IGOR_HOST=$addr APP_PORT=${FLOOR_APP_PORT} bash scripts/restart.sh`;
    const healthy = `until curl -fsS -o /dev/null "http://$addr:${FLOOR_APP_PORT}/health"; do sleep ${HEALTH_INTERVAL_MS / 1000}; done`;
    const floorReleases: string[] = [];
    const newFloorRelease = async () => {
      const sha = (await simpleGit(repo).revparse(['main'])).trim();
      const release = `r${floorReleases.length + 1}-${sha.slice(0, 7)}`;
      const artifact = join(dir, `${release}.tar.gz`);
      await execa('git', ['-C', repo, 'archive', '--format=tar.gz', '-o', artifact, sha]);
      for (const host of started.hosts) await mkdir(join(treeOf(host.name, 'floor'), 'releases'), { recursive: true });
      floorReleases.push(release);
      return { sha, release, artifact };
    };

    const bench: BenchFleet = {
      hosts,
      lastRun: null,
      igorPid: driver?.pid ?? null,
      sessions() {
        const total = { connections: 0, commands: 0, sftp: 0 };
        for (const host of started.hosts) {
          const count = started.sessionsOf(host.name);
          total.connections += count.connections;
          total.commands += count.commands;
          total.sftp += count.sftp;
        }
        return total;
      },
      async igorDeploy() {
        if (driver) {
          bench.lastRun = await driver.deploy('main');
          return bench.lastRun.ms;
        }
        const requested = await app!.pipeline.request({ ref: 'main', environment: 'bench', actor: { user: 'UBENCH', via: 'api' } });
        const done = succeeded(await finished(requested.id));
        const rollout = done.steps.find((step) => step.name === 'deploy')!;
        return Date.parse(done.finishedAt!) - Date.parse(rollout.startedAt!);
      },
      async igorRollback() {
        if (driver) {
          bench.lastRun = await driver.rollback();
          return bench.lastRun.ms;
        }
        const started = performance.now();
        const requested = await app!.pipeline.requestRollback({ environment: 'bench', actor: { user: 'UBENCH', via: 'api' } });
        succeeded(await finished(requested.id));
        return performance.now() - started;
      },
      async floorDeploy() {
        const { sha, release, artifact } = await newFloorRelease();
        // $0 is "floor"; $1 artifact, $2 release, $3 sha, $4 the hosts' parent folder; xargs appends name address port.
        const script = [
          'artifact=$1 release=$2 sha=$3 name=$5 addr=$6 port=$7',
          'root=$4/$name/floor',
          `scp -q -P "$port" ${sshOptions.join(' ')} "$artifact" "$addr:$root/releases/.$release.tar.gz"`,
          `${ssh} -p "$port" "$addr" "set -e; mkdir -p $root/releases/$release; tar -xzf $root/releases/.$release.tar.gz -C $root/releases/$release; rm $root/releases/.$release.tar.gz; echo $sha > $root/releases/$release/REVISION; ${switchAndRestart}"`,
          healthy,
        ].join('\n');
        return forEveryHost(script, [artifact, release, sha, join(dir, 'hosts')]);
      },
      async floorDeployOneConnection() {
        const { sha, release, artifact } = await newFloorRelease();
        const script = [
          'artifact=$1 release=$2 sha=$3 name=$5 addr=$6 port=$7',
          'root=$4/$name/floor',
          `${ssh} -p "$port" "$addr" "set -e; mkdir -p $root/releases/$release; tar -xzf - -C $root/releases/$release; echo $sha > $root/releases/$release/REVISION; ${switchAndRestart}" < "$artifact"`,
          healthy,
        ].join('\n');
        return forEveryHost(script, [artifact, release, sha, join(dir, 'hosts')]);
      },
      async floorRollback() {
        const previous = floorReleases.at(-2);
        if (!previous) throw new Error('the floor rollback needs two floor deploys first');
        floorReleases.push(previous);
        const script = ['release=$1 name=$3 addr=$4 port=$5', 'root=$2/$name/floor', `${ssh} -p "$port" "$addr" "set -e; ${switchAndRestart}"`, healthy].join('\n');
        return forEveryHost(script, [previous, join(dir, 'hosts')]);
      },
      async commit(message: string) {
        await writeFiles(repo, { 'lib/greeting.js': `exports.greeting = (name) => 'hello, ' + name;\n// ${message}\n` });
        await simpleGit(repo).add('.').then(() => simpleGit(repo).commit(message));
      },
      stop,
    };
    return bench;
  } catch (error) {
    await stop();
    throw error;
  }
}

export function ratio(igor: number, floor: number): string {
  return `${(igor / floor).toFixed(2)}×`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

