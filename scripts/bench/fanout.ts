/**
 * Benchmark: igor's rollout to many hosts against the floor of this machine.
 *   npx tsx scripts/bench/fanout.ts [hosts=16]
 * Deploys the example app with an 8 MiB incompressible file to N sshd hosts with igor (one wave,
 * all hosts in parallel), then does the same per-host work with plain scp/ssh/curl for all hosts
 * at once (upload, unpack, REVISION, atomic switch, restart, health), and prints both wall times
 * and their ratio; then the same for 1 host. Goal: igor ≤ 1.3× the floor at 16 hosts. The 2 cores
 * are shared by all hosts: compare against the floor, not against one host.
 */
import { ratio, seconds, startBenchFleet } from './bench-fleet.js';

const sizes = [Number(process.argv[2] ?? 16), 1];
console.log(`igor fan-out benchmark: example app + 8 MiB incompressible file, sshd hosts on loopback, Node ${process.version}`);
for (const hosts of sizes) {
  const bench = await startBenchFleet(hosts);
  try {
    // Both sides deploy twice (a fresh host, then a host with a running release) and keep the better time.
    const igor: number[] = [];
    const floor: number[] = [];
    for (const round of [1, 2]) {
      if (round > 1) await bench.commit(`round ${round}`);
      igor.push(await bench.igorDeploy());
      floor.push(await bench.floorDeploy());
    }
    const best = (times: number[]) => Math.min(...times);
    console.log(
      `  ${String(hosts).padStart(2)} host${hosts === 1 ? ' ' : 's'}: igor ${seconds(best(igor))} (${igor.map(seconds).join(', ')})   floor ${seconds(best(floor))} (${floor.map(seconds).join(', ')})   ratio ${ratio(best(igor), best(floor))}`,
    );
  } finally {
    await bench.stop();
  }
}
