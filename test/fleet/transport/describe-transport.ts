import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandStoppedError } from '../../../src/fleet/errors.js';
import type { Transport } from '../../../src/fleet/types.js';

/**
 * The contract every Transport adapter passes. `make` opens one to a server that shares this
 * machine's filesystem (true of local and of the sshd test hosts).
 */
export function describeTransport(name: string, make: () => Promise<{ transport: Transport; close?: () => Promise<void> }>): void {
  describe(`${name} transport`, () => {
    let transport: Transport;
    let close: (() => Promise<void>) | undefined;
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `igor-transport-${name}-`));
      ({ transport, close } = await make());
    });
    afterAll(async () => {
      await transport?.close();
      await close?.();
      await rm(dir, { recursive: true, force: true });
    });

    it('runs an argv and returns its output and exit code', async () => {
      expect(await transport.exec(['echo', 'hello'])).toMatchObject({ code: 0, stdout: 'hello' });
      expect((await transport.exec(['bash', '-c', 'echo oops >&2; exit 7'])).code).toBe(7);
      expect((await transport.exec(['bash', '-c', 'echo oops >&2; exit 7'])).stderr).toContain('oops');
    });

    it('passes every word literally, never through a shell', async () => {
      const marker = join(dir, 'marker');
      const words = [`$(touch ${marker})`, `\`touch ${marker}\``, `; touch ${marker}`, "it's", 'a "b" c', 'line\nbreak'];
      const result = await transport.exec(['printf', '%s|', ...words]);
      expect(result.stdout).toBe(words.map((word) => `${word}|`).join(''));
      await expect(readFile(marker)).rejects.toThrow();
    });

    it('runs in the given folder with the given environment', async () => {
      const folder = join(dir, 'with space');
      await transport.exec(['mkdir', '-p', folder]);
      const result = await transport.exec(['bash', '-c', 'pwd; printf %s "$IGOR_TEST"'], { cwd: folder, env: { IGOR_TEST: 'a $b `c`' } });
      expect(result.stdout).toBe(`${folder}\na $b \`c\``);
    });

    it('reports a missing command as a failure, not a crash', async () => {
      expect((await transport.exec(['igor-no-such-command'])).code).not.toBe(0);
    });

    it('kills the whole process group of a command when its signal aborts, and rejects with CommandStoppedError', async () => {
      const pids = join(dir, 'stopped.pids');
      const controller = new AbortController();
      const started = Date.now();
      // A shell with a child of its own: both must die, not only the shell.
      const running = transport.exec(['bash', '-c', 'sleep 600 & echo $$ $! > "$1"; wait', 'igor', pids], { signal: controller.signal });
      await waitForFile(pids);
      controller.abort();
      const error = await running.then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(CommandStoppedError);
      expect(error).toMatchObject({ why: 'stopped' });
      expect(Date.now() - started).toBeLessThan(15_000);
      for (const pid of (await readFile(pids, 'utf8')).trim().split(' ').map(Number)) expect(await alive(transport, pid)).toBe(false);
    });

    it('kills a command that runs past timeoutMs, saying how long it had', async () => {
      const error = await transport.exec(['sleep', '600'], { timeoutMs: 300 }).then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(CommandStoppedError);
      expect(error).toMatchObject({ why: 'timed-out', timeoutMs: 300 });
      expect((error as Error).message).toContain('did not finish within 300ms');
    });

    it('refuses to start a command whose signal is already aborted', async () => {
      const marker = join(dir, 'never');
      const error = await transport.exec(['touch', marker], { signal: AbortSignal.abort() }).then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(CommandStoppedError);
      await expect(readFile(marker)).rejects.toThrow();
    });

    it('copies a file, creating missing folders', async () => {
      const source = join(dir, 'source.txt');
      await writeFile(source, 'artifact bytes');
      const target = join(dir, 'deep', 'er', 'target.txt');
      await transport.putFile(source, target);
      expect(await readFile(target, 'utf8')).toBe('artifact bytes');
    });

    it('copies files at once into new folders that share a missing parent', async () => {
      const source = join(dir, 'burst-source.txt');
      await writeFile(source, 'flags');
      const targets = Array.from({ length: 4 }, (_, i) => join(dir, 'burst', `host-${i}`, 'shared', 'flags.json'));
      await Promise.all(targets.map((target) => transport.putFile(source, target)));
      for (const target of targets) expect(await readFile(target, 'utf8')).toBe('flags');
    });

    it('reads where a link points, and null for a missing path or one that is not a link', async () => {
      const link = join(dir, 'links', 'current');
      await mkdir(join(dir, 'links'), { recursive: true });
      await symlink(join(dir, 'releases', 'r 1'), link);
      await writeFile(join(dir, 'links', 'plain'), 'not a link');
      expect(await transport.readLink(link)).toBe(join(dir, 'releases', 'r 1'));
      expect(await transport.readLink(join(dir, 'links', 'plain'))).toBeNull();
      expect(await transport.readLink(join(dir, 'links', 'missing'))).toBeNull();
      expect(await transport.readLink(join(dir, 'no-such-folder', 'current'))).toBeNull();
    });

    it('reads links many at a time on one connection', async () => {
      await mkdir(join(dir, 'many'), { recursive: true });
      const links = Array.from({ length: 12 }, (_, i) => join(dir, 'many', `link-${i}`));
      await Promise.all(links.map((link, i) => symlink(`target-${i}`, link)));
      expect(await Promise.all(links.map((link) => transport.readLink(link, { timeoutMs: 10_000 })))).toEqual(links.map((_, i) => `target-${i}`));
    });
  });
}

async function waitForFile(path: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await readFile(path, 'utf8').catch(() => '')).trim()) return;
    await sleep(50);
  }
  throw new Error(`${path} never appeared`);
}

/** Whether a process is still there, asked on the server itself (`kill -0`); gives it a moment to go. */
async function alive(transport: Transport, pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if ((await transport.exec(['kill', '-0', String(pid)])).code !== 0) return false;
    await sleep(100);
  }
  return true;
}
