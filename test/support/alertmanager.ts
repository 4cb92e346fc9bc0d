import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { freePort, trackChild, untrackChild, waitUntilReady } from './processes.js';

export interface Alertmanager {
  url: string;
  /** Posts alerts to Alertmanager's own API (`/api/v2/alerts`), as Prometheus would. */
  send(alerts: unknown[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real Debian `prometheus-alertmanager` on loopback, whose one receiver is igor's webhook with
 * the bearer token; grouping waits are short so tests see webhooks within a couple of seconds.
 */
export async function startAlertmanager(options: { webhookUrl: string; token: string }): Promise<Alertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'igor-alertmanager-'));
  const port = await freePort();
  await writeFile(
    join(dir, 'alertmanager.yml'),
    stringify({
      route: { receiver: 'igor', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
      receivers: [{ name: 'igor', webhook_configs: [{ url: options.webhookUrl, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials: options.token } } }] }],
    }),
  );
  const child: ResultPromise = execa(
    'prometheus-alertmanager',
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', `--storage.path=${join(dir, 'data')}`, '--log.level=warn'],
    { reject: false, all: true },
  );
  trackChild(child);
  void child.finally(() => untrackChild(child));
  let output = '';
  child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await child;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady('prometheus-alertmanager', url, child, () => output, 100);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async send(alerts: unknown[]) {
      const response = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!response.ok) throw new Error(`Alertmanager refused the alerts: ${response.status} ${await response.text()}`);
    },
    stop,
  };
}

