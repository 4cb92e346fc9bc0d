/**
 * igor as users run it, for benchmarks: its own process (`node dist/main.js`, what `npm start`
 * runs), local mode, asked through the control API; a run is timed from the request to its end,
 * and its per-phase times are read from igor's own records (the steps of the deployment and the
 * host log, `deploy.log` or `rollback.log`).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { userInfo } from 'node:os';
import { execa } from 'execa';
import { parseHostLog } from '../../src/chat/console/timeline.js';
import { buildDist, IGOR_MAIN } from '../../test/support/igor-dist.js';

const API_TOKEN = 'bench-api-token-0123456789';
/** How often the benchmark asks whether the run ended: small next to a rollout, light on the CPU. */
const POLL_MS = 25;

export interface IgorRun {
  id: string;
  /** From the request to `succeeded`. */
  ms: number;
  /** The deployment's own steps (`unit`, `deploy`, `verify`, `rollback`), each start to finish. */
  steps: Record<string, number>;
  /** How long it was in each state (`queued`, `testing`, `deploying`, …), from its transitions. */
  states: Record<string, number>;
  /** Per host phase (`connect`, `upload`, `unpack`, `switch`, `restart`, `health`, `prune`): the median over the hosts. */
  phases: Record<string, number>;
}

export interface IgorDriver {
  pid: number;
  deploy(ref: string): Promise<IgorRun>;
  rollback(): Promise<IgorRun>;
  stop(): Promise<void>;
}

export async function igorProcessDriver(options: { configPath: string; dataDir: string; home: string; environment: string }): Promise<IgorDriver> {
  await buildDist();
  const child = execa('node', [IGOR_MAIN], {
    cwd: dirname(options.dataDir),
    env: {
      IGOR_CONFIG: options.configPath,
      IGOR_DATA_DIR: options.dataDir,
      HOME: options.home,
      USER: userInfo().username,
      PORT: '0',
      IGOR_HOST: '127.0.0.1',
      IGOR_API_TOKEN: API_TOKEN,
      LOG_LEVEL: 'info',
    },
    extendEnv: false,
    reject: false,
    all: true,
  });
  const stop = async () => {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await child;
    clearTimeout(timer);
  };
  let seen = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.all!.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-65_536);
      const match = /"url":"(http:\/\/[^"]+)","mode"/.exec(seen);
      if (match) resolve(match[1]!);
    });
    void child.then(() => reject(new Error(`igor exited before listening:\n${seen}`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  const api = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`${path}: ${response.status} ${answer.error ?? ''}`);
    return answer;
  };

  const follow = async (requested: () => Promise<{ id: string }>, log: 'deploy.log' | 'rollback.log'): Promise<IgorRun> => {
    const start = performance.now();
    const { id } = await requested();
    for (;;) {
      const deployment = await api<DeploymentView>(`/api/deployments/${id}`);
      if (deployment.finishedAt) {
        const ms = performance.now() - start;
        if (deployment.state !== 'succeeded') throw new Error(`igor's ${deployment.kind} ${id} ended ${deployment.state}: ${deployment.reason ?? ''}`);
        return { id, ms, steps: stepTimes(deployment), states: stateTimes(deployment), phases: await phaseTimes(join(options.dataDir, 'logs', id, log)) };
      }
      await sleep(POLL_MS);
    }
  };
  const user = 'UBENCH';
  return {
    pid: child.pid!,
    deploy: (ref) => follow(() => api('/api/deployments', { ref, environment: options.environment, user }), 'deploy.log'),
    rollback: () => follow(() => api('/api/rollback', { environment: options.environment, user }), 'rollback.log'),
    stop,
  };
}

interface DeploymentView {
  kind: string;
  state: string;
  reason: string | null;
  finishedAt: string | null;
  createdAt: string;
  steps: Array<{ name: string; startedAt: string | null; finishedAt: string | null }>;
  transitions?: Array<{ state: string; at: string }>;
}

/** Time in each state, the first from the deployment's creation; a state entered twice adds up. */
function stateTimes(deployment: DeploymentView): Record<string, number> {
  const times: Record<string, number> = {};
  let previous = { state: 'queued', at: deployment.createdAt };
  for (const entry of deployment.transitions ?? []) {
    times[previous.state] = (times[previous.state] ?? 0) + Date.parse(entry.at) - Date.parse(previous.at);
    previous = entry;
  }
  return times;
}

function stepTimes(deployment: DeploymentView): Record<string, number> {
  return Object.fromEntries(deployment.steps.filter((step) => step.startedAt && step.finishedAt).map((step) => [step.name, Date.parse(step.finishedAt!) - Date.parse(step.startedAt!)]));
}

/** Each phase's median over the hosts, from the host log's lines. */
async function phaseTimes(logFile: string): Promise<Record<string, number>> {
  const byPhase = new Map<string, number[]>();
  for (const host of parseHostLog(await readFile(logFile, 'utf8'))) {
    for (const segment of host.segments) {
      if (!segment.end) continue;
      const list = byPhase.get(segment.phase) ?? [];
      list.push(Date.parse(segment.end) - Date.parse(segment.start));
      byPhase.set(segment.phase, list);
    }
  }
  return Object.fromEntries([...byPhase].map(([phase, times]) => [phase, median(times)]));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
