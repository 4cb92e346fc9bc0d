import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { logTail } from './log-tail.js';
import type { Mirror } from './mirror.js';
import { runStepProcess } from './step-process.js';

export interface IntegrationJob {
  deploymentId: string;
  app: string;
  environment: string;
  ref: string;
  sha: string;
  /** Created here, removed afterwards. */
  workspace: string;
  /** `<step>.log` files go here. */
  logDir: string;
  signal: AbortSignal;
  /** igor's own PATH and HOME: the only variables of igor's the steps get. */
  path: string;
  home: string;
}

export type StepEvent =
  | { type: 'started'; step: string }
  | { type: 'succeeded'; step: string; durationMs: number }
  | { type: 'failed'; step: string; durationMs: number; reason: string; logTail: string }
  | { type: 'skipped'; step: string };

export type IntegrationResult = { ok: true } | { ok: false; step: string; reason: string; logTail: string; cancelled: boolean };

/** The step names a deployment will show, in order: `setup`, the configured steps, `teardown`. */
export function integrationStepNames(integration: Config['integration']): string[] {
  return [
    ...(integration.setup.length ? ['setup'] : []),
    ...integration.steps.map((step) => step.name),
    ...(integration.teardown.length ? ['teardown'] : []),
  ];
}

/**
 * Runs the project's own tests on a fresh checkout of exactly `sha`: `setup`, then each step in
 * order until one fails, then `teardown` whatever happened. The steps get none of igor's secrets:
 * only PATH, HOME, CI=true, the deployment's IGOR_* and `integration.env`.
 */
export async function runIntegration(
  integration: Config['integration'],
  mirror: Mirror,
  job: IntegrationJob,
  onStep: (event: StepEvent) => void,
): Promise<IntegrationResult> {
  const env = {
    PATH: job.path,
    HOME: job.home,
    CI: 'true',
    IGOR_APP: job.app,
    IGOR_ENVIRONMENT: job.environment,
    IGOR_REF: job.ref,
    IGOR_SHA: job.sha,
    IGOR_DEPLOYMENT: job.deploymentId,
    IGOR_WORKSPACE: job.workspace,
    ...integration.env,
  };
  await mkdir(job.logDir, { recursive: true });
  await rm(job.workspace, { recursive: true, force: true });
  await mkdir(join(job.workspace, '..'), { recursive: true });
  await mirror.checkout(job.sha, job.workspace);

  const run = async (step: string, commands: readonly string[], signal = job.signal): Promise<IntegrationResult> => {
    onStep({ type: 'started', step });
    const started = Date.now();
    const logFile = join(job.logDir, `${step}.log`);
    for (const command of commands) {
      const outcome = await runStepProcess({ command, cwd: job.workspace, env, logFile, timeoutMs: integration.timeout, signal });
      if (!outcome.ok) {
        const tail = await logTail(logFile);
        onStep({ type: 'failed', step, durationMs: Date.now() - started, reason: outcome.reason, logTail: tail });
        return { ok: false, step, reason: outcome.reason, logTail: tail, cancelled: signal.aborted };
      }
    }
    onStep({ type: 'succeeded', step, durationMs: Date.now() - started });
    return { ok: true };
  };

  try {
    const planned: Array<[string, readonly string[]]> = [
      ...(integration.setup.length ? [['setup', integration.setup] as [string, string[]]] : []),
      ...integration.steps.map((step): [string, string[]] => [step.name, [step.run]]),
    ];
    let result: IntegrationResult = { ok: true };
    for (const [step, commands] of planned) {
      if (!result.ok || job.signal.aborted) {
        onStep({ type: 'skipped', step });
        continue;
      }
      result = await run(step, commands);
    }
    if (result.ok && job.signal.aborted) {
      // Cancelled between steps (or before the first): nothing failed, but the run did not pass either.
      const step = planned.find(([name]) => name)?.[0] ?? 'setup';
      result = { ok: false, step, reason: 'cancelled', logTail: '', cancelled: true };
    }
    if (integration.teardown.length) {
      // Teardown cleans what setup made: it runs even after a failure or a cancel, and is not cancellable itself.
      await run('teardown', integration.teardown, new AbortController().signal);
    }
    return result;
  } finally {
    await rm(job.workspace, { recursive: true, force: true });
  }
}
