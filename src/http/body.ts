import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import getRawBody from 'raw-body';

/**
 * How much each sender may send, read before anything else is known about a request. Slack's
 * requests are form posts of a few KB (a button press carries its message: tens of KB at most);
 * GitHub sends at most 25 MB, but a push is a few KB to a few hundred KB, and igor acts on nothing
 * bigger; Alertmanager's payload grows with its alerts (igor acts on the first
 * {@link ALERTS_PER_PAYLOAD} of each).
 */
export const BODY_LIMITS = {
  slack: 1024 * 1024,
  github: 5 * 1024 * 1024,
  alertmanager: 4 * 1024 * 1024,
  api: 1024 * 1024,
  console: 64 * 1024,
  flags: 100 * 1024,
} as const;

/** How many alerts of one Alertmanager payload become alarms; the rest are summed up in one. */
export const ALERTS_PER_PAYLOAD = 100;

/**
 * The raw body, at most `limit` bytes: a larger `Content-Length` is refused before a byte is read,
 * and a body without one is cut off at the limit. Throws raw-body's errors (`entity.too.large`,
 * status 413), which the HTTP layer answers as such.
 */
export async function readCappedBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const length = request.headers['content-length'];
  return getRawBody(request, { limit, ...(length !== undefined ? { length } : {}) });
}

/**
 * Bounds how many requests from callers not yet known are served at once (their bodies must be
 * read before their signature can be checked). Beyond it, 503 with `Retry-After`, so a flood of
 * large unsigned posts cannot take igor's memory.
 */
export function concurrencyGate(max: number, what: string): RequestHandler {
  let active = 0;
  return (_request, response, next) => {
    if (active >= max) {
      response.set('retry-after', '1').status(503).json({ error: `${what}: too many requests at once; try again in a second` });
      return;
    }
    active++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      active--;
    };
    response.once('finish', release);
    response.once('close', release);
    next();
  };
}
