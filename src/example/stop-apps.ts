import { readFile, readlink, realpath, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';

/** How long an example app gets to exit on SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 3_000;
const POLL_MS = 50;

/**
 * Stops the example app on every local server of the bundled example. Its restart script starts
 * the app detached (`setsid nohup`), so it outlives igor unless stopped here; the script records
 * it in `<server>/shared/app.pid`. A pid is only signalled while `/proc` shows a process whose
 * working directory is inside that server's folder (its release), so a stale pid file that a
 * reused pid now matches never kills an unrelated process. Removes the pid files, a stale one too:
 * the restart script would otherwise `kill` whatever process has that pid by the next deploy.
 */
export async function stopExampleApps(config: Config, log: Logger): Promise<void> {
  const servers = Object.values(config.environments).flatMap((environment) => environment.servers.local ?? []);
  await Promise.all(servers.map((server) => stopApp(server.name, server.path, log)));
}

async function stopApp(name: string, path: string, log: Logger): Promise<void> {
  const pidFile = join(path, 'shared', 'app.pid');
  const pid = Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10);
  if (!Number.isInteger(pid) || pid <= 1) return;
  if (await runsInside(pid, await realpath(path).catch(() => path))) {
    try {
      process.kill(pid, 'SIGTERM');
      if (!(await exited(pid, STOP_GRACE_MS))) {
        process.kill(pid, 'SIGKILL');
        await exited(pid, STOP_GRACE_MS);
      }
      log.info({ server: name, pid }, 'stopped the example app');
    } catch (error) {
      // ESRCH: it exited between the check and the signal.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  await rm(pidFile, { force: true });
}

/**
 * Whether `pid` is alive and its working directory is under `dir` (a real path: `/proc` shows one).
 * Linux `/proc`; elsewhere this cannot be told, so no.
 */
async function runsInside(pid: number, dir: string): Promise<boolean> {
  if (!(await isRunning(pid))) return false;
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
  return cwd !== null && (cwd === dir || cwd.startsWith(dir.endsWith(sep) ? dir : dir + sep));
}

async function exited(pid: number, withinMs: number): Promise<boolean> {
  for (let waited = 0; waited < withinMs; waited += POLL_MS) {
    if (!(await isRunning(pid))) return true;
    await sleep(POLL_MS);
  }
  return !(await isRunning(pid));
}

/**
 * A zombie is not running: once the app has exited it waits for PID 1 to reap it, which can take
 * seconds on these machines, and `kill -0` would still say "alive".
 */
async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}
