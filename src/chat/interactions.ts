import type { Alarms } from '../alarms/service.js';
import type { Pipelines } from '../pipeline/pipelines.js';
import { viaOf, type Actor } from '../shared/actor.js';
import { RefusedError } from '../shared/refusal.js';
import type { ActionInput } from '../pipeline/actions.js';
import { createDeploymentActions, DEPLOYMENT_ACTIONS, type ActionOutcome } from './actions.js';
import { escapeMrkdwn, mrkdwn } from './mrkdwn.js';
import { queueButton } from './queue-button.js';

/** A button's work, chat-neutral: its value and who pressed it, to what the presser is told. */
export type ButtonHandler = (value: string, actor: Actor, input?: ActionInput) => Promise<ActionOutcome>;

/** What the Retry button of a failed test run calls. */
export interface CiRetry {
  retry(runId: string, user: string): Promise<{ id: string }>;
}

/** What the Undo button of a flag change calls; a refusal is an outcome already. */
export type FlagUndo = (changeId: string, user: string) => Promise<ActionOutcome>;

const HOUR_MS = 3_600_000;

/**
 * Every button igor puts on a message, by the `<name>` of its `igor.<name>` action id: the one
 * table the Slack listener, the console and the tests press through. Adding a button is one entry.
 */
export function createInteractions(deps: { pipelines: Pipelines; alarms: Alarms; ci?: CiRetry | undefined; undoFlag?: FlagUndo | undefined }): ReadonlyMap<string, ButtonHandler> {
  const deployments = createDeploymentActions(deps.pipelines, deps.alarms);
  const table = new Map<string, ButtonHandler>();
  for (const name of DEPLOYMENT_ACTIONS) table.set(name, (value, actor, input) => deployments.press(name, value, actor, input));
  table.set('acknowledge', async (id, actor) => {
    await deps.alarms.acknowledge(id, actor.user, viaOf(actor));
    return { ok: true, text: `Acknowledged alarm ${escapeMrkdwn(id)}.` };
  });
  table.set('silence', async (id, actor) => {
    await deps.alarms.silence(id, actor.user, HOUR_MS, viaOf(actor));
    return { ok: true, text: `Silenced alarm ${escapeMrkdwn(id)} for an hour.` };
  });
  table.set('queue', queueButton(deps.pipelines));
  const { ci, undoFlag } = deps;
  if (ci) table.set('ci-retry', ciRetryButton(ci));
  if (undoFlag) table.set('flag-undo', (changeId, actor) => undoFlag(changeId, actor.user));
  return table;
}

/** `igor.ci-retry` (value: the test run id): the same commit tested again. */
export function ciRetryButton(ci: CiRetry): ButtonHandler {
  return async (runId, actor) => {
    const run = await ci.retry(runId, actor.user);
    return { ok: true, text: `Test run ${run.id} retries run ${escapeMrkdwn(runId)}.` };
  };
}

/**
 * Presses `igor.<name>`: a refusal becomes an outcome told to the presser; an unknown button or an
 * unexpected failure too, in words, while the caller logs the error it is given.
 */
export async function press(
  table: ReadonlyMap<string, ButtonHandler>,
  name: string,
  value: string,
  actor: Actor,
  onError: (error: unknown) => void,
  input?: ActionInput,
): Promise<ActionOutcome> {
  const handler = table.get(name);
  if (!handler) return { ok: false, text: `igor has no button ${escapeMrkdwn(`igor.${name}`)}` };
  try {
    return await handler(value, actor, input);
  } catch (error) {
    if (error instanceof RefusedError) return { ok: false, text: mrkdwn(error.words) };
    onError(error);
    return { ok: false, text: `igor could not do that (${escapeMrkdwn(`igor.${name}`)} on ${escapeMrkdwn(value)}); the error is in igor's log` };
  }
}
