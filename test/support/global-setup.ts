// vitest globalSetup: runs once in the main process before any test file.
import { buildDist } from './igor-dist.js';
import { ensureSystemDeps } from './system-deps.js';

export async function setup(): Promise<void> {
  await ensureSystemDeps();
  // Tests that start igor as a process run the compiled dist/main.js, as production does.
  await buildDist();
}
