/**
 * The key of one app's environment in the records kept per environment (locks, manual locks, bad
 * releases, flags, the commit waiting to be auto-deployed): `shop/production`. Neither names may contain `/` (igor.yml's rule), so a key never
 * means two things, and `billing/production` is never `shop/production`'s.
 * @example scopeKey('shop', 'production') // 'shop/production'
 */
export function scopeKey(app: string, environment: string): string {
  return `${app}/${environment}`;
}

/** Whether a record's key was written before records were kept per app (a bare environment name). */
function isUnscoped(key: string): boolean {
  return !key.includes('/');
}

/**
 * Moves the records of `records` keyed by a bare environment name to `scopeKey(app, name)`: an igor
 * of one app kept them so, and they were all of that app. Returns whether any moved.
 */
export function scopeRecords(records: Record<string, unknown>, app: string): boolean {
  const unscoped = Object.keys(records).filter(isUnscoped);
  for (const key of unscoped) {
    records[scopeKey(app, key)] ??= records[key];
    delete records[key];
  }
  return unscoped.length > 0;
}
