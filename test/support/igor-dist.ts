// The compiled igor, as production runs it (`node dist/main.js`). vitest's global setup builds it
// once per run (test/support/global-setup.ts); tests that start igor as a process run this file.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Absolute, so a test can run igor from another working directory (one with or without a `.env`). */
export const IGOR_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/**
 * `npm run build`, what users run. `tsc -b` leaves an up-to-date dist/ alone in about a second, so
 * this costs little when nothing changed; a failure shows tsc's own output.
 */
export async function buildDist(): Promise<void> {
  const result = await execa('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, reject: false, all: true });
  if (result.exitCode !== 0) throw new Error(`npm run build failed (exit ${result.exitCode}):\n${result.all}`);
}
