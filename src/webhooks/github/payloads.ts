import { z } from 'zod';

/**
 * What igor reads of the deliveries it acts on, checked before any handler runs: a signed delivery
 * with a field missing is a 400 that names the field, never a crash in a handler. Everything else
 * of GitHub's payload passes through untouched (`looseObject`).
 */
const repository = z.looseObject({ full_name: z.string().min(1), name: z.string().min(1) });

const PAYLOADS = new Map<string, z.ZodType>([
  [
    'push',
    z.looseObject({
      ref: z.string().min(1),
      after: z.string(),
      before: z.string().optional(),
      deleted: z.boolean().optional(),
      forced: z.boolean().optional(),
      repository,
      pusher: z.looseObject({ name: z.string().optional() }),
      head_commit: z.looseObject({ id: z.string() }).nullable().optional(),
    }),
  ],
  ['ping', z.looseObject({ zen: z.string().optional(), hook_id: z.number().optional(), repository: repository.optional() })],
]);

/** An event name as GitHub sends them: `push`, `pull_request`, `check_run`. */
const EVENT_NAME = /^[a-z][a-z_]{0,63}$/;

/** Why a signed delivery cannot be acted on, in words naming the header or field; null when it can. */
export function deliveryProblem(event: string | undefined, delivery: string | undefined, body: string): string | null {
  if (!event) return 'the delivery has no X-GitHub-Event header';
  if (!EVENT_NAME.test(event)) return 'X-GitHub-Event is not an event name';
  if (!delivery) return 'the delivery has no X-GitHub-Delivery header';
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return 'the body is not JSON (the webhook\'s content type must be application/json)';
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return 'the body is not a JSON object';
  const schema = PAYLOADS.get(event);
  if (!schema) return null;
  const parsed = schema.safeParse(payload);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return `the ${event} payload's ${issue.path.join('.') || 'body'} ${issue.code === 'invalid_type' ? `must be ${describe(issue)}` : 'is not valid'}`;
}

function describe(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' ? `a${/^[aeiou]/.test(issue.expected) ? 'n' : ''} ${issue.expected}` : 'valid';
}
