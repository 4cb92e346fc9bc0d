// A real moto_server (moto 5, Python 3.11) on a free loopback port, for the EC2 discovery tests.
//
// moto_server comes with the machine image's Python (a pyenv shim on these machines). A machine
// without it fails the tests with MOTO_MISSING: they are never skipped.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, trackChild, untrackChild } from './processes.js';

export const MOTO_MISSING =
  'moto_server is not installed: the EC2 tests need moto\'s server (moto 5, Python 3.11); install it with pip install "moto[server]"';

export interface Moto {
  /** `http://127.0.0.1:PORT`: give it to `EC2Client({ endpoint })` or `AWS_ENDPOINT_URL_EC2`. */
  endpoint: string;
  /** Stops the server (SIGTERM, SIGKILL after 3 s) and waits for it to exit. Safe to call more than once. */
  stop(): Promise<void>;
  /** Forgets every resource (`POST /moto-api/reset`). */
  reset(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;
const STDERR_LIMIT = 16_384;
const PORT_ATTEMPTS = 3;

/**
 * Starts moto_server and resolves once it answers HTTP.
 *
 * @example
 * const moto = await startMoto();
 * const client = new EC2Client({ region: 'eu-west-1', endpoint: moto.endpoint, credentials });
 * await moto.stop();
 */
export async function startMoto(): Promise<Moto> {
  const binary = await findMotoServer();
  if (!binary) throw new Error(`${MOTO_MISSING} (looked on PATH and in ${fallbackDirs().join(', ')})`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(binary, await freePort());
    } catch (error) {
      // Another process may take the port between freePort() closing it and moto binding it.
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

class PortTakenError extends Error {}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

async function launch(binary: string, port: number): Promise<Moto> {
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  trackChild(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_LIMIT);
  });
  let exit: Exit | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      exit ??= { code: null, signal: null, error };
      resolve();
    });
    child.once('exit', (code, signal) => {
      exit ??= { code, signal };
      resolve();
    });
  });
  exited.then(() => untrackChild(child), () => {});

  const stop = async (): Promise<void> => {
    if (exit) return;
    child.kill('SIGTERM');
    const grace = sleep(STOP_GRACE_MS).then(() => 'late' as const);
    if ((await Promise.race([exited.then(() => 'gone' as const), grace])) === 'late') child.kill('SIGKILL');
    await exited;
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(endpoint))) {
    if (exit) {
      // pyenv's shim exits 127 when the selected Python has no moto_server (it names the versions that do).
      if (exit.code === 127 || (exit.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
        throw new Error(`${MOTO_MISSING}\n${binary}: ${exit.error?.message ?? stderr.trim()}`);
      }
      if (/address already in use/i.test(stderr)) throw new PortTakenError(`port ${port} is taken`);
      throw new Error(`moto_server (${binary}) exited with ${exit.error?.message ?? exit.signal ?? `code ${exit.code}`} before answering on ${endpoint}:\n${stderr}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server (${binary}) did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s:\n${stderr}`);
    }
    await sleep(100);
  }

  return {
    endpoint,
    stop,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}: ${await response.text()}`);
    },
  };
}

/** True once moto itself answers: its data dump is a JSON object, which another server on the port would not give. */
async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(1_000) });
    const body: unknown = JSON.parse(await response.text());
    return response.ok && typeof body === 'object' && body !== null;
  } catch {
    return false;
  }
}

/** moto_server on PATH, else where pip and pyenv put it, in case the PATH given to vitest lacks them. */
async function findMotoServer(): Promise<string | undefined> {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of [...onPath, ...fallbackDirs()]) {
    const candidate = path.join(dir, 'moto_server');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function fallbackDirs(): string[] {
  const pyenvRoot = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
  return [path.join(pyenvRoot, 'shims'), path.join(os.homedir(), '.local', 'bin')];
}



const AWS_VARIABLES = ['AWS_ENDPOINT_URL_EC2', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE'];

/**
 * For a test file whose igor finds its servers with `servers.ec2`: moto started before the file,
 * given to igor through the AWS SDK's own variables (as in production), emptied after each test,
 * and stopped with the variables put back after the file. Returns the running moto.
 *
 * @example
 * const moto = motoAsEc2({ beforeAll, afterEach, afterAll });
 * it('…', async () => { const client = new EC2Client({ endpoint: moto().endpoint, … }); });
 */
export function motoAsEc2(hooks: { beforeAll(run: () => Promise<void>): void; afterEach(run: () => Promise<void>): void; afterAll(run: () => Promise<void>): void }): () => Moto {
  const saved = Object.fromEntries(AWS_VARIABLES.map((name) => [name, process.env[name]]));
  let moto: Moto | undefined;
  hooks.beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, { AWS_ENDPOINT_URL_EC2: moto.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
    delete process.env.AWS_PROFILE;
  });
  hooks.afterEach(async () => {
    await moto?.reset();
  });
  hooks.afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await moto?.stop();
  });
  return () => {
    if (!moto) throw new Error('moto is not started: call motoAsEc2 at the top of the test file');
    return moto;
  };
}
