// vitest globalSetup: runs once in the main process before any test file.
import { ensureSystemDeps } from './system-deps.js';

export async function setup(): Promise<void> {
  await ensureSystemDeps();
}
