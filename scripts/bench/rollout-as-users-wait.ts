/**
 * Benchmark: the rollout and `/rollback` as a user waits for them.
 *   npm run bench:rollout -- [--hosts 16] [--rounds 3] [--shell-startup-ms 150]
 * igor runs as its own process (`node dist/main.js`, local mode, asked through the control API);
 * N stock OpenSSH servers on loopback whose shell start-up (`~/.bashrc`) sleeps 150 ms, as
 * `pyenv init` does; the example app (restart: stop the old process by its pid file, start the new
 * one detached) with an 8 MiB incompressible file; health every 100 ms, expecting the new commit.
 * Each round: igor's deploy (from the request to `succeeded`, its `npm test` step reported apart),
 * then the two floors for the same work with plain tools for all hosts at once (3 connections per
 * host: scp, ssh, curl; 1 connection: one ssh streaming the tarball on stdin, then curl); then
 * igor's `/rollback` and the floor's. Prints every round, the medians, the median of the paired
 * ratios, igor's per-phase times (its own records), the SSH connections and commands per host
 * (sshd's log), and igor's RSS idle and at its peak during the deploys.
 * Goal: deploy ≤ 1.3× the one-connection floor, `/rollback` ≤ 1.3× its floor.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBenchFleet } from './bench-fleet.js';
import { median, type IgorRun } from './igor-driver.js';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    'shell-startup-ms': { type: 'string', default: '150' },
  },
});
const hosts = Number(values.hosts);
const rounds = Number(values.rounds);
const shellStartupMs = Number(values['shell-startup-ms']);

const bench = await startBenchFleet(hosts, { igorProcess: true, shellStartupMs });
try {
  const pid = bench.igorPid!;
  await sleep(2_000);
  const idleRss = await rssMiB(pid);
  let peakRss = idleRss;
  const sampling = setInterval(() => void rssMiB(pid).then((mib) => (peakRss = Math.max(peakRss, mib)), () => undefined), 100);

  console.log(`rollout as users wait: igor as its own process (node dist/main.js), ${hosts} sshd hosts on loopback with a ${shellStartupMs} ms shell start-up, example app + 8 MiB, health every 100 ms; Node ${process.version}`);
  // A first release on every host, for igor and the floors: each round then replaces a running app.
  await bench.igorDeploy();
  await bench.floorDeployOneConnection();

  interface Round {
    deploy: IgorRun;
    floor3: number;
    floor1: number;
    rollback: IgorRun;
    floorRollback: number;
    deployCommands: number;
    deployConnections: number;
    deploySftp: number;
    rollbackCommands: number;
    rollbackConnections: number;
  }
  const measured: Round[] = [];
  for (let round = 1; round <= rounds; round++) {
    await bench.commit(`round ${round}`);
    const beforeDeploy = bench.sessions();
    await bench.igorDeploy();
    const deploy = bench.lastRun!;
    const afterDeploy = bench.sessions();
    const floor3 = await bench.floorDeploy();
    const floor1 = await bench.floorDeployOneConnection();
    const beforeRollback = bench.sessions();
    await bench.igorRollback();
    const rollback = bench.lastRun!;
    const afterRollback = bench.sessions();
    const floorRollback = await bench.floorRollback();
    const entry: Round = {
      deploy,
      floor3,
      floor1,
      rollback,
      floorRollback,
      deployCommands: (afterDeploy.commands - beforeDeploy.commands) / hosts,
      deployConnections: (afterDeploy.connections - beforeDeploy.connections) / hosts,
      deploySftp: (afterDeploy.sftp - beforeDeploy.sftp) / hosts,
      rollbackCommands: (afterRollback.commands - beforeRollback.commands) / hosts,
      rollbackConnections: (afterRollback.connections - beforeRollback.connections) / hosts,
    };
    measured.push(entry);
    console.log(
      `  round ${round}: deploy igor ${s(deploy.ms)} (its npm test ${s(deploy.steps.unit ?? 0)}), floor 3-conn ${s(floor3)}, 1-conn ${s(floor1)}   ` +
        `rollback igor ${s(rollback.ms)}, floor ${s(floorRollback)}   per host: deploy ${entry.deployConnections} conn / ${entry.deployCommands} commands, rollback ${entry.rollbackConnections} / ${entry.rollbackCommands}`,
    );
  }
  clearInterval(sampling);

  const med = (pick: (round: Round) => number) => median(measured.map(pick));
  console.log(`\n  medians of ${rounds} rounds, ${hosts} hosts:`);
  console.log(`  | | igor | floor | ratio (median of paired rounds) |`);
  console.log(`  | --- | --- | --- | --- |`);
  console.log(`  | deploy, request to succeeded | ${s(med((r) => r.deploy.ms))} (npm test ${s(med((r) => r.deploy.steps.unit ?? 0))}) | 1-conn ${s(med((r) => r.floor1))}; 3-conn ${s(med((r) => r.floor3))} | ${x(med((r) => r.deploy.ms / r.floor1))} of 1-conn; ${x(med((r) => r.deploy.ms / r.floor3))} of 3-conn |`);
  console.log(`  | deploy without its npm test | ${s(med((r) => r.deploy.ms - (r.deploy.steps.unit ?? 0)))} | 1-conn ${s(med((r) => r.floor1))} | ${x(med((r) => (r.deploy.ms - (r.deploy.steps.unit ?? 0)) / r.floor1))} |`);
  console.log(`  | /rollback, request to succeeded | ${s(med((r) => r.rollback.ms))} | ${s(med((r) => r.floorRollback))} | ${x(med((r) => r.rollback.ms / r.floorRollback))} |`);
  console.log(`\n  igor's per-host phases (median over hosts, then over rounds), from deploy.log / rollback.log:`);
  console.log(`    deploy:   ${phases(measured.map((r) => r.deploy))}`);
  console.log(`      its steps: ${phaseList(measured.map((r) => r.deploy.steps))}; its states: ${phaseList(measured.map((r) => r.deploy.states))}`);
  console.log(`    rollback: ${phases(measured.map((r) => r.rollback))}; its states: ${phaseList(measured.map((r) => r.rollback.states))}`);
  console.log(`  SSH per host: deploy ${med((r) => r.deployConnections)} connection(s), ${med((r) => r.deployCommands)} command(s), ${med((r) => r.deploySftp)} SFTP session(s); rollback ${med((r) => r.rollbackConnections)} connection(s), ${med((r) => r.rollbackCommands)} command(s)`);
  console.log(`  igor's RSS: ${idleRss.toFixed(0)} MiB idle, ${peakRss.toFixed(0)} MiB at its peak during ${hosts}-host deploys and rollbacks`);
} finally {
  await bench.stop();
}

function phases(runs: IgorRun[]): string {
  return phaseList(runs.map((run) => run.phases));
}

function phaseList(records: Array<Record<string, number>>): string {
  const names = [...new Set(records.flatMap((record) => Object.keys(record)))];
  return names.map((name) => `${name} ${s(median(records.map((record) => record[name] ?? 0)))}`).join(', ');
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function x(value: number): string {
  return `${value.toFixed(2)}×`;
}
