import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { RefusedError, type RefusalCode } from '../shared/refusal.js';

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

/** What the body readers (body-parser, raw-body) throw, by their `type`, as a status and a sentence. */
const BODY_ERRORS: ReadonlyMap<string, { status: number; message: (error: BodyError) => string }> = new Map([
  ['entity.too.large', { status: 413, message: (error: BodyError) => `the body is larger than the ${bytes(error.limit)} this endpoint takes` }],
  ['entity.parse.failed', { status: 400, message: () => 'the body is not valid JSON' }],
  ['encoding.unsupported', { status: 415, message: () => 'the body has a Content-Encoding this endpoint does not take' }],
  ['charset.unsupported', { status: 415, message: () => 'the body has a charset this endpoint does not take (use utf-8)' }],
  ['request.aborted', { status: 400, message: () => 'the request ended before its body did' }],
  ['request.size.invalid', { status: 400, message: () => 'the body is not as long as its Content-Length says' }],
]);

interface BodyError {
  type?: unknown;
  limit?: unknown;
  status?: unknown;
}

/**
 * Every error as JSON `{ "error": "…" }` with the right status. Bad input is a 4xx that says what
 * is wrong; igor's own failures are a 500 saying only "internal error" (the details go to the log),
 * so no internal text ever reaches a caller.
 */
export function jsonErrors(log: Logger): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    if (response.headersSent) return next(error);
    const [status, message] = answerFor(error);
    if (status >= 500) log.error({ err: error, method: request.method, path: request.path }, 'request failed');
    response.status(status).json({ error: message });
  };
}

function answerFor(error: unknown): [number, string] {
  if (error instanceof HttpError) return [error.status, error.message];
  if (error instanceof RefusedError) return [STATUS[error.code], error.message];
  const body = (error ?? {}) as BodyError;
  const known = typeof body.type === 'string' ? BODY_ERRORS.get(body.type) : undefined;
  if (known) return [known.status, known.message(body)];
  // Express' router says so when a path segment is not valid percent-encoding.
  if (error instanceof URIError) return [400, 'the path is not valid percent-encoding'];
  if (typeof body.status === 'number' && body.status >= 400 && body.status < 500) return [body.status, 'the request is not one igor can read'];
  return [500, 'internal error'];
}

function bytes(limit: unknown): string {
  if (typeof limit !== 'number') return 'size';
  if (limit >= 1024 * 1024) return `${Math.round(limit / (1024 * 1024))} MB`;
  return `${Math.round(limit / 1024)} KB`;
}
