/**
 * Screenshots for the README's "Canary analysis": the console's thread with the analysis table,
 * and the deployment page with its latency chart.
 *   npx tsx scripts/docs/canary-analysis-screenshots.ts [outDir=docs]
 * Local mode with the bundled example on 127.0.0.2 and 127.0.0.3 (port 4183), a real Prometheus
 * on loopback, and Debian's Chromium; deploys main, then a SLOW release the analysis rolls back.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { chromium } from 'playwright-core';
import { parse, stringify } from 'yaml';
import { ensureExampleBundle } from '../../src/example/bundle.js';
import { startConsoleApp } from '../../test/support/console-app.js';
import { startPrometheus } from '../../test/support/prometheus.js';
import { killPidFiles } from '../../test/support/sshd-fleet.js';

const out = resolve(process.argv[2] ?? 'docs');
const PORT = 4183;
const dir = await mkdtemp(join(tmpdir(), 'igor-analysis-shots-'));
const dataDir = join(dir, 'data');
const config = parse(await ensureExampleBundle(dataDir, PORT)) as { apps: { example: { environments: { staging: Record<string, unknown> } } } };
const prometheus = await startPrometheus([`127.0.0.2:${PORT}`, `127.0.0.3:${PORT}`]);
const staging = config.apps.example.environments.staging;
staging.restart = `APP_WORK_MS=30 ${String(staging.restart)}`;
staging.strategy = {
  canary: {
    servers: 1,
    bake: '8s',
    analysis: {
      load: { path: '/', rate: 25, duration: '6s', maxLatencyRatio: 1.25, maxErrorRate: '1%' },
      prometheus: { url: prometheus.url, queries: [{ name: 'error ratio', query: '(sum(rate(http_requests_total{instance="{instance}",code="500"}[10s])) or vector(0)) / sum(rate(http_requests_total{instance="{instance}"}[10s]))', max: 0.05, compare: 'baseline', maxRatio: 1.5 }] },
    },
  },
};
const igor = await startConsoleApp({ configYaml: stringify(config), dataDir });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const page = await browser.newPage({ viewport: { width: 1700, height: 1150 } });
  page.setDefaultTimeout(120_000);
  await page.goto(`${igor.url}/`);
  await page.locator('#connection', { hasText: 'live' }).waitFor();
  const repo = join(dataDir, 'example', 'repo');
  /** Deploys main to staging from the console and waits for deployment `id` to end. */
  const deploy = async (id: string) => {
    await page.fill('#command', '/deploy main to staging');
    await page.press('#command', 'Enter');
    for (;;) {
      const answer = (await (await fetch(`${igor.url}/api/deployments/${id}`)).json()) as { finishedAt?: string | null; state?: string };
      if (answer.finishedAt) return answer.state;
      await new Promise((done) => setTimeout(done, 500));
    }
  };
  const commit = async (file: string, content: string) => {
    await writeFile(join(repo, file), content);
    await simpleGit(repo).add('.');
    await simpleGit(repo).commit(file);
  };
  console.log('deployment 1:', await deploy('1'));
  await commit('lib/v2.js', 'module.exports = 2;\n');
  console.log('deployment 2:', await deploy('2'));
  await commit('SLOW', 'three times the work\n');
  console.log('deployment 3:', await deploy('3'));
  await page.waitForTimeout(1_500);
  await page.locator('#messages article.message:not(.ephemeral)', { hasText: 'to staging: rolled-back' }).locator('button.replies').click();
  await page.locator('#thread', { hasText: 'Canary analysis of web-1' }).waitFor();
  await page.screenshot({ path: join(out, 'canary-analysis-thread.png') });
  const details = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
  await details.goto(`${igor.url}/console/deployments/3`);
  await details.locator('#analysis-chart svg').waitFor();
  await details.screenshot({ path: join(out, 'canary-analysis-page.png'), fullPage: true });
  console.log(`wrote ${join(out, 'canary-analysis-thread.png')} and ${join(out, 'canary-analysis-page.png')}`);
} finally {
  await browser.close();
  await igor.close();
  await prometheus.stop();
  await killPidFiles(['web-1', 'web-2'].map((name) => join(dataDir, 'example', 'servers', name, 'shared', 'app.pid')));
  await rm(dir, { recursive: true, force: true });
}
