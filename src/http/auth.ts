import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.js';

/** True for 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Bearer-token guard. With no token configured, only loopback callers get in, and only when
 * `allowLoopbackWithoutToken` (local mode); everyone else gets 401.
 */
export function requireBearer(options: { token: string | undefined; allowLoopbackWithoutToken: boolean; what: string }): RequestHandler {
  return (request, _response, next) => {
    if (!options.token) {
      if (options.allowLoopbackWithoutToken && isLoopback(request.socket.remoteAddress)) return next();
      return next(new HttpError(401, `${options.what} needs a bearer token, and none is configured`));
    }
    const header = request.get('authorization') ?? '';
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match || !tokensEqual(match[1]!, options.token)) return next(new HttpError(401, `${options.what} needs a valid bearer token`));
    next();
  };
}
