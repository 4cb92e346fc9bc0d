/**
 * Benchmark: what the user waits for on real sshd hosts.
 *   npx tsx scripts/bench/rollout.ts [hosts=4]
 * Prints, for a fleet of N sshd hosts on loopback: the test steps (apart), the rollout from the
 * approval to `succeeded` for a first and a second deploy, and `/rollback` from request to
 * `succeeded` (the contract: back "in seconds"). Uses IGOR_TEST_NET=9 so it never collides with
 * a test run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { stringify } from 'yaml';
import { createApp } from '../../src/app.js';
import { createExampleRepository, writeFiles } from '../../src/example/repository.js';
import type { Deployment } from '../../src/pipeline/types.js';
import { killPidFiles, startSshFleet } from '../../test/support/sshd-fleet.js';

process.env.IGOR_TEST_NET ??= '9';
const hosts = Number(process.argv[2] ?? 4);
const APP_PORT = 18_090;

const dir = await mkdtemp(join(tmpdir(), 'igor-bench-'));
const fleet = await startSshFleet({ hosts });
const hostPaths = fleet.hosts.map((host) => join(dir, 'hosts', host.name));
try {
  const repo = join(dir, 'repo');
  await createExampleRepository(repo);
  await writeFile(
    join(dir, 'igor.yml'),
    stringify({
      app: 'bench',
      repo,
      channels: { deploys: 'C0BENCH' },
      integration: { steps: [{ name: 'unit', run: 'npm test' }] },
      environments: {
        bench: {
          servers: { static: fleet.hosts.map((host, i) => ({ name: host.name, host: host.host, port: host.port, path: hostPaths[i] })) },
          ssh: { user: userInfo().username, privateKeyPath: fleet.privateKeyPath },
          restart: `APP_PORT=${APP_PORT} bash scripts/restart.sh`,
          health: { url: `http://{host}:${APP_PORT}/health`, interval: '100ms', retries: 50 },
          strategy: { parallel: 10 },
        },
      },
    }),
  );
  const igor = await createApp({
    configPath: join(dir, 'igor.yml'),
    dataDir: join(dir, 'data'),
    port: 0,
    logLevel: 'silent',
    processEnv: { PATH: process.env.PATH!, HOME: process.env.HOME!, USER: userInfo().username },
  });
  await igor.start();
  const finished = (id: string) =>
    new Promise<Deployment>((resolve) => {
      const check = () => {
        const deployment = igor.pipeline.get(id);
        if (deployment?.finishedAt) resolve(deployment);
        else setTimeout(check, 20);
      };
      check();
    });
  const figures: Array<[string, string]> = [];
  const deploy = async (label: string) => {
    const started = Date.now();
    const deployment = await igor.pipeline.request({ ref: 'main', environment: 'bench', user: 'UBENCH' });
    const done = await finished(deployment.id);
    const tests = done.steps.filter((step) => !['deploy', 'verify'].includes(step.name));
    const testMs = tests.reduce((sum, step) => sum + (Date.parse(step.finishedAt!) - Date.parse(step.startedAt!)), 0);
    const deployStep = done.steps.find((step) => step.name === 'deploy')!;
    const rolloutMs = Date.parse(done.finishedAt!) - Date.parse(deployStep.startedAt!);
    figures.push([`${label}: state`, done.state], [`${label}: test steps`, `${testMs} ms`], [`${label}: approval → succeeded`, `${rolloutMs} ms`], [`${label}: request → succeeded`, `${Date.now() - started} ms`]);
  };
  await deploy('first deploy');
  await writeFiles(repo, { 'lib/greeting.js': "exports.greeting = (name) => 'hello, ' + name;\n// v2\n" });
  await simpleGit(repo).add('.').then(() => simpleGit(repo).commit('v2'));
  await deploy('second deploy');
  const started = Date.now();
  const rollback = await igor.pipeline.requestRollback({ environment: 'bench', user: 'UBENCH' });
  const back = await finished(rollback.id);
  figures.push(['/rollback: state', back.state], ['/rollback: request → succeeded', `${Date.now() - started} ms`]);
  await igor.stop();
  console.log(`igor rollout benchmark: ${hosts} sshd hosts on loopback, Node ${process.version}`);
  for (const [name, value] of figures) console.log(`  ${name.padEnd(36)} ${value}`);
  const rss = process.memoryUsage().rss;
  console.log(`  ${'resident memory at the end'.padEnd(36)} ${Math.round(rss / 1024 / 1024)} MiB`);
} finally {
  await killPidFiles(hostPaths.map((path) => join(path, 'shared', 'app.pid')));
  await fleet.stop();
  await rm(dir, { recursive: true, force: true });
}
