/**
 * Benchmark: the canary analysis's load probe against loadtest's own command line.
 *   npx tsx scripts/bench/analysis.ts [rates=200,1000,3000] [seconds=5]
 * Starts the example app (with its /metrics, no extra work per request) on 127.0.0.1, then at each
 * rate runs, three rounds each, igor's probe from this process (`runLoadProbe`, loadtest as a
 * library, keep-alive) and `loadtest --rps R -t S -k --cores 1` alone, and prints the median
 * requests/s each sustained and their p50/p95 latency; "added" is igor's p50 minus the CLI's.
 * Loopback only; each round is bounded by rate × seconds requests.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { runLoadProbe } from '../../src/analysis/load-probe.js';
import { exampleAppFiles, exampleNodePath } from '../../src/example/app-files.js';
import { writeFiles } from '../../src/example/repository.js';

const rates = (process.argv[2] ?? '200,1000,3000').split(',').map(Number);
const seconds = Number(process.argv[3] ?? 5);
const ROUNDS = 3;
const PORT = 18_390;
const url = `http://127.0.0.1:${PORT}/`;
const cli = join(process.cwd(), 'node_modules', 'loadtest', 'bin', 'loadtest.js');

interface Round {
  rps: number;
  p50: number;
  p95: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function viaIgor(rate: number): Promise<Round> {
  const stats = await runLoadProbe(url, { rate, duration: seconds * 1_000, concurrency: 10, timeout: 2_000 }, new AbortController().signal);
  return { rps: stats.rps, p50: stats.p50, p95: stats.p95 };
}

async function viaCli(rate: number): Promise<Round> {
  const { stdout } = await execa('node', [cli, '--rps', String(rate), '-n', String(rate * seconds), '-t', String(seconds + 1), '-k', '--cores', '1', '-d', '2000', url], { timeout: (seconds + 30) * 1_000 });
  const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? Number.NaN);
  return { rps: number(/Effective rps:\s+(\d+)/), p50: number(/50%\s+(\d+) ms/), p95: number(/95%\s+(\d+) ms/) };
}

const dir = await mkdtemp(join(tmpdir(), 'igor-bench-analysis-'));
await writeFiles(dir, exampleAppFiles());
const app = spawn('node', ['server.js'], { cwd: dir, env: { ...process.env, HOST: '127.0.0.1', PORT: String(PORT), NODE_PATH: exampleNodePath(), APP_WORK_MS: '0' }, stdio: 'ignore' });
try {
  for (let attempt = 0; !(await fetch(`${url}health`).then((r) => r.ok, () => false)); attempt++) {
    if (attempt > 50) throw new Error('the example app did not start');
    await sleep(100);
  }
  console.log(`igor canary analysis benchmark: load probe vs loadtest CLI, ${seconds}s per round, median of ${ROUNDS}, Node ${process.version}`);
  for (const rate of rates) {
    const igor: Round[] = [];
    const alone: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      igor.push(await viaIgor(rate));
      alone.push(await viaCli(rate));
    }
    const m = (rounds: Round[], key: keyof Round) => median(rounds.map((r) => r[key]));
    console.log(
      `  ${String(rate).padStart(5)} rps target: igor ${m(igor, 'rps')} rps (p50 ${m(igor, 'p50')}ms, p95 ${m(igor, 'p95')}ms)   loadtest CLI ${m(alone, 'rps')} rps (p50 ${m(alone, 'p50')}ms, p95 ${m(alone, 'p95')}ms)   added p50 ${m(igor, 'p50') - m(alone, 'p50')}ms`,
    );
  }
} finally {
  app.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}
