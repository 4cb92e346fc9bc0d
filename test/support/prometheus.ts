import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { freePort, trackChild, untrackChild, waitUntilReady } from './processes.js';

export interface Prometheus {
  url: string;
  /** Waits until every target has been scraped successfully at least once. */
  waitForTargets(timeoutMs?: number): Promise<void>;
  /** Stops it and removes its storage; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * A real Debian `prometheus` on a free 127.0.0.1 port, scraping `targets` (`host:port`, loopback
 * only) every second, its storage in a temp folder.
 */
export async function startPrometheus(targets: readonly string[]): Promise<Prometheus> {
  for (const target of targets) if (!/^127\.\d+\.\d+\.\d+:\d+$/.test(target)) throw new Error(`refusing to scrape ${target}: loopback targets only`);
  const dir = await mkdtemp(join(tmpdir(), 'igor-prometheus-'));
  const port = await freePort();
  await writeFile(
    join(dir, 'prometheus.yml'),
    stringify({ global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' }, scrape_configs: [{ job_name: 'app', static_configs: [{ targets: [...targets] }] }] }),
  );
  const child: ResultPromise = execa(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--web.listen-address=127.0.0.1:${port}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--log.level=warn'],
    { reject: false, all: true },
  );
  trackChild(child);
  void child.finally(() => untrackChild(child));
  let output = '';
  child.all?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-16_384)));
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await child;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady('prometheus', url, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async waitForTargets(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        const answer = (await fetch(`${url}/api/v1/targets`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.json(), () => null)) as { data?: { activeTargets?: Array<{ health: string; scrapeUrl: string; lastError: string }> } } | null;
        const active = answer?.data?.activeTargets ?? [];
        last = active.map((t) => `${t.scrapeUrl} ${t.health} ${t.lastError}`).join('; ');
        if (active.length === targets.length && active.every((t) => t.health === 'up')) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`prometheus targets not up: ${last}`);
    },
    stop,
  };
}
