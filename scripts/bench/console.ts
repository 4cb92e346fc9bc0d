/**
 * Benchmark: how fast the local console page loads from a warm server (the goal: under 200 ms).
 *   npx tsx scripts/bench/console.ts [rounds=50]
 * Starts igor in local mode with the bundled example in a temporary folder, then times what a
 * browser fetches for the page: the HTML, its scripts and stylesheet, and the state snapshot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';

const rounds = Number(process.argv[2] ?? 50);
const dir = await mkdtemp(join(tmpdir(), 'igor-bench-console-'));
try {
  const igor = await createApp({
    configPath: join(dir, 'missing.yml'),
    dataDir: join(dir, 'data'),
    port: 0,
    logLevel: 'silent',
    processEnv: { PATH: process.env.PATH!, HOME: process.env.HOME!, USER: userInfo().username },
  });
  await igor.start();
  const html = await (await fetch(`${igor.url}/`)).text();
  const assets = new Set([...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((match) => match[1]!));
  // Modules the scripts import load too: follow `from './x.js'`.
  for (const asset of [...assets]) {
    if (!asset.endsWith('.js')) continue;
    const script = await (await fetch(`${igor.url}${asset}`)).text();
    for (const match of script.matchAll(/from '\.\/([\w-]+\.js)'/g)) assets.add(asset.replace(/[^/]+$/, match[1]!));
  }
  const paths = ['/', ...assets, '/console/state'];
  const pageLoad = async () => {
    const started = performance.now();
    await Promise.all(paths.map(async (path) => (await fetch(`${igor.url}${path}`)).arrayBuffer()));
    return performance.now() - started;
  };
  await pageLoad(); // warm
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) times.push(await pageLoad());
  times.sort((a, b) => a - b);
  const at = (share: number) => times[Math.min(times.length - 1, Math.floor(share * times.length))]!.toFixed(1);
  console.log(`igor console page load: ${paths.length} requests (${paths.join(', ')}), ${rounds} rounds, warm server`);
  console.log(`  p50 ${at(0.5)} ms   p95 ${at(0.95)} ms   max ${at(1)} ms`);
  await igor.stop();
} finally {
  await rm(dir, { recursive: true, force: true });
}
