import { dirname } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { IGOR_MAIN } from './igor-dist.js';
import { ALERTS_TOKEN, API_TOKEN, BOT_TOKEN, SIGNING_SECRET, type Prepared } from './igor-harness.js';

export interface IgorProcess {
  url: string;
  child: ResultPromise;
  /** Everything it printed so far. */
  output(): string;
  /** A control API call with the test token. */
  api<T = Record<string, unknown>>(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: T }>;
}

/**
 * igor as its own process (`node dist/main.js`, what `npm start` and the service run; built by the
 * global setup), in Slack HTTP mode against the harness's fake Slack, so tests can `kill -9` it.
 * Killed by the harness's close(). `extraEnv` adds to its environment (e.g. GITHUB_WEBHOOK_SECRET).
 * It runs in the harness's folder, so a developer's own `.env` in the checkout never reaches it.
 */
export async function startIgorProcess(prepared: Prepared, extraEnv: Record<string, string> = {}): Promise<IgorProcess> {
  const child = execa('node', [IGOR_MAIN], {
    cwd: dirname(prepared.dataDir),
    env: {
      IGOR_CONFIG: prepared.configPath,
      IGOR_DATA_DIR: prepared.dataDir,
      HOME: prepared.home,
      PORT: '0',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: prepared.slack.url,
      IGOR_API_TOKEN: API_TOKEN,
      IGOR_ALERTS_TOKEN: ALERTS_TOKEN,
      IGOR_ALARM_CHECK_MS: '200',
      IGOR_HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      ...extraEnv,
    },
    reject: false,
    all: true,
  });
  prepared.onClose(async () => {
    child.kill('SIGKILL');
    await child;
  });
  let seen = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.all!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)","mode"/.exec(seen);
      if (match) resolve(match[1]!);
    });
    void child.then(() => reject(new Error(`igor exited before listening:\n${seen}`)));
  });
  return {
    url,
    child,
    output: () => seen,
    async api<T>(path: string, init: { method?: string; body?: unknown } = {}) {
      const response = await fetch(`${url}${path}`, {
        method: init.method ?? (init.body ? 'POST' : 'GET'),
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
  };
}
