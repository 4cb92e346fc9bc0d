/**
 * The key of one app's environment in the records kept per environment (locks, manual locks, bad
 * releases): `shop/production`. Neither names may contain `/` (igor.yml's rule), so a key never
 * means two things, and `billing/production` is never `shop/production`'s.
 * @example scopeKey('shop', 'production') // 'shop/production'
 */
export function scopeKey(app: string, environment: string): string {
  return `${app}/${environment}`;
}

/** Whether a record's key was written before records were kept per app (a bare environment name). */
export function isUnscoped(key: string): boolean {
  return !key.includes('/');
}
