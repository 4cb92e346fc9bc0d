import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { HttpError } from './errors.js';

/** True for 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

/** A key of this process only: tokens are compared as HMACs under it, so both sides have one length. */
const COMPARE_KEY = randomBytes(32);

/** Whether two secrets are equal, in a time that tells nothing of either, their lengths included. */
export function tokensEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHmac('sha256', COMPARE_KEY).update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Whether the `Host` a request names is one a DNS rebinding cannot point at this machine: an IP
 * literal, `localhost` or a name under `.localhost`. A page on `evil.example` whose DNS answer
 * changes to 127.0.0.1 still sends `Host: evil.example`.
 * @example isLocalHostHeader('127.0.0.1:3000') // true
 * @example isLocalHostHeader('127.0.0.1.nip.io') // false
 */
export function isLocalHostHeader(host: string | undefined): boolean {
  if (!host) return false;
  const name = hostName(host.trim().toLowerCase());
  if (name === null) return false;
  return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost');
}

/** `[::1]:3000` → `::1`, `127.0.0.1:3000` → `127.0.0.1`, `localhost` → `localhost`; null when malformed. */
function hostName(host: string): string | null {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0 || !/^(:\d+)?$/.test(host.slice(end + 1))) return null;
    return host.slice(1, end);
  }
  const [name, port, ...rest] = host.split(':');
  if (rest.length || (port !== undefined && !/^\d+$/.test(port))) return null;
  return name ?? null;
}

/**
 * The one check for everything igor trusts without a token (local mode): the caller is on this
 * machine, and its `Host` is not a name a DNS rebinding could have pointed here.
 */
export function isTrustedLocalRequest(request: Request): boolean {
  return isLoopback(request.socket.remoteAddress) && isLocalHostHeader(request.get('host'));
}

/**
 * Bearer-token guard. With no token configured, only trusted local callers get in (see
 * {@link isTrustedLocalRequest}), and only when `allowLoopbackWithoutToken` (local mode); everyone
 * else gets 401.
 */
export function requireBearer(options: { token: string | undefined; allowLoopbackWithoutToken: boolean; what: string }): RequestHandler {
  return (request, _response, next) => {
    if (!options.token) {
      if (options.allowLoopbackWithoutToken && isTrustedLocalRequest(request)) return next();
      return next(new HttpError(401, `${options.what} needs a bearer token, and none is configured`));
    }
    const token = bearerOf(request);
    if (token === undefined || !tokensEqual(token, options.token)) return next(new HttpError(401, `${options.what} needs a valid bearer token`));
    next();
  };
}

/** The token of `Authorization: Bearer <token>`, if the request has one. */
export function bearerOf(request: Request): string | undefined {
  return /^Bearer (.+)$/i.exec(request.get('authorization') ?? '')?.[1];
}
