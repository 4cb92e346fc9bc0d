/**
 * Benchmark: `/rollback` on many hosts against the floor of this machine.
 *   npx tsx scripts/bench/rollback.ts [hosts=16]
 * Deploys two releases of the example app to N sshd hosts, then times igor's `/rollback` (request
 * to `succeeded`) and the same work with plain ssh/curl for all hosts at once (switch `current`
 * back, restart, health check), and prints both and their ratio. Goal: igor ≤ 1.3× the floor.
 */
import { ratio, seconds, startBenchFleet } from './bench-fleet.js';

const hosts = Number(process.argv[2] ?? 16);
const bench = await startBenchFleet(hosts);
try {
  await bench.igorDeploy();
  await bench.floorDeploy();
  await bench.commit('v2');
  await bench.igorDeploy();
  await bench.floorDeploy();
  const igor = await bench.igorRollback();
  const floor = await bench.floorRollback();
  console.log(`igor rollback benchmark: ${hosts} sshd hosts on loopback, Node ${process.version}`);
  console.log(`  igor /rollback ${seconds(igor)}   floor ${seconds(floor)}   ratio ${ratio(igor, floor)}`);
} finally {
  await bench.stop();
}
