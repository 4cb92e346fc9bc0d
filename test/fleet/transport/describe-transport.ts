import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  });
}
