import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StepEvent } from '../integration/runner.js';
import type { Clock } from '../shared/clock.js';
import type { EventHub } from './events.js';
import type { Recorder } from './records.js';
import type { Deployment, HostRecord, StepRecord } from './types.js';

/**
 * Records progress on a deployment's steps and hosts: each change is saved and announced, and
 * host events are also appended to the step's log (`deploy.log`, `rollback.log`).
 */
export function createProgress(options: { recorder: Recorder; events: EventHub; clock: Clock }) {
  const { recorder, clock } = options;
  const now = () => clock.now().toISOString();

  /** Per log file, the last append: lines land in the order they were asked for, though callers do not wait (phases are reported with `void`). */
  const appending = new Map<string, Promise<void>>();
  function appendLine(file: string, text: string): Promise<void> {
    const next = (appending.get(file) ?? Promise.resolve())
      .then(async () => {
        await mkdir(dirname(file), { recursive: true });
        await appendFile(file, text);
      })
      // A log line that cannot be written must not stop a deployment.
      .catch(() => undefined);
    appending.set(file, next);
    void next.then(() => {
      if (appending.get(file) === next) appending.delete(file);
    });
    return next;
  }

  function findStep(deployment: Deployment, name: string): StepRecord {
    const step = deployment.steps.find((entry) => entry.name === name);
    if (!step) throw new Error(`deployment ${deployment.id} has no step ${name}`);
    return step;
  }

  function findHost(deployment: Deployment, name: string): HostRecord {
    const host = deployment.hosts.find((entry) => entry.host === name);
    if (!host) throw new Error(`deployment ${deployment.id} has no host ${name}`);
    return host;
  }

  return {
    async startStep(deployment: Deployment, name: string): Promise<void> {
      Object.assign(findStep(deployment, name), { state: 'running', startedAt: now() });
      await recorder.changed(deployment);
    },
    async finishStep(deployment: Deployment, name: string, state: StepRecord['state'], error: string | null): Promise<void> {
      Object.assign(findStep(deployment, name), { state, finishedAt: state === 'skipped' ? null : now(), error });
      await recorder.changed(deployment);
    },
    /** An integration step's event: recorded on the step, then announced as it is. */
    async recordStepEvent(deployment: Deployment, event: StepEvent): Promise<void> {
      if (event.type === 'started') await this.startStep(deployment, event.step);
      else if (event.type === 'skipped') await this.finishStep(deployment, event.step, 'skipped', null);
      else await this.finishStep(deployment, event.step, event.type, event.type === 'failed' ? event.reason : null);
      options.events.emit({ type: 'step', deployment, step: event });
    },
    /** A step that passed elsewhere (see TestEvidence): recorded with the times it ran, then announced as if it had run here. */
    async replayStep(deployment: Deployment, step: { name: string; startedAt: string; finishedAt: string }): Promise<void> {
      Object.assign(findStep(deployment, step.name), { state: 'succeeded', startedAt: step.startedAt, finishedAt: step.finishedAt, error: null });
      await recorder.changed(deployment);
      options.events.emit({ type: 'step', deployment, step: { type: 'succeeded', step: step.name, durationMs: Date.parse(step.finishedAt) - Date.parse(step.startedAt) } });
    },
    /** Changes one host's record, logs the change as a line of `logFile`, saves and announces. */
    async host(deployment: Deployment, name: string, patch: Partial<HostRecord>, logFile: string, line: string): Promise<void> {
      Object.assign(findHost(deployment, name), patch);
      await appendLine(logFile, `${now()} ${name} ${line}\n`);
      await recorder.changed(deployment);
    },
    /**
     * A host's phase (upload, unpack, steps, …) as {@link host} records it, but saved within a
     * moment: a rollout reports hundreds of them, and none is a step that cannot be undone. The
     * log line still lands in order.
     */
    phase(deployment: Deployment, name: string, patch: Partial<HostRecord>, logFile: string, line: string): void {
      Object.assign(findHost(deployment, name), patch);
      void appendLine(logFile, `${now()} ${name} ${line}\n`);
      recorder.progressed(deployment);
    },
  };
}
export type Progress = ReturnType<typeof createProgress>;
