import { z } from 'zod';
import type { QueueableRequest } from '../pipeline/errors.js';
import type { Pipelines } from '../pipeline/pipelines.js';
import type { Deployment } from '../pipeline/types.js';
import type { Actor } from '../shared/actor.js';
import { RefusedError } from '../shared/refusal.js';
import type { ActionOutcome } from './actions.js';
import { button, buttons } from './messages.js';
import { codeMrkdwn, dateMrkdwn, escapeMrkdwn } from './mrkdwn.js';
import type { ChatMessage } from './port.js';

/** What a `Queue` button carries: the refused deploy or promotion, as JSON (a button's value is at most 2,000 characters). */
const queueValue = z.union([
  z.strictObject({ app: z.string().min(1), environment: z.string().min(1), ref: z.string().min(1) }),
  z.strictObject({ app: z.string().min(1), environment: z.string().min(1), from: z.string().min(1) }),
]);

/** The `Queue` button offered beside a refusal for a busy environment. */
export function queueButtonMessage(refusal: ChatMessage, request: QueueableRequest): ChatMessage {
  const value = JSON.stringify('from' in request ? { app: request.app, environment: request.environment, from: request.from } : { app: request.app, environment: request.environment, ref: request.ref });
  return { text: refusal.text, blocks: [...(refusal.blocks ?? []), buttons('queue', [button('Queue', 'queue', value, 'primary')])] };
}

/** What a deploy that was put in the queue (or started at once) is told, in words. */
export function queuedText(deployment: Deployment, position: number | null, where: string): string {
  const what = `Deployment ${escapeMrkdwn(deployment.id)} of ${codeMrkdwn(deployment.ref)} to ${where}`;
  const waiting = deployment.waiting;
  if (deployment.state !== 'queued' || !waiting) return `:rocket: ${what} started.`;
  if (waiting.breakGlass) return `:rotating_light: ${what} starts despite the freeze (as soon as ${where} is free); the alerts channel is told.`;
  if (waiting.frozenUntil) {
    return `:snowflake: ${what} is queued: ${where} is frozen until ${dateMrkdwn(waiting.frozenUntil)}${waiting.freezeReason ? ` (${escapeMrkdwn(waiting.freezeReason)})` : ''}. It starts by itself when the freeze ends.`;
  }
  return `:hourglass: ${what} is queued, number ${position ?? 1} in line: it starts by itself when its turn comes.`;
}

/**
 * `igor.queue`: the refused deploy, asked again by whoever pressed (the requester, or anyone who
 * may deploy there: the same rules apply), now waiting in the environment's queue.
 */
export function queueButton(pipelines: Pipelines) {
  return async (value: string, actor: Actor): Promise<ActionOutcome> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    const request = queueValue.safeParse(parsed);
    if (!request.success) throw new RefusedError('bad-input', 'this Queue button carries no deploy request igor can read');
    const { app, environment } = request.data;
    const pipeline = pipelines.of(app);
    const deployment =
      'from' in request.data
        ? await pipeline.requestPromotion({ from: request.data.from, environment, actor, queue: true })
        : await pipeline.request({ ref: request.data.ref, environment, actor, queue: true });
    const where = escapeMrkdwn(pipelines.apps.apps.size > 1 ? `${app}/${deployment.environment}` : deployment.environment);
    // Pressed on a private refusal: the answer is told there too.
    return { ok: true, tell: true, text: queuedText(deployment, pipeline.queuePosition(deployment), where) };
  };
}
