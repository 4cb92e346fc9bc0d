import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { RefusedError, type RefusalCode } from '../pipeline/errors.js';

/** An HTTP answer other than success, with the sentence for `{ "error": … }`. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const STATUS: Record<RefusalCode, number> = { 'bad-input': 400, forbidden: 403, 'not-found': 404, conflict: 409 };

/** Every error as JSON `{ "error": "…" }` with the right status; unexpected ones are logged with their stack. */
export function jsonErrors(log: Logger): ErrorRequestHandler {
  return (error: unknown, request, response, _next) => {
    let status = 500;
    let message = 'internal error';
    if (error instanceof HttpError) [status, message] = [error.status, error.message];
    else if (error instanceof RefusedError) [status, message] = [STATUS[error.code], error.message];
    else if ((error as { type?: string }).type === 'entity.parse.failed') [status, message] = [400, 'the body is not valid JSON'];
    else log.error({ err: error, method: request.method, path: request.path }, 'request failed');
    response.status(status).json({ error: message });
  };
}
