import { Router } from 'express';
import type { CommandHandler } from '../../chat/commands/answer.js';
import type { ChatMessage } from '../../chat/port.js';
import { ownEntry } from '../../shared/names.js';
import { apiActor } from '../api-tokens.js';
import { HttpError } from '../errors.js';

/**
 * `POST /api/commands { command: "/deploy", text: "main to staging", user }`: the slash commands
 * without Slack, answered as Slack would answer them (the immediate answer, or the later one).
 */
export function commandRoutes(handlers: Record<string, CommandHandler>, channel: string): Router {
  const router = Router();
  router.post('/', async (request, response) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const handler = typeof body.command === 'string' ? ownEntry(handlers, body.command) : undefined;
    if (!handler) throw new HttpError(400, `command must be one of ${Object.keys(handlers).join(', ')}`);
    if (body.text !== undefined && typeof body.text !== 'string') throw new HttpError(400, 'text must be a string');
    const answer = handler(body.text ?? '', { actor: apiActor(request, response), channel });
    const message: ChatMessage | null = answer.now ?? (answer.later ? await answer.later() : null);
    response.json(message ?? { text: '' });
  });
  return router;
}
