/**
 * Who acts, and through what: a person in Slack or the console, a caller of the control API (by
 * the name of its token, and whether that token is bound to this person), GitHub (a push), or
 * igor itself (a policy, a timer). Every action is recorded with it.
 */
export interface Actor {
  /** The Slack user id (or `api`, `github:<pusher>`) the rules are applied to. */
  user: string;
  via: 'slack' | 'console' | 'api' | 'github' | 'igor';
  /** For `api`: the name of the token used (`default` for IGOR_API_TOKEN), null on trusted loopback without a token. */
  token?: string | null;
  /** For `api`: whether the token is bound to `user`, so it cannot speak for anyone else. */
  bound?: boolean;
}

export const slackUser = (user: string): Actor => ({ user, via: 'slack' });
export const consoleUser = (user: string): Actor => ({ user, via: 'console' });

/**
 * Whether two actors may be the same person although their user ids differ: two calls with one
 * API token that is not bound to a user can name any user, so they are one caller.
 */
export function sameCaller(a: Actor, b: Actor): boolean {
  if (a.user === b.user) return true;
  return a.via === 'api' && b.via === 'api' && a.token !== undefined && a.token === b.token && !a.bound && !b.bound;
}

/** How an actor came, without who: what a record keeps beside the user id. */
export type Via = Omit<Actor, 'user'>;

export function viaOf(actor: Actor): Via {
  return { via: actor.via, ...(actor.token !== undefined ? { token: actor.token } : {}), ...(actor.bound !== undefined ? { bound: actor.bound } : {}) };
}
