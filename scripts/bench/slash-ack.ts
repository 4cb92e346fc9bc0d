/**
 * Benchmark: how fast igor acks slash commands that arrive at once.
 *   npm run bench:slash -- [--commands 50] [--rounds 3]
 * igor runs as its own process (`node dist/main.js`) in Slack HTTP mode against the fake Slack Web
 * API, with two sshd hosts on loopback; N signed `/deploy status` commands (what people type most)
 * are sent at once, as Slack sends them, and each is timed from its send to Bolt's answer (the
 * ack). Prints p50, p99 and the slowest per round, and their medians. Goal: p99 ≤ 100 ms at 50.
 * Also prints igor's RSS after the rounds.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { prepareHarness, SIGNING_SECRET } from '../../test/support/igor-harness.js';
import { buildDist } from '../../test/support/igor-dist.js';
import { startIgorProcess } from '../../test/support/igor-process.js';
import { sendSlashCommand } from '../../test/support/slack-requests.js';
import { median } from './igor-driver.js';

process.env.IGOR_TEST_NET ??= '9';
const { values } = parseArgs({ options: { commands: { type: 'string', default: '50' }, rounds: { type: 'string', default: '3' } } });
const commands = Number(values.commands);
const rounds = Number(values.rounds);

await buildDist();
const prepared = await prepareHarness({ hosts: 2 });
try {
  // Its start-up line (info) carries the URL it listens on.
  const igor = await startIgorProcess(prepared, { LOG_LEVEL: 'info' });
  const events = `${igor.url}/slack/events`;
  // One command first, so the first round does not time igor's warm-up (JIT, first connections).
  await sendSlashCommand(events, SIGNING_SECRET, { text: 'status', responseUrl: prepared.slack.responseUrl() });
  await sleep(3_000);
  console.log(`slash command acks: ${commands} signed /deploy status at once, igor as its own process (node dist/main.js, Slack HTTP mode), Node ${process.version}`);
  const p99s: number[] = [];
  const p50s: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const times = await Promise.all(
      Array.from({ length: commands }, async (_, i) => {
        const started = performance.now();
        const response = await sendSlashCommand(events, SIGNING_SECRET, { text: 'status', userId: `U0USER${i}`, responseUrl: prepared.slack.responseUrl(`r${round}-${i}`) });
        if (response.status !== 200) throw new Error(`command ${i} was answered ${response.status}: ${response.body}`);
        return performance.now() - started;
      }),
    );
    const sorted = times.sort((a, b) => a - b);
    const p50 = quantile(sorted, 0.5);
    const p99 = quantile(sorted, 0.99);
    p50s.push(p50);
    p99s.push(p99);
    console.log(`  round ${round}: p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, slowest ${sorted.at(-1)!.toFixed(0)} ms`);
    // The status answers (to the response URLs) finish before the next round starts.
    await sleep(3_000);
  }
  console.log(`  median of ${rounds} rounds: p50 ${median(p50s).toFixed(0)} ms, p99 ${median(p99s).toFixed(0)} ms`);
  const status = await readFile(`/proc/${igor.child.pid}/status`, 'utf8');
  console.log(`  igor's RSS after the rounds: ${(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024).toFixed(0)} MiB`);
} finally {
  await prepared.close();
}

/** The nearest-rank quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
