import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';

/**
 * Proof that the integration steps passed on a commit somewhere else (a test run of the
 * integration server), so that a deployment of that commit need not run them again.
 */
export interface TestEvidence {
  /** Where they passed, in words for the thread: `test run 3`. */
  source: string;
  sha: string;
  /** The integration settings they passed under: see {@link integrationFingerprint}. */
  integration: string;
  /** Each step as it ran, with its log file (null when it wrote none). */
  steps: Array<{ name: string; startedAt: string; finishedAt: string; log: string | null }>;
}

/** A digest of the `integration` section: a verdict counts only under the same steps, setup, env and timeout. */
export function integrationFingerprint(integration: Config['integration']): string {
  return createHash('sha256').update(JSON.stringify(integration)).digest('hex');
}

/** Whether `evidence` vouches for `sha` under today's settings, with a result for every step a deployment shows. */
export function vouchesFor(evidence: TestEvidence, sha: string, integration: Config['integration'], stepNames: readonly string[]): boolean {
  return (
    evidence.sha === sha &&
    evidence.integration === integrationFingerprint(integration) &&
    stepNames.every((name) => evidence.steps.some((step) => step.name === name))
  );
}
