import { createHmac } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { bearerOf, isTrustedLocalRequest, tokensEqual } from '../../http/auth.js';
import { setCaller, type ApiToken } from '../../http/api-tokens.js';
import { HttpError } from '../../http/errors.js';

/** The cookie that lets `EventSource` (which cannot send headers) into the event stream. */
const COOKIE = 'igor_console';

/** What the cookie holds: derived from the token, so the token itself is never in a cookie. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('igor console session').digest('hex');
}

/**
 * Guards the console's data and actions, as the control API is guarded. With API tokens
 * (`IGOR_API_TOKEN`, `IGOR_API_TOKENS`), every request needs `Authorization: Bearer <token>`;
 * read-only GETs (the event stream, logs) may instead carry the session cookie that a request with
 * a bearer token got. Buttons and commands always need the header, so another site cannot make a
 * browser press them. With no token, only trusted local callers get in, in local mode (see
 * `isTrustedLocalRequest`: a site whose name a DNS rebinding points at 127.0.0.1 cannot read it).
 */
export function consoleGuard(options: { tokens: readonly ApiToken[]; localMode: boolean }): RequestHandler {
  return (request, response, next) => {
    if (options.tokens.length === 0) {
      if (options.localMode && isTrustedLocalRequest(request)) return next();
      return next(new HttpError(401, 'the console needs IGOR_API_TOKEN here: it is open without one only on loopback in local mode'));
    }
    const bearer = bearerOf(request);
    if (bearer !== undefined) {
      const match = options.tokens.filter((token) => tokensEqual(bearer, token.token))[0];
      if (!match) return next(new HttpError(401, 'the console needs a valid bearer token (IGOR_API_TOKEN)'));
      setCaller(response, { token: match.name, user: match.user });
      setSessionCookie(request, response, match.token);
      return next();
    }
    const cookie = readCookie(request, COOKIE);
    const match = cookie ? options.tokens.filter((token) => tokensEqual(cookie, sessionValue(token.token)))[0] : undefined;
    if (request.method === 'GET' && match) {
      setCaller(response, { token: match.name, user: match.user });
      return next();
    }
    next(new HttpError(401, 'the console needs a bearer token (IGOR_API_TOKEN)'));
  };
}

function setSessionCookie(request: Request, response: Response, token: string): void {
  const value = sessionValue(token);
  if (readCookie(request, COOKIE) === value) return;
  response.cookie(COOKIE, value, { httpOnly: true, sameSite: 'strict', path: '/console', secure: request.secure });
}

function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.get('cookie') ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
