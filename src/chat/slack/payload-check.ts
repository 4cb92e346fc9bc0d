import { z } from 'zod';

/**
 * What igor's Slack listeners read, checked before Bolt dispatches: a signed request with a field
 * missing gets a 400 naming it instead of crashing a listener (which left the request unacked).
 * Only the fields igor reads are checked; the rest passes through (`looseObject`).
 */
const slashCommand = z.looseObject({
  command: z.string().regex(/^\/[a-z0-9_-]+$/i),
  text: z.string().optional(),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  response_url: z.url({ protocol: /^https?$/ }).optional(),
});

const blockActions = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: z.string().min(1) }),
  actions: z.array(z.looseObject({ action_id: z.string().min(1), value: z.string().optional() })).min(1),
  container: z.looseObject({ message_ts: z.string().optional(), thread_ts: z.string().optional() }).optional(),
  channel: z.looseObject({ id: z.string() }).optional(),
  message: z.looseObject({ ts: z.string(), thread_ts: z.string().optional() }).optional(),
});

const viewSubmission = z.looseObject({
  type: z.literal('view_submission'),
  user: z.looseObject({ id: z.string().min(1) }),
  view: z.looseObject({
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({ value: z.string().nullable().optional() }))) }),
  }),
});

const interaction = z.looseObject({ type: z.string().min(1) });

/** `app_home_opened`: who opened which tab of igor's app. */
const appHomeOpened = z.looseObject({
  type: z.literal('app_home_opened'),
  user: z.string().regex(/^[UW][A-Z0-9]+$/),
  channel: z.string().min(1),
  tab: z.enum(['home', 'messages', 'about']),
  event_ts: z.string().optional(),
});

/** Why an `app_home_opened` event cannot be handled, naming the field; null when it can (Socket Mode's envelopes skip the HTTP guard). */
export function appHomeOpenedProblem(event: unknown): string | null {
  return problemOf('the app_home_opened event', appHomeOpened, event);
}

/** The events igor subscribes to, each checked by its own schema. */
const EVENTS: ReadonlyMap<string, z.ZodType> = new Map([['app_home_opened', appHomeOpened]]);

const eventsApi = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string() }),
  z.looseObject({ type: z.literal('event_callback'), event: z.looseObject({ type: z.string().min(1) }) }),
  z.looseObject({ type: z.literal('app_rate_limited') }),
]);

/** Why a signed Slack request cannot be handled, naming the field; null when it can. */
export function slackPayloadProblem(contentType: string | undefined, body: Buffer): string | null {
  const text = body.toString('utf8');
  if ((contentType ?? '').startsWith('application/json')) {
    const parsed = parseJson(text);
    const problem = problemOf('the event', eventsApi, parsed);
    if (problem) return problem;
    const event = (parsed as { event?: { type: string } }).event;
    const schema = event && EVENTS.get(event.type);
    return schema ? problemOf(`the ${event.type} event`, schema, event) : null;
  }
  const form = new URLSearchParams(text);
  const payload = form.get('payload');
  if (payload !== null) {
    const parsed = parseJson(payload);
    const base = problemOf('the interaction payload', interaction, parsed);
    if (base) return base;
    const { type } = parsed as { type: string };
    if (type === 'view_submission') return problemOf('the view submission', viewSubmission, parsed);
    return type === 'block_actions' ? problemOf('the block action', blockActions, parsed) : null;
  }
  return problemOf('the slash command', slashCommand, Object.fromEntries(form));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function problemOf(what: string, schema: z.ZodType, value: unknown): string | null {
  if (value === undefined) return `${what} is not JSON`;
  const parsed = schema.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.');
  return field ? `${what} has no valid ${field}` : `${what} is not an object of a known type`;
}
