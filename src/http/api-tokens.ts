import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../shared/actor.js';
import { bearerOf, isTrustedLocalRequest, tokensEqual } from './auth.js';
import { HttpError } from './errors.js';

/** A token of the control API: its name (in every audit entry), its secret, and the one user it may act as, if bound. */
export interface ApiToken {
  name: string;
  token: string;
  user: string | null;
}

/** A list of API tokens that cannot be used; the message names the variable and the entry. */
export class ApiTokensError extends Error {
  override name = 'ApiTokensError';
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const USER = /^[UW][A-Z0-9]{2,}$/;

/**
 * `IGOR_API_TOKEN` (named `default`, acting as anyone) and `IGOR_API_TOKENS`: comma-separated
 * `name:token` or `name:token:U0ALICE` (bound to that Slack user: it acts as nobody else).
 * Tokens may not contain `:` or `,`, and are at least 16 characters.
 * @example parseApiTokens(undefined, 'deploybot:0123456789abcdef,alice:fedcba9876543210:U0ALICE')
 */
export function parseApiTokens(single: string | undefined, list: string | undefined): ApiToken[] {
  const tokens: ApiToken[] = single ? [{ name: 'default', token: single, user: null }] : [];
  for (const entry of (list ?? '').split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name = '', token = '', user, ...rest] = entry.split(':');
    const shown = `IGOR_API_TOKENS entry "${name}"`;
    if (rest.length) throw new ApiTokensError(`${shown}: expected name:token or name:token:USER (a token has no ":")`);
    if (!NAME.test(name)) throw new ApiTokensError(`${shown}: a token's name is lower-case letters, digits, "-" or "_"`);
    if (token.length < 16) throw new ApiTokensError(`${shown}: the token must be at least 16 characters`);
    if (user !== undefined && !USER.test(user)) throw new ApiTokensError(`${shown}: ${user} is not a Slack user id such as U0ALICE`);
    if (tokens.some((known) => known.name === name)) throw new ApiTokensError(`${shown}: the name is used twice`);
    if (tokens.some((known) => known.token === token)) throw new ApiTokensError(`${shown}: the same token is given twice`);
    tokens.push({ name, token, user: user ?? null });
  }
  return tokens;
}

/** Who called the API: which token (null for trusted loopback without one), and the user it is bound to. */
export interface ApiCaller {
  token: string | null;
  user: string | null;
}

/**
 * Guards the control API with its tokens: every request must carry one of them as a bearer token
 * (compared in constant time, each), and the caller is kept for {@link apiActor}. With no tokens,
 * only trusted local callers get in, and only when `allowLoopbackWithoutToken` (local mode).
 */
export function apiGuard(options: { tokens: readonly ApiToken[]; allowLoopbackWithoutToken: boolean }): RequestHandler {
  return (request, response, next) => {
    if (options.tokens.length === 0) {
      if (options.allowLoopbackWithoutToken && isTrustedLocalRequest(request)) {
        setCaller(response, { token: null, user: null });
        return next();
      }
      return next(new HttpError(401, 'the control API needs a bearer token, and none is configured (IGOR_API_TOKEN or IGOR_API_TOKENS)'));
    }
    const given = bearerOf(request);
    // Every token is compared, so the time taken says nothing about which one matched.
    const matches = given === undefined ? [] : options.tokens.filter((token) => tokensEqual(given, token.token));
    const match = matches[0];
    if (!match) return next(new HttpError(401, 'the control API needs a valid bearer token'));
    setCaller(response, { token: match.name, user: match.user });
    next();
  };
}

/** Keeps who called for the route (see {@link apiActor}). */
export function setCaller(response: Response, caller: ApiCaller): void {
  (response.locals as { caller?: ApiCaller }).caller = caller;
}

/** Who called, as the guard found it. */
export function callerOf(response: Response): ApiCaller {
  return (response.locals as { caller?: ApiCaller }).caller ?? { token: null, user: null };
}

/**
 * Who acts in an API request: `{ "user": "U…" }` from the body (or `?user=`), under the rules of
 * that person. A token bound to a user acts as that user only: another `user` is refused, and a
 * missing one means the bound user. With `fallback`, a request without a user acts as it.
 */
export function apiActor(request: Request, response: Response, options: { fallback?: string } = {}): Actor {
  const caller = callerOf(response);
  const fromBody = (request.body as { user?: unknown } | undefined)?.user;
  const fromQuery = request.query.user;
  const named = fromBody !== undefined ? fromBody : fromQuery;
  if (named !== undefined && (typeof named !== 'string' || !/^[A-Za-z0-9._:@-]{1,64}$/.test(named))) {
    throw new HttpError(400, 'user must be a Slack user id such as U0ALICE');
  }
  if (caller.user) {
    if (named !== undefined && named !== caller.user) throw new HttpError(403, `this API token (${caller.token}) acts only as ${caller.user}`);
    return { user: caller.user, via: 'api', token: caller.token, bound: true };
  }
  const user = named ?? options.fallback;
  if (!user) throw new HttpError(400, 'user is required: the Slack user id of who acts');
  return { user, via: 'api', token: caller.token, bound: false };
}
