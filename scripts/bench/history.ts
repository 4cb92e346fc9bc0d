/**
 * Benchmark: does a deployment get slower as the history grows? (issue 13, item 6)
 *   npx tsx scripts/bench/history.ts [--servers 200] [--history 400] [--rounds 3] [--igor dist/main.js]
 * Runs two igors, each as its own process (`node dist/main.js`, built first with `npm run build`),
 * each with an environment of N `servers.local` servers (folders on this machine) and the example
 * app: one whose store holds 2 finished deployments, one whose store holds 400, each of N servers.
 * Both stores are written as igor wrote them until now (one db.json with every deployment), so an
 * igor with the history layout moves them at its start, before anything is timed. After a warm-up
 * deployment on each (the first clones the repository), the rounds alternate between the two,
 * each a `POST /api/deployments` timed from the request to `succeeded`; the table shows the medians,
 * the test step's share of them, and how they compare. Goal: within 10 %.
 * `--igor PATH` times another build's `main.js` (e.g. one of an earlier commit) instead.
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { createExampleRepository } from '../../src/example/repository.js';
import { releaseName } from '../../src/fleet/releases.js';
import { emptyIgorData } from '../../src/igor-data.js';
import type { Deployment, HostRecord } from '../../src/pipeline/types.js';
import { buildDist, IGOR_MAIN } from '../../test/support/igor-dist.js';

const { values: flags } = parseArgs({
  options: {
    servers: { type: 'string', default: '200' },
    history: { type: 'string', default: '400' },
    rounds: { type: 'string', default: '3' },
    igor: { type: 'string' },
  },
});
const SERVERS = Number(flags.servers);
const HISTORY = Number(flags.history);
const ROUNDS = Number(flags.rounds);
const TOKEN = 'bench-history-token';
const POLL_MS = 100;
/** Far more than a round takes here; a round that exceeds it is a hang, not a figure. */
const ROUND_TIMEOUT_MS = 30 * 60_000;

interface Case {
  label: string;
  finished: number;
  dir: string;
}

interface Igor {
  url: string;
  child: ResultPromise;
  /** The last lines it printed, to show when a round fails. */
  tail(): string;
}

interface Round {
  /** From the request to `succeeded`, ms. */
  total: number;
  /** The integration step (the example's `npm test`), ms: the user's own, reported apart. */
  tests: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const size = (bytes: number) => (bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

const serverNames = Array.from({ length: SERVERS }, (_, index) => `web-${index + 1}`);

/** A finished deployment as igor stores one after a rollout to every server. */
function finishedDeployment(id: number, at: Date): Deployment {
  const sha = (id.toString(16).padStart(8, '0') + 'c0ffee').repeat(3).slice(0, 40);
  const release = releaseName(at, sha);
  const iso = at.toISOString();
  const later = new Date(at.getTime() + 25_000).toISOString();
  const hosts: HostRecord[] = serverNames.map((host) => ({
    host, address: '127.0.0.1', state: 'succeeded', release, previousRelease: id > 1 ? releaseName(new Date(at.getTime() - 3_600_000), sha) : null,
    error: null, phase: null, switched: true, wave: 'wave 1',
  }));
  return {
    id: String(id), kind: 'deploy', app: 'bench', ref: 'main', sha, release, environment: 'bench', state: 'succeeded', reason: null,
    requestedBy: 'UBENCH', requestedVia: { via: 'api', token: 'default' }, approvedBy: 'policy', rejectedBy: null, approval: null,
    audit: [], retryOf: null, testedIn: null, createdAt: iso, updatedAt: later, finishedAt: later,
    steps: ['unit', 'deploy', 'verify'].map((name) => ({ name, state: 'succeeded', startedAt: iso, finishedAt: later, error: null })),
    hosts, thread: null,
  };
}

/** The store as igor wrote it until now: one db.json with every deployment in it. */
async function writeStore(dataDir: string, count: number): Promise<number> {
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const deployments = Array.from({ length: count }, (_, index) => finishedDeployment(index + 1, new Date(start + index * 3_600_000)));
  await mkdir(dataDir, { recursive: true });
  const text = JSON.stringify({ ...emptyIgorData(), nextDeploymentId: count + 1, deployments }, null, 2);
  await writeFile(join(dataDir, 'db.json'), text);
  return Buffer.byteLength(text);
}

async function startIgor(main: string, bench: Case, repo: string): Promise<Igor> {
  const configPath = join(bench.dir, 'igor.yml');
  await writeFile(
    configPath,
    stringify({
      app: 'bench',
      repo,
      channels: { deploys: 'C0BENCH' },
      integration: { steps: [{ name: 'unit', run: 'npm test' }] },
      environments: { bench: { servers: { local: serverNames.map((name) => ({ name, path: join(bench.dir, 'hosts', name) })) } } },
    }),
  );
  const child = execa('node', [main], {
    cwd: bench.dir,
    env: { IGOR_CONFIG: configPath, IGOR_DATA_DIR: join(bench.dir, 'data'), PORT: '0', IGOR_HOST: '127.0.0.1', IGOR_API_TOKEN: TOKEN, LOG_LEVEL: 'info' },
    reject: false,
    all: true,
  });
  let seen = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.all!.on('data', (chunk: Buffer) => {
      // Keep only the tail: a round logs a line per host.
      seen = (seen + chunk.toString()).slice(-20_000);
      const match = /"url":"(http:\/\/[^"]+)","mode"/.exec(seen);
      if (match) resolveUrl(match[1]!);
    });
    void child.then(() => reject(new Error(`igor (${bench.label}) exited before listening:\n${seen}`)));
  });
  return { url, child, tail: () => seen };
}

/**
 * A control API call on a connection of its own: a kept-alive socket that igor closes just as the
 * next poll reuses it would end a round with ECONNRESET, and this process polls for minutes.
 */
function api<T>(igor: Igor, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolveBody, reject) => {
    const call = request(`${igor.url}${path}`, {
      method: payload ? 'POST' : 'GET',
      agent: false,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    call.on('error', reject);
    call.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((response.statusCode ?? 500) >= 400) reject(new Error(`${path} answered ${response.statusCode}: ${text}`));
        else resolveBody(JSON.parse(text) as T);
      });
    });
    call.end(payload);
  });
}

/** One deployment of `main` to every server, timed from the request to `succeeded` by igor's own clock. */
async function deploy(igor: Igor): Promise<Round> {
  const requested = Date.now();
  const { id } = await api<{ id: string }>(igor, '/api/deployments', { ref: 'main', environment: 'bench', user: 'UBENCH' });
  for (const deadline = requested + ROUND_TIMEOUT_MS; Date.now() < deadline; await sleep(POLL_MS)) {
    const deployment = await api<Deployment>(igor, `/api/deployments/${id}`);
    if (!deployment.finishedAt) continue;
    if (deployment.state !== 'succeeded') throw new Error(`deployment ${id} ended ${deployment.state}: ${deployment.reason ?? ''}`);
    const unit = deployment.steps.find((step) => step.name === 'unit');
    const tests = unit?.startedAt && unit.finishedAt ? Date.parse(unit.finishedAt) - Date.parse(unit.startedAt) : 0;
    return { total: Date.parse(deployment.finishedAt) - requested, tests };
  }
  throw new Error(`deployment ${id} did not finish within ${seconds(ROUND_TIMEOUT_MS)}`);
}

async function stopIgor(igor: Igor): Promise<void> {
  igor.child.kill('SIGTERM');
  const ended = await Promise.race([igor.child.then(() => true), sleep(60_000).then(() => false)]);
  if (!ended) {
    igor.child.kill('SIGKILL');
    await igor.child;
  }
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(path)) total += await sizeOf(join(path, name));
  return total;
}

const main = flags.igor ? resolve(flags.igor) : IGOR_MAIN;
if (!flags.igor) await buildDist();
const root = await mkdtemp(join(tmpdir(), 'igor-bench-history-'));
const igors: Igor[] = [];
try {
  const repo = join(root, 'repo');
  await createExampleRepository(repo);
  const cases: Case[] = [
    { label: 'before', finished: 2, dir: join(root, 'before') },
    { label: 'after', finished: HISTORY, dir: join(root, 'after') },
  ];
  const dbSizes: number[] = [];
  for (const bench of cases) dbSizes.push(await writeStore(join(bench.dir, 'data'), bench.finished));
  for (const bench of cases) igors.push(await startIgor(main, bench, repo));
  for (const igor of igors) await deploy(igor);

  const rounds: Round[][] = cases.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so a machine that slows down or warms up weighs on both alike.
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const index of order) {
      const result = await deploy(igors[index]!);
      rounds[index]!.push(result);
      console.error(`  round ${round + 1}, ${cases[index]!.finished} finished in the store: ${seconds(result.total)}`);
    }
  }

  console.log(`igor history benchmark: a deployment to ${SERVERS} servers.local servers (parallel 10, the example app), request to succeeded, ${ROUNDS} rounds alternating, Node ${process.version}, ${main === IGOR_MAIN ? 'dist/main.js' : main}`);
  console.log('');
  console.log('| store filled with | db.json as filled | data dir after | rounds | median | of which tests |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [index, bench] of cases.entries()) {
    const data = join(bench.dir, 'data');
    const after = `db.json ${size(await sizeOf(join(data, 'db.json')))}, history/ ${size(await sizeOf(join(data, 'history')))}`;
    const times = rounds[index]!;
    console.log(
      `| ${bench.finished} finished deployments of ${SERVERS} servers | ${size(dbSizes[index]!)} | ${after} | ${times.map((r) => seconds(r.total)).join(', ')} | ${seconds(median(times.map((r) => r.total)))} | ${seconds(median(times.map((r) => r.tests)))} |`,
    );
  }
  const [before, after] = rounds.map((times) => median(times.map((r) => r.total))) as [number, number];
  // Within a round the two ran back to back: their ratio leaves out what a busy machine does to both.
  const paired = rounds[1]!.map((round, index) => round.total / rounds[0]![index]!.total);
  console.log('');
  console.log(`${HISTORY} against 2: medians ${(after / before).toFixed(2)}×, median of the rounds' own ratios ${median(paired).toFixed(2)}× (${paired.map((ratio) => ratio.toFixed(2)).join(', ')}); goal: within 10 %.`);
  console.log("Each igor's warm-up deployment and its rounds add to its own history as they go.");
} catch (error) {
  for (const igor of igors) console.error(`--- the end of what igor at ${igor.url} printed:\n${igor.tail().split('\n').slice(-30).join('\n')}`);
  throw error;
} finally {
  await Promise.all(igors.map(stopIgor));
  await rm(root, { recursive: true, force: true });
}
