// igor in local mode with the console, started through createApp as `npm start` does.
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import type { Alarms } from '../../src/alarms/service.js';
import { createApp } from '../../src/app.js';
import type { Config } from '../../src/config/schema.js';
import { createExampleRepository } from '../../src/example/repository.js';
import type { Pipeline } from '../../src/pipeline/service.js';
import { cleanHome } from './clean-home.js';

export interface ConsoleApp {
  url: string;
  config: Config;
  pipeline: Pipeline;
  alarms: Alarms;
  /** Every log line, parsed. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * The app `shop` of the example's repository (made under `root`): staging deploys to a local
 * folder with no restart (nothing to start, stop or listen on a port), open to anyone; production
 * (channel C0PROD) to Alice and Carol, approved by Alice or Bob.
 */
export async function shopConsoleConfig(root: string): Promise<string> {
  const repo = join(root, 'repo');
  await createExampleRepository(repo);
  return stringify({
    app: 'shop',
    repo,
    channels: { deploys: 'C0DEPLOYS', alerts: 'C0ALERTS' },
    // Carol has no name here: the console shows her id.
    people: { U0ALICE: 'Alice', U0BOB: 'Bob' },
    integration: { steps: [{ name: 'unit', run: 'npm test' }] },
    environments: {
      staging: { servers: { local: [{ name: 'web-1', path: join(root, 'web-1') }] } },
      production: {
        channel: 'C0PROD',
        deployers: ['U0ALICE', 'U0CAROL'],
        approval: { mode: 'required', approvers: ['U0ALICE', 'U0BOB'] },
        servers: { local: [{ name: 'prod-1', path: join(root, 'prod-1') }] },
      },
    },
  });
}

/** Starts igor's local mode with the console on 127.0.0.1, port 0, from the YAML config given (written beside `dataDir`). */
export async function startConsoleApp(options: { configYaml: string; dataDir: string; apiToken?: string }): Promise<ConsoleApp> {
  const logs: Array<Record<string, unknown>> = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const configPath = join(dirname(options.dataDir), 'igor.yml');
  await writeFile(configPath, options.configYaml);
  const igor = await createApp({
    configPath,
    dataDir: options.dataDir,
    port: 0,
    ...(options.apiToken ? { apiToken: options.apiToken } : {}),
    logLevel: 'debug',
    logDestination,
    graceMs: 5_000,
    processEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: await cleanHome(dirname(options.dataDir)), USER: userInfo().username },
  });
  await igor.start();
  return { url: igor.url, config: igor.config, pipeline: igor.pipeline, alarms: igor.alarms, logs, close: () => igor.stop() };
}

/** A Server-Sent Events reader for tests: collects events and waits for the one wanted. */
export async function openEventStream(url: string, init: RequestInit = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const events: Array<{ event: string; data: unknown }> = [];
  const waiters = new Set<() => void>();
  let failure: Error | null = null;
  let ended = false;
  const pump = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) as unknown });
        for (const wake of waiters) wake();
      }
    }
  })()
    .catch((error: unknown) => {
      if ((error as Error).name !== 'AbortError') failure = error as Error;
    })
    .finally(() => {
      ended = true;
      for (const wake of waiters) wake();
    });
  return {
    response,
    events,
    /** The first event (from the start) that satisfies `match`; waits for it if it has not come. */
    async next<T>(match: (event: { event: string; data: T }) => boolean): Promise<{ event: string; data: T }> {
      for (;;) {
        const found = (events as Array<{ event: string; data: T }>).find(match);
        if (found) return found;
        if (failure) throw failure;
        if (ended) throw new Error(`the event stream ended before the event wanted came; it had: ${events.map((e) => e.event).join(', ')}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
        });
      }
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}
export type EventStreamReader = Awaited<ReturnType<typeof openEventStream>>;
