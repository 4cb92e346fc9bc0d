import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestEvidence } from '../integration/evidence.js';
import type { Progress } from './progress.js';
import type { Deployment } from './types.js';

/**
 * Takes the integration steps' results from where they passed already instead of running them
 * again: each step is recorded with the times it ran there and its log is copied beside this
 * deployment's, so the thread, the API and the deployment page show them as for any deployment.
 */
export async function reuseTests(deployment: Deployment, evidence: TestEvidence, progress: Progress, logDir: string): Promise<void> {
  await mkdir(logDir, { recursive: true });
  for (const record of deployment.steps) {
    const step = evidence.steps.find((entry) => entry.name === record.name);
    if (!step) continue;
    // A log pruned since is no reason to test again: the step then simply has no log.
    if (step.log) await copyFile(step.log, join(logDir, `${step.name}.log`)).catch(() => undefined);
    await progress.replayStep(deployment, step);
  }
}
