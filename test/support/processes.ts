import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

// Safety net: if a worker exits without stopping what it started (a crash, a forgotten
// afterAll), the servers it spawned (sshd, moto, Alertmanager) die with it.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills `child` when this process exits, unless it was untracked first. */
export function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const tracked of liveChildren) tracked.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
}

export function untrackChild(child: ChildProcess): void {
  liveChildren.delete(child);
}

/** A TCP port on 127.0.0.1 that was free a moment ago (another process may still take it first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `<url>/-/ready` (the readiness endpoint of Prometheus and Alertmanager) every 100 ms until
 * it answers 2xx; throws with the process's output when it exits first or after `attempts` tries.
 */
export async function waitUntilReady(name: string, url: string, child: { exitCode: number | null }, output: () => string, attempts = 150): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`${name} exited:\n${output()}`);
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.ok, () => false);
    if (ready) return;
    if (attempt > attempts) throw new Error(`${name} did not get ready:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
